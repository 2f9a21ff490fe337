// The binder: every name in a rule file bound to what it denotes, kept in side
// tables the emitter (and hover, go-to-definition) read.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NamedNode } from '../../src/check/binder.js';
import { check } from '../../src/check/index.js';
import { compile, emitPlan } from '../../src/compile/index.js';
import { parse, type Expr, type RuleFile } from '../../src/lang/index.js';

const SOURCE = [
  'lead { id: string  state: state  bill: "low" | "high"  score: int 0..100  zip: zip  tags: list string }',
  'buyer A { accepts state in [CA, TX] and bill == low  price $10  overflow B }',
  'buyer B { price max($5, $2) }',
  'buyer Bidder { ping "http://x/p" bid price "p" post "http://x/q" }',
  'flow main {',
  '  when zip3(zip) == "941" route A',
  '  when random <= 50 and exists(score) route B',
  '  when contains(tags, "vip") flow other',
  '  otherwise auction { Bidder } floor bid.price rank by bid.price * buyer.acceptance',
  '}',
  'flow other { route B }',
].join('\n');

function checked(source: string, file = 't.route') {
  const { ast, diagnostics } = parse(source, file);
  expect(diagnostics).toEqual([]);
  return { ast, result: check(ast, { baseDir: 'rules', readFile: (p) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } } }) };
}

/** Every named node of a rule file: expression names, callees, and the buyers and flows actions name. */
function namedNodes(ast: RuleFile): NamedNode[] {
  const out: NamedNode[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, key: string): void => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    const o = v as Record<string, unknown>;
    if (o.kind === 'name' && typeof o.name === 'string') out.push(o as unknown as NamedNode);
    else if (['callee', 'buyer', 'flow', 'target', 'overflow', 'primary'].includes(key) && typeof o.name === 'string' && o.span) out.push(o as unknown as NamedNode);
    for (const [k, x] of Object.entries(o)) {
      if (k === 'span') continue;
      if (Array.isArray(x)) x.forEach((y) => walk(y, k === 'buyers' ? 'buyer' : k));
      else walk(x, k);
    }
  };
  walk(ast, '');
  return out;
}

const text = (n: NamedNode) => n.name;

describe('the binder', () => {
  it('binds every name of a rule file to a symbol of the expected kind', () => {
    const { ast, result } = checked(SOURCE);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const kinds = namedNodes(ast).map((n) => `${text(n)}:${result.bindings.symbolOf(n)?.kind}`);
    expect(kinds.sort()).toEqual(
      [
        'state:field', 'CA:state', 'TX:state', 'bill:field', 'low:enum', 'B:buyer', 'max:builtin',
        'zip3:builtin', 'zip:field', 'A:buyer', 'random:random', 'exists:builtin', 'score:field', 'B:buyer',
        'contains:builtin', 'tags:field', 'other:flow', 'Bidder:buyer', 'bid.price:scoped', 'bid.price:scoped',
        'buyer.acceptance:scoped', 'B:buyer',
      ].sort(),
    );
  });

  it('keeps the declarations themselves and the types the checker inferred', () => {
    const { ast, result } = checked(SOURCE);
    const b = result.bindings;
    const low = namedNodes(ast).find((n) => text(n) === 'low')!;
    expect(b.symbolOf(low)).toMatchObject({ kind: 'enum', value: 'low', field: { name: 'bill' } });
    const overflow = b.symbolOf(namedNodes(ast).find((n) => text(n) === 'B')!);
    expect(overflow?.kind === 'buyer' && overflow.decl).toBe(ast.buyers[1]);
    const when = ast.flows[0]!.rules[0]!;
    const cond = (when as { condition: Extract<Expr, { kind: 'compare' }> }).condition;
    expect(b.typeOf(cond)).toEqual({ kind: 'bool' });
    expect(b.typeOf(cond.left)).toEqual({ kind: 'string' });
    const zip = (cond.left as Extract<Expr, { kind: 'call' }>).args[0]!;
    expect(b.typeOf(zip)).toEqual({ kind: 'zip' });
  });

  it('answers hover by position: a field, a buyer, a flow and a builtin', () => {
    const { ast, result } = checked(SOURCE);
    const hover = (needle: string, nth = 0) => {
      let at = -1;
      for (let i = 0; i <= nth; i++) at = SOURCE.indexOf(needle, at + 1);
      return result.bindings.at(at + 1);
    };
    expect(hover('score)')?.symbol).toMatchObject({ kind: 'field', field: { name: 'score', type: { kind: 'int' } } });
    expect(hover('route A')).toBeUndefined(); // a keyword, not a name
    const a = result.bindings.at(SOURCE.indexOf('route A') + 'route '.length)!;
    expect(a.symbol.kind === 'buyer' && a.symbol.decl).toBe(ast.buyers[0]);
    const flow = result.bindings.at(SOURCE.indexOf('flow other') + 'flow '.length)!;
    expect(flow.symbol.kind === 'flow' && flow.symbol.decl).toBe(ast.flows[1]);
    const call = result.bindings.at(SOURCE.indexOf('max(') + 1)!;
    expect(call.symbol).toMatchObject({ kind: 'builtin', name: 'max', def: { params: ['number', 'number'] } });
    expect(result.bindings.at(SOURCE.indexOf('$10'))).toBeUndefined();
  });

  it('binds every name of every rules/*.route, none unresolved, and the emitter reads the bindings', () => {
    for (const f of readdirSync('rules').filter((x) => x.endsWith('.route'))) {
      const source = readFileSync(join('rules', f), 'utf8');
      const { ast, result } = checked(source, join('rules', f));
      for (const n of namedNodes(ast)) {
        const sym = result.bindings.symbolOf(n);
        expect(sym, `${f}: ${text(n)}`).toBeDefined();
        expect(sym!.kind, `${f}: ${text(n)}`).not.toBe('unresolved');
      }
    }
  });

  it('is what the emitter reads for names', () => {
    const plan = compile(SOURCE).plan!;
    expect(JSON.stringify(plan.flows[0]!.rules[0])).toContain('{"op":"call","fn":"zip3","args":[{"op":"field","name":"zip"}]}');
    // Rebind `zip` in the first rule: the emitter follows the binding, not the field list.
    const { ast, result } = checked(SOURCE);
    const zip = namedNodes(ast).find((n) => text(n) === 'zip')!;
    result.bindings.bind(zip, { kind: 'random' });
    const rebound = emitPlan({ ast, source: SOURCE, fields: result.fields, bindings: result.bindings });
    expect(JSON.stringify(rebound.flows[0]!.rules[0])).toContain('{"op":"call","fn":"zip3","args":[{"op":"random"}]}');
  });
});
