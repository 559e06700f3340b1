// Entry for a browser page served by test/runtimes/server.ts: the scenarios run against the page's own origin;
// the results land in `globalThis.results` once every call has settled.

import * as lib from '../../dist/index.js';
import { runScenarios } from './scenarios.js';

globalThis.results = await runScenarios(lib, location.origin);
