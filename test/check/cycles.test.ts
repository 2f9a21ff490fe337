import { describe, expect, it } from 'vitest';
import { CheckContext } from '../../src/check/context.js';
import { checkClosedCycles, checkOverflowCycles } from '../../src/check/cycles.js';
import type { BuyerClause, BuyerDecl, FlowDecl, Ident, RuleFile, Span } from '../../src/lang/ast.js';
import { expectDiagnostics, only } from './helpers.js';

const bare = { prelude: false };
const LEAD = 'lead { a: int }';

describe('overflow cycles (LR404)', () => {
  it('two buyers, reported once with the path, at the first buyer\'s overflow', () => {
    const d = only(`${LEAD} buyer Premium { overflow Standard } buyer Standard { overflow Premium } flow f { route Premium }`, bare);
    expect(d).toMatchObject({ code: 'LR404', span: { line: 1, col: 42 } });
    expect(d.message).toBe('overflow cycle: Premium → Standard → Premium');
  });
  it('a buyer overflowing to itself', () => {
    expect(only(`${LEAD} buyer A { overflow A } flow f { route A }`, bare).message).toBe('buyer `A` overflows to itself');
  });
  it('a cycle entered from outside is reported once, from its own first member', () => {
    const d = only(
      `${LEAD} buyer A { overflow B } buyer B { overflow C } buyer C { overflow B } flow f { route A }`,
      bare,
    );
    expect(d.message).toBe('overflow cycle: B → C → B');
  });
  it('a chain without a cycle is fine', () => {
    expectDiagnostics(`${LEAD} buyer A { overflow B } buyer B { overflow C } buyer C {} flow f { route A }`, [], bare);
  });
  it('a rule whose overflow chain returns to its buyer', () => {
    const d = only(`${LEAD} buyer A {} buyer B { overflow C } buyer C { overflow A } flow f { route A overflow B }`, bare);
    expect(d).toMatchObject({ code: 'LR404', span: { col: 100 } });
    expect(d.message).toContain('A → B → C → A');
  });
  it('a rule overflow chain that does not return is fine', () => {
    expectDiagnostics(`${LEAD} buyer A {} buyer B { overflow C } buyer C {} flow f { route A overflow B }`, [], bare);
  });
});

describe('flow cycles (LR405)', () => {
  it('three flows', () => {
    const d = only(`${LEAD} buyer A {} flow f { flow g } flow g { flow h } flow h { flow f }`, bare);
    expect(d).toMatchObject({ code: 'LR405', span: { col: 78 } });
    expect(d.message).toBe('flow cycle: f → g → h → f');
  });
  it('a flow through itself', () => {
    expect(only(`${LEAD} buyer A {} flow f { when a > 1 flow f\n route A }`, bare).message).toBe(
      'flow `f` routes through itself',
    );
  });
  it('sub-flows without a cycle are fine', () => {
    expectDiagnostics(`${LEAD} buyer A {} flow f { flow g\n flow h } flow g { flow h } flow h { route A }`, [], bare);
  });
  it('two separate cycles are two reports', () => {
    expectDiagnostics(
      `${LEAD} buyer A {} flow f { flow g } flow g { flow f }\nflow h { flow i } flow i { flow h }`,
      ['LR405@1:60', 'LR405@2:33'],
      bare,
    );
  });
});

describe('fallback and specialization cycles (LR405)', () => {
  it('a fallback chain that leads back', () => {
    const d = only(`${LEAD} buyer A {} flow f { fallback g -> h } flow g { route A } flow h { fallback f -> g }`, bare);
    expect(d).toMatchObject({ code: 'LR405', span: { col: 92 } });
    expect(d.message).toBe('flow cycle: f → h → f');
  });
  it('a flow that falls back to itself', () => {
    expect(only(`${LEAD} buyer A {} flow f { fallback g -> f } flow g { route A }`, bare).message).toBe('flow `f` routes through itself');
  });
  it('a specialization that falls back to its own flow', () => {
    const d = only(`${LEAD} buyer A {} flow f { specialize { A premium 5% } else flow f }`, bare);
    expect(d).toMatchObject({ code: 'LR405', span: { col: 75 } });
  });
});

describe('closed-hours cycles (LR404)', () => {
  const hours = 'hours daily 09:00-17:00 "UTC"';
  it('a buyer that sends to itself', () => {
    const d = only(`${LEAD} buyer A { ${hours} when closed send A } flow f { route A }`, bare);
    expect(d).toMatchObject({ code: 'LR404', span: { col: 74 } });
    expect(d.message).toBe('buyer `A` sends the leads it gets while closed to itself');
  });
  it('sends and overflows that return', () => {
    const d = only(`${LEAD} buyer A { ${hours} when closed send B } buyer B { overflow C } buyer C { overflow A } flow f { route A }`, bare);
    expect(d.message).toBe(
      'cycle: `A` sends to `B` when closed, `B` overflows to `C`, `C` overflows to `A`, so a lead no buyer in it can take would go round forever',
    );
  });
  it('a chain that ends is fine', () => {
    expectDiagnostics(`${LEAD} buyer A { ${hours} when closed send B } buyer B { ${hours} when closed hold } flow f { route A }`, [], bare);
  });
});

