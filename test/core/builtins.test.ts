import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES, builtin, type BuiltinName } from '../../src/core/builtins.js';
import { compileExpr } from '../../src/runtime/expr.js';
import { run } from '../check/helpers.js';

/** The builtin names grammar/REFERENCE.md lists in its table of built-in functions. */
function documentedBuiltins(): Set<string> {
  const text = readFileSync(new URL('../../grammar/REFERENCE.md', import.meta.url), 'utf8');
  const start = text.indexOf('Built-in functions');
  const end = text.indexOf('\n## ', start);
  const table = text.slice(start, end).split('\n').filter((l) => l.startsWith('| `'));
  const names = new Set<string>();
  for (const row of table) for (const m of (row.split('|')[1] ?? '').matchAll(/`([a-z_0-9]+)\(/g)) names.add(m[1]!);
  return names;
}

/** A well-typed argument (from the checker helpers' lead schema) for each parameter type. */
function sampleCall(name: BuiltinName): string {
  const def = builtin(name);
  if (def.zoneArgument) return `${name}("America/Chicago")`;
  if (def.fieldArgument) return `${name}(lead_score)`;
  const arg = (p: string): string =>
    ({ zip: 'zip', string: 'source', number: 'ratio', int: 'credit_score', time: 'created_at', any: 'tags' })[p] ??
    'source';
  if (name === 'contains') return 'contains(tags, "x")';
  return `${name}(${def.params.map(arg).join(', ')})`;
}

describe('the builtin registry', () => {
  it('gives every builtin a doc, a signature and an implementation', () => {
    expect(BUILTIN_NAMES.length).toBeGreaterThan(0);
    for (const name of BUILTIN_NAMES) {
      const def = builtin(name);
      expect(def.doc.length, name).toBeGreaterThan(10);
      expect(def.params.length, name).toBeGreaterThan(0);
      expect(typeof def.result, name).toBe('string');
      expect(typeof def.impl, name).toBe('function');
    }
  });

  it('matches the builtins grammar/REFERENCE.md lists, both ways', () => {
    expect([...documentedBuiltins()].sort()).toEqual([...BUILTIN_NAMES].sort());
  });

  it('has the checker and the runtime accept exactly the same builtins', () => {
    for (const name of [...BUILTIN_NAMES, 'nosuch']) {
      const call = name === 'nosuch' ? 'nosuch(source)' : sampleCall(name as BuiltinName);
      const checked = run(`flow f { when ${call} == ${call} route A }`);
      expect(checked.parseDiagnostics, call).toEqual([]);
      const checkerAccepts = !checked.diagnostics.some((d) => d.code === 'LR305');
      const args = name === 'nosuch' ? 1 : builtin(name as BuiltinName).params.length;
      const lit = builtin((name === 'nosuch' ? 'hour' : name) as BuiltinName).zoneArgument ? 'UTC' : 'x';
      let runtimeAccepts = true;
      try {
        compileExpr({ op: 'call', fn: name, args: Array.from({ length: args }, () => ({ op: 'lit', value: lit })) });
      } catch {
        runtimeAccepts = false;
      }
      expect({ name, checkerAccepts }).toEqual({ name, checkerAccepts: runtimeAccepts });
      expect(checkerAccepts).toBe(name !== 'nosuch');
    }
  });

  it('runs each implementation as the runtime does', () => {
    const ctx = { lead: { s: 'AbC', n: -2.5, t: 1_000, tags: ['a'] }, random: 1, now: 61_000 };
    const value = (fn: BuiltinName, ...args: string[]) =>
      compileExpr({ op: 'call', fn, args: args.map((name) => ({ op: 'field', name })) })(ctx);
    expect(value('lower', 's')).toBe('abc');
    expect(value('abs', 'n')).toBe(2.5);
    expect(value('age', 't')).toBe(60_000);
    expect(value('contains', 'tags', 's')).toBe(false);
    expect(value('exists', 'missing')).toBe(false);
    expect(builtin('len').impl([['a', 'b']], ctx, {} as never)).toBe(2);
  });
});
