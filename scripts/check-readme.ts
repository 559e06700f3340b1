// Every ```ts block of README.md must type-check against the sources, so the README cannot drift from the API.
// - A block preceded by `<!-- file: PATH -->` must be exactly that file (which the project type-checks and tests).
// - Any other block is written to .readme-check/ as a module of its own (top-level await allowed) and compiled
//   with tsconfig.json, whose `paths` map `resilient-fetch` and `resilient-fetch/ky` to src/. prelude.d.ts
//   declares the few free names blocks may use.
// Errors are reported as README.md:LINE.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, '.readme-check');
const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n');

const PRELUDE = `// Free names README blocks may use without declaring them.
declare const url: string;
`;

interface Block {
  line: number; // README line of the first code line (1-based)
  code: string;
  file: string | undefined;
}

const blocks: Block[] = [];
for (let i = 0; i < readme.length; i++) {
  if (readme[i]!.trim() !== '```ts') continue;
  const end = readme.indexOf('```', i + 1);
  if (end === -1) throw new Error(`README.md:${i + 1}: unclosed code block`);
  let before = i - 1;
  while (before >= 0 && readme[before]!.trim() === '') before--;
  const file = /^<!-- file: (\S+) -->$/.exec(readme[before]?.trim() ?? '')?.[1];
  blocks.push({ line: i + 2, code: readme.slice(i + 1, end).join('\n'), file });
  i = end;
}

const failures: string[] = [];

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'prelude.d.ts'), PRELUDE);
const written = new Map<string, Block>();
for (const block of blocks) {
  if (block.file) {
    const actual = readFileSync(join(root, block.file), 'utf8').trimEnd();
    if (actual !== block.code.trimEnd()) {
      failures.push(`README.md:${block.line}: this block must be exactly ${block.file}`);
    }
    continue;
  }
  const path = join(outDir, `block-${block.line}.ts`);
  // `export {}` makes every block a module: its own scope, and top-level await.
  writeFileSync(path, `${block.code}\nexport {};\n`);
  written.set(path, block);
}

const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
const program = ts.createProgram([join(outDir, 'prelude.d.ts'), ...written.keys()], {
  ...parsed.options,
  noEmit: true,
});
for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  const block = diagnostic.file && written.get(resolve(diagnostic.file.fileName));
  if (block && diagnostic.start !== undefined) {
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    failures.push(`README.md:${block.line + line}: TS${diagnostic.code} ${message}`);
  } else {
    failures.push(`${diagnostic.file?.fileName ?? ''} TS${diagnostic.code} ${message}`);
  }
}

if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`README: ${blocks.length} ts blocks type-check`);
