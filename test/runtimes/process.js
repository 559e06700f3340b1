// Entry for runtimes that run a script as a process (Node, Deno, Bun): `<runtime> process.js ORIGIN`. It prints
// one line, `results {"version", "results"}`, then does nothing: the process must end by itself, no `process.exit()`.

import * as lib from '../../dist/index.js';
import { runScenarios } from './scenarios.js';

const { Deno, Bun, process } = globalThis;
const origin = Deno ? Deno.args[0] : process.argv[2];
const version = Deno
  ? `Deno ${Deno.version.deno}`
  : Bun
    ? `Bun ${Bun.version}`
    : `Node ${process.versions.node}`;
const results = await runScenarios(lib, origin);
console.log(`results ${JSON.stringify({ version, results })}`);
