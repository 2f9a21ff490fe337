import { describe, expect, it } from 'vitest';
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