describe('cycle detection on 100,000 buyers (one long overflow chain)', () => {
  // Built as an AST: what is measured here is cycle detection, not parsing.
  const N = 100_000;
  const span = (col: number): Span => ({ file: 't.route', line: 1, col, endLine: 1, endCol: col + 1, start: col - 1, end: col });
  const ident = (name: string, col: number): Ident => ({ name, span: span(col) });
  function chain(opts: { closeAt?: number; sendFromLast?: boolean } = {}): { ctx: CheckContext; buyers: BuyerDecl[] } {
    const buyers: BuyerDecl[] = [];
    for (let i = 0; i < N; i++) {
      const clauses: BuyerClause[] = [];
      const next = i + 1 < N ? i + 1 : opts.closeAt;
      if (next !== undefined) clauses.push({ kind: 'overflow', target: ident(`B${next}`, i + 2), span: span(i + 2) });
      if (i === N - 1 && opts.sendFromLast) {
        clauses.push({ kind: 'hours', hours: { days: [1], from: 540, to: 1020, zone: 'UTC' } as never, span: span(i + 2) });
        clauses.push({ kind: 'closed', action: 'send', target: ident('B0', i + 3), span: span(i + 3) });
      }
      buyers.push({ name: ident(`B${i}`, i + 1), clauses, span: span(i + 1) });
    }
    const file: RuleFile = { file: 't.route', buyers, flows: [], alerts: [], span: span(1) };
    const ctx = new CheckContext(file);
    for (const b of buyers) {
      ctx.buyers.add(b.name.name);
      ctx.buyerDecls.set(b.name.name, b);
    }
    return { ctx, buyers };
  }
  const route = (from: string, to: string): FlowDecl => ({
    name: ident('f', 1),
    rules: [{ kind: 'always', action: { kind: 'route', buyer: ident(from, 1), caps: [], overflow: ident(to, 2), span: span(1) }, span: span(1) }],
    span: span(1),
  });

  it('a chain without a cycle: nothing to report', () => {
    const { ctx, buyers } = chain();
    checkOverflowCycles(ctx, buyers, [route('B0', 'B1')]);
    checkClosedCycles(ctx, buyers);
    expect(ctx.diagnostics).toEqual([]);
  });
  it('the chain closed into one cycle is reported once, from its first buyer', () => {
    const { ctx, buyers } = chain({ closeAt: 0 });
    checkOverflowCycles(ctx, buyers, []);
    expect(ctx.diagnostics).toHaveLength(1);
    const d = ctx.diagnostics[0]!;
    expect(d.code).toBe('LR404');
    expect(d.span.col).toBe(2); // B0's overflow
    expect(d.message.startsWith('overflow cycle: B0 → B1 → B2 → ')).toBe(true);
    expect(d.message.endsWith(` → B${N - 1} → B0`)).toBe(true);
    expect(d.message.split(' → ')).toHaveLength(N + 1);
  });
  it('a cycle at the end of the chain, entered from 99,990 buyers before it', () => {
    const { ctx, buyers } = chain({ closeAt: N - 10 });
    checkOverflowCycles(ctx, buyers, []);
    expect(ctx.diagnostics.map((d) => d.message)).toEqual([
      `overflow cycle: ${Array.from({ length: 10 }, (_, k) => `B${N - 10 + k}`).join(' → ')} → B${N - 10}`,
    ]);
  });
  it("a rule overflowing to the chain's head returns to its buyer at the tail", () => {
    const { ctx, buyers } = chain();
    checkOverflowCycles(ctx, buyers, [route(`B${N - 1}`, 'B0')]);
    expect(ctx.diagnostics).toHaveLength(1);
    expect(ctx.diagnostics[0]!.message.startsWith(`overflow cycle: B${N - 1} → B0 → B1 → `)).toBe(true);
    expect(ctx.diagnostics[0]!.message).toContain(`→ B${N - 2} → B${N - 1} (this rule overflows`);
  });
  it('a closed-hours send from the tail back to the head closes the chain', () => {
    const { ctx, buyers } = chain({ sendFromLast: true });
    checkOverflowCycles(ctx, buyers, []);
    checkClosedCycles(ctx, buyers);
    expect(ctx.diagnostics).toHaveLength(1);
    expect(ctx.diagnostics[0]!.message.startsWith(`cycle: \`B${N - 1}\` sends to \`B0\` when closed, \`B0\` overflows to \`B1\``)).toBe(true);
  });
});
