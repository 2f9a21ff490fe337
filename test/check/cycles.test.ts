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
