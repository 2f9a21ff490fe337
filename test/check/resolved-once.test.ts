// The checker's passes read what a buyer or flow reference denotes from the
// binding made once before them (src/check/binder.ts), not from their own lookup.

import { describe, expect, it } from 'vitest';
import { checkBuyerRef } from '../../src/check/buyers.js';
import { CheckContext } from '../../src/check/context.js';
import { checkFlowRef } from '../../src/check/models.js';
import type { BuyerDecl, FlowDecl, Ident, RuleFile, Span } from '../../src/lang/ast.js';
import { parse } from '../../src/lang/index.js';
import { check } from '../../src/check/index.js';
import { ExprChecker } from '../../src/check/exprs.js';
import type { Expr } from '../../src/lang/ast.js';

const span: Span = { file: 't.route', line: 1, col: 1, endLine: 1, endCol: 2, start: 0, end: 1 };
const ident = (name: string): Ident => ({ name, span }) as Ident;
const emptyFile = { file: 't.route', buyers: [], flows: [], span } as unknown as RuleFile;

describe('names resolved once', () => {
  it('a buyer reference is known when its binding says so, whatever the declared-name set holds', () => {
    const ctx = new CheckContext(emptyFile);
    const ref = ident('Acme');
    ctx.bindings.bind(ref, { kind: 'buyer', decl: {} as BuyerDecl });
    expect(checkBuyerRef(ctx, ref)).toBe(true);
    expect(ctx.diagnostics).toEqual([]);
  });

  it('a reference bound as unresolved is reported even if a set of names would have found it', () => {
    const ctx = new CheckContext(emptyFile);
    ctx.buyers.add('Acme');
    ctx.flows.add('main');
    const buyer = ident('Acme');
    const flow = ident('main');
    ctx.bindings.bind(buyer, { kind: 'unresolved', name: 'Acme' });
    ctx.bindings.bind(flow, { kind: 'flow', decl: {} as FlowDecl });
    expect(checkBuyerRef(ctx, buyer)).toBe(false);
    checkFlowRef(ctx, flow);
    expect(ctx.diagnostics.map((d) => d.code)).toEqual(['LR201']);
  });

  it('check() binds before its passes: the result carries every reference the passes judged', () => {
    const { ast } = parse('lead { id: string }\nbuyer A { price $1 }\nflow main { when id == "x" route A\n otherwise route Nope }', 't.route');
    const result = check(ast, { readFile: () => undefined });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['LR201']);
    const kinds = result.bindings.all().map((b) => `${b.node.name}:${b.symbol.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['A:buyer', 'Nope:unresolved', 'id:field']));
  });

  it("an expression's bare name is a field when its binding says so, and unknown when bound unresolved", () => {
    const ctx = new CheckContext(emptyFile);
    ctx.fields.set('score', { name: 'score', type: { kind: 'int' }, optional: false } as never);
    const exprs = new ExprChecker(ctx, ctx.bindings);
    const known: Expr = { kind: 'name', name: 'score', span } as Expr;
    const unbound: Expr = { kind: 'name', name: 'score', span } as Expr;
    ctx.bindings.bind(unbound as never, { kind: 'unresolved', name: 'score' });
    expect(exprs.infer(known).kind).toBe('int');
    expect(ctx.diagnostics).toEqual([]);
    expect(exprs.infer(unbound).kind).toBe('unknown');
    expect(ctx.diagnostics.map((d) => d.code)).toEqual(['LR200']);
  });
});
