import { describe, expect, it } from 'vitest';
import { expectDiagnostics, only } from './helpers.js';

const bare = { prelude: false };
const LEAD = 'lead { a: int }';

describe('buyer declarations', () => {
  it('a duplicate buyer (LR203) at its name', () => {
    const d = only(`${LEAD} buyer A { price $1 } buyer A { price $2 } flow f { route A }`, bare);
    expect(d).toMatchObject({ code: 'LR203', span: { line: 1, col: 44, endCol: 45 } });
    expect(d.message).toBe('buyer `A` is already declared at line 1');
  });
  it('an unknown overflow target (LR201) with a suggestion', () => {
    const d = only(`${LEAD} buyer Premium { overflow Standrd } buyer Standard {} flow f { route Premium }`, bare);
    expect(d).toMatchObject({ code: 'LR201', span: { col: 42 } });
    expect(d.suggestion).toBe('did you mean `Standard`?');
  });
});

describe('clauses that may appear once (LR209)', () => {
  it('reports the second accepts, price and overflow at its keyword; caps and hours may repeat', () => {
    expectDiagnostics(
      `${LEAD} buyer A { price $1 price $2 accepts a > 1 accepts a > 2 cap 5/h cap 6/day overflow B overflow B } buyer B {} flow f { route A }`,
      ['LR209@1:36', 'LR209@1:59', 'LR209@1:102'],
      bare,
    );
  });
  it('hours may repeat', () => {
    expectDiagnostics(
      `${LEAD} buyer A { hours Mon-Fri 09:00-17:00 "UTC" hours Sat 10:00-14:00 "UTC" } flow f { route A }`,
      [],
      bare,
    );
  });
});

describe('caps (LR600)', () => {
  it('zero, and a fractional lead count', () => {
    expectDiagnostics(`${LEAD} buyer A { cap 0/h, 1.5/h, $2.5/day } flow f { route A }`, ['LR600@1:31', 'LR600@1:36'], bare);
  });
  it('in a rule', () => {
    expectDiagnostics(`${LEAD} buyer A {} flow f { route A cap 0/day }`, ['LR600@1:49'], bare);
  });
  it('suggests a whole number', () => {
    expect(only(`${LEAD} buyer A { cap 2.5/day } flow f { route A }`, bare).suggestion).toBe('write `2/day`');
  });
});

describe('hours', () => {
  it('an unknown zone (LR500) with the closest IANA name', () => {
    const d = only(`${LEAD} buyer A { hours Mon-Fri 09:00-17:00 "America/New_Yrok" } flow f { route A }`, bare);
    expect(d).toMatchObject({ code: 'LR500', span: { col: 53, endCol: 71 } });
    expect(d.suggestion).toBe('did you mean `"America/New_York"`?');
  });
  it('closing before opening, or at the same time (LR501)', () => {
    expectDiagnostics(
      `${LEAD} buyer A { hours Mon-Fri 17:00-09:00 "UTC" hours Sat 10:00-10:00 "Europe/London" } flow f { route A }`,
      ['LR501@1:33', 'LR501@1:65'],
      bare,
    );
  });
  it('explains overnight hours', () => {
    expect(only(`${LEAD} buyer A { hours daily 22:00-06:00 "UTC" } flow f { route A }`, bare).suggestion).toContain(
      '`22:00-24:00` and `00:00-06:00`',
    );
  });
  it('accepts 24:00 as a closing time', () => {
    expectDiagnostics(`${LEAD} buyer A { hours weekends 00:00-24:00 "Asia/Tokyo" } flow f { route A }`, [], bare);
  });
});

describe('accepts and price', () => {
  it('accepts must be a condition', () => {
    expectDiagnostics(`${LEAD} buyer A { accepts a } flow f { route A }`, ['LR304@1:35'], bare);
  });
  it('price must be an amount', () => {
    expectDiagnostics(`${LEAD} buyer A { price a > 1 } flow f { route A }`, ['LR300@1:33'], bare);
  });
});
