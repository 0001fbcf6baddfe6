import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.ts';

/**
 * No function in agent/src runs over MAX_LINES lines (a closure used as a module hides its helpers from an outline and
 * from tests). Every function counts on its own, nested ones included, from its first line to its last. Data tables are
 * not functions, so they are not measured.
 */
const MAX_LINES = 80;

const SRC = join(projectRoot, 'agent', 'src');

interface LongFunction {
  name: string;
  at: string;
  lines: number;
}

/** The functions of one source text longer than `max` lines. */
function longFunctions(file: string, text: string, max: number): LongFunction[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > max) found.push({ name: nameOf(node, sf), at: `${file}:${first + 1}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const own = (node as { name?: ts.Node }).name;
  if (own) return own.getText(sf);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))) return parent.name.getText(sf);
  return '(anonymous)';
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('function length', () => {
  it(`no function in agent/src is over ${MAX_LINES} lines`, () => {
    const measured = sources(SRC);
    expect(measured.length).toBeGreaterThan(100);
    const long = measured.flatMap((f) => longFunctions(relative(projectRoot, f), readFileSync(f, 'utf8'), MAX_LINES));
    expect(long.map((l) => `${l.name} (${l.at}): ${l.lines} lines`)).toEqual([]);
  });

  it('measures every kind of function, nested ones on their own, by its first and last line', () => {
    const body = (n: number) => Array.from({ length: n - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      `export function long() {\n${body(81)}\n}`,
      `export function fits() {\n${body(80)}\n}`,
      `export const arrow = () => {\n${body(81)}\n};`,
      `class C {\n  method() {\n${body(81)}\n  }\n}`,
      `export function outer() {\n  const inner = function () {\n${body(81)}\n  };\n  return inner;\n}`,
    ].join('\n');
    expect(longFunctions('x.ts', text, MAX_LINES).map((l) => [l.name, l.lines])).toEqual([
      ['long', 81],
      ['arrow', 81],
      ['method', 81],
      ['outer', 84],
      ['inner', 81],
    ]);
  });
});
