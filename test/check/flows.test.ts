import { describe, expect, it } from 'vitest';
import { expectDiagnostics, only } from './helpers.js';

const bare = { prelude: false };
const LEAD = 'lead { a: int } buyer A {} buyer B {}';

describe('flow declarations', () => {
  it('no flow (LR206) at the start of the file', () => {
    const d = only('lead { a: int } buyer A {}', bare);
    expect(d).toMatchObject({ code: 'LR206', span: { line: 1, col: 1 } });
  });
  it('a duplicate flow (LR204)', () => {
    expectDiagnostics(`${LEAD} flow f { route A } flow f { route B }`, ['LR204@1:63'], bare);
  });
  it('an unknown flow (LR202) with a suggestion', () => {
    const d = only(`${LEAD} flow main { flow prme } flow prime { route A }`, bare);
    expect(d).toMatchObject({ code: 'LR202', span: { col: 56 } });
    expect(d.suggestion).toBe('did you mean `prime`?');
  });
});

describe('actions', () => {
  it('unknown buyers (LR201) in route, overflow, split, waterfall and share', () => {
    expectDiagnostics(
      `${LEAD} flow f { when a == 1 route Z overflow Y\n when a == 2 split { Q 50%, A 50% }\n when a == 3 waterfall { A; W }\n when a == 4 share max 2 { V, B } }`,
      ['LR201@1:66', 'LR201@1:77', 'LR201@2:22', 'LR201@3:29', 'LR201@4:28'],
      bare,
    );
  });
  it('split weights must sum to 100% (LR400), saying what they sum to', () => {
    const d = only(`${LEAD} flow f { split { A 50%, B 40% } }`, bare);
    expect(d).toMatchObject({ code: 'LR400', span: { col: 48 } });
    expect(d.message).toBe('split weights sum to 90%, not 100%');
    expect(d.suggestion).toBe('add 10% to the entries');
  });
  it('fractional weights that sum to 100% are fine', () => {
    expectDiagnostics(`${LEAD} buyer C {} flow f { split { A 33.3%, B 33.3%, C 33.4% } }`, [], bare);
  });
  it('a buyer twice in a split, waterfall or share (LR406)', () => {
    expectDiagnostics(`${LEAD} flow f { split { A 50%, B 40%, A 10% } }`, ['LR406@1:70'], bare);
    expectDiagnostics(`${LEAD} flow f { waterfall { A when a > 1; B; A } }`, ['LR406@1:77'], bare);
    expectDiagnostics(`${LEAD} flow f { share max 2 { A, B, A $3 } }`, ['LR406@1:68'], bare);
  });
  it('waterfall tier conditions are checked', () => {
    expectDiagnostics(`${LEAD} flow f { waterfall { A when a; B } }`, ['LR304@1:67'], bare);
    expectDiagnostics(`${LEAD} flow f { waterfall { A when b > 1; B } }`, ['LR200@1:67'], bare);
  });
  it('share max below 1 (LR408)', () => {
    const d = only(`${LEAD} flow f { share max 0 { A, B $5 } }`, bare);
    expect(d).toMatchObject({ code: 'LR408', span: { col: 48 } });
  });
  it('a rule overflowing to its own buyer (LR409, a warning)', () => {
    const d = only(`${LEAD} flow f { route A overflow A }`, bare);
    expect(d).toMatchObject({ code: 'LR409', severity: 'warning', span: { col: 65 } });
  });
});

describe('otherwise (LR407)', () => {
  it('must be last, reported at the keyword; what follows is unreachable', () => {
    expectDiagnostics(`${LEAD} flow f { otherwise route A\n route B }`, ['LR407@1:48', 'LR403@2:2'], bare);
  });
  it('last is fine', () => {
    expectDiagnostics(`${LEAD} flow f { when a > 1 route A\n otherwise route B }`, [], bare);
  });
});
