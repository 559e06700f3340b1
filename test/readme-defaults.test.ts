// The README's option tables (each under `<!-- options: InterfaceName -->`) must list every option of that
// interface with the default its JSDoc `@default` gives, so the two cannot drift apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8').split('\n');

/** `{ InterfaceName: { option: defaultCell } }` from the README. */
function readmeTables(): Map<string, Map<string, string>> {
  const tables = new Map<string, Map<string, string>>();
  for (let i = 0; i < readme.length; i++) {
    const name = /^<!-- options: (\w+) -->$/.exec(readme[i]!.trim())?.[1];
    if (!name) continue;
    const rows = new Map<string, string>();
    let j = i + 1;
    while (j < readme.length && !readme[j]!.startsWith('|')) j++;
    for (; j < readme.length && readme[j]!.startsWith('|'); j++) {
      const cells = readme[j]!.split(/(?<!\\)\|/).map((cell) => cell.trim());
      const option = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
      if (option) rows.set(option, cells[2]!);
    }
    tables.set(name, rows);
  }
  return tables;
}

const program = ts.createProgram([`${root}src/index.ts`], { strict: true, noEmit: true });
const checker = program.getTypeChecker();
const exported = new Map<string, ts.Symbol>();
const entry = checker.getSymbolAtLocation(program.getSourceFile(`${root}src/index.ts`)!)!;
for (const symbol of checker.getExportsOfModule(entry)) exported.set(symbol.name, symbol);

/** Every option of an exported interface, inherited ones included, with its `@default` text and whether it is its own. */
function jsdocDefaults(name: string): Map<string, { value: string | undefined; own: boolean }> {
  const symbol = exported.get(name);
  if (!symbol) throw new Error(`${name} is not exported from src/index.ts`);
  const declared = checker.getDeclaredTypeOfSymbol(
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol,
  );
  const ownNames = new Set(
    (declared.symbol.declarations ?? []).flatMap((d) =>
      ts.isInterfaceDeclaration(d) ? d.members.map((m) => m.name?.getText()) : [],
    ),
  );
  const options = new Map<string, { value: string | undefined; own: boolean }>();
  for (const property of checker.getPropertiesOfType(declared)) {
    const declaration = property.declarations?.[0];
    const tag = declaration && ts.getJSDocTags(declaration).find((t) => t.tagName.text === 'default');
    const value = tag ? ts.getTextOfJSDocComment(tag.comment)?.trim() : undefined;
    options.set(property.name, {
      value: value === 'none' ? undefined : value,
      own: ownNames.has(property.name),
    });
  }
  return options;
}

const tokens = (text: string) => (text.replaceAll('_', '').match(/[\w.]+/g) ?? []).join(' ');
/** A literal default (number, string, array, object, or a bare name) and the prose after it, if any. */
const LITERAL = /^('[^']*'|"[^"]*"|-?[\d_.]+|\{[^}]*\}|\[[^\]]*\])(?:\s|$)|^(\w+)$/;

const tables = readmeTables();

describe('README option tables match the JSDoc @default tags', () => {
  it('has the tables', () => {
    expect([...tables.keys()].length).toBeGreaterThanOrEqual(8);
  });

  for (const [name, rows] of tables) {
    it(name, () => {
      const options = jsdocDefaults(name);
      const own = [...options].filter(([, o]) => o.own).map(([option]) => option);
      expect([...rows.keys()].sort(), 'every option of the interface is listed').toEqual(
        expect.arrayContaining(own.sort()),
      );
      for (const [option, cell] of rows) {
        const jsdoc = options.get(option);
        expect(jsdoc, `${name}.${option} exists`).toBeDefined();
        const value = jsdoc!.value;
        if (value === undefined) {
          expect(cell, `${name}.${option} has no @default`).toMatch(/^none\b/);
          continue;
        }
        expect(cell, `${name}.${option} has @default ${value}`).not.toMatch(/^none\b/);
        const literal = LITERAL.exec(value);
        if (literal) {
          expect(tokens(cell), `${name}.${option}`).toBe(tokens(literal[1] ?? literal[2]!));
        } else {
          expect(tokens(cell).split(' '), `${name}.${option}: ${value}`).toContain(
            tokens(value).split(' ')[0],
          );
        }
      }
    });
  }
});
