import { describe, expect, it } from 'vitest';
import { codes, expectDiagnostics, only, run } from './helpers.js';

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

describe('routing-model clauses', () => {
  it('`prefers` needs a condition and a weight above zero (LR304, LR311)', () => {
    expectDiagnostics('buyer X { prefers credit_score weight 10 prefers homeowner weight 0 } flow f { route X }', ['LR304@1:19', 'LR311@1:67']);
  });
  it('`relationship` is from 0 to 1 (LR311), once (LR209)', () => {
    const r = codes('buyer X { relationship 80 relationship 0.5 } flow f { route X }');
    expect(r).toEqual(['LR311@1:24', 'LR209@1:27']);
    expect(only('buyer X { relationship 80 } flow f { route X }').suggestion).toBe('for 80%, write `relationship 0.8`');
  });
  it('unknown holiday calendars (LR502), with a suggestion', () => {
    expectDiagnostics('buyer X { holidays "US", "US-CA", "DE-BY", "US-CX", "us" } flow f { route X }', ['LR502@1:44', 'LR502@1:53']);
    expect(only('buyer X { holidays "US-CX" } flow f { route X }').suggestion).toBe('did you mean `"US-CA"`?');
    expect(only('buyer X { holidays "us" } flow f { route X }').suggestion).toBe('did you mean `"US"`?');
  });
  it('`when closed send` names a known buyer (LR201); without hours it never applies (LR503)', () => {
    expectDiagnostics('buyer X { hours daily 09:00-17:00 "UTC" when closed send Y } flow f { route X }', ['LR201@1:58']);
    expectDiagnostics('buyer X { when closed hold } flow f { route X }', ['LR503@1:11']);
    expectDiagnostics('buyer X { holidays "US" when closed skip } flow f { route X }', []);
  });
  it('`dedupe` fields exist, once each (LR200, LR214), with a window above zero (LR311)', () => {
    expectDiagnostics('buyer X { dedupe emial, email, email within 0d } flow f { route X }', ['LR200@1:18', 'LR214@1:32', 'LR311@1:45']);
    expectDiagnostics('buyer X { dedupe email, phone within 30d } flow f { route X }', []);
  });
  it('`requires` fields exist (LR200) and should be optional (LR213)', () => {
    const r = run('buyer X { requires lead_score, id, nope } flow f { route X }');
    expect(r.diagnostics.map((d) => `${d.code}@${d.span.col} ${d.severity}`)).toEqual(['LR213@32 warning', 'LR200@36 error']);
  });
  it('delivery settings: batch size and format, breaker count and cooldown (LR601, LR212, LR311)', () => {
    expectDiagnostics('buyer X { batch 0 or 0s xlsx to "file:b.csv" } flow f { route X }', ['LR601@1:11', 'LR311@1:22', 'LR212@1:25']);
    expect(only('buyer X { batch 100 jsn to "file:b.json" } flow f { route X }').suggestion).toBe('did you mean `json`?');
    expectDiagnostics('buyer X { breaker 0 cooldown 0s } flow f { route X }', ['LR601@1:11', 'LR311@1:30']);
    expectDiagnostics('buyer X { delay 5m batch 100 or 1h csv to "file:out/b.csv" breaker 5 cooldown 30s } flow f { route X }', []);
  });
  it('clauses that may appear once (LR209): ping, bid, post, backup post, delay, batch, breaker, dedupe, when closed', () => {
    expectDiagnostics(
      'buyer X { delay 1m delay 2m breaker 1 cooldown 1s breaker 2 cooldown 1s hours daily 09:00-17:00 "UTC" when closed hold when closed skip } flow f { route X }',
      ['LR209@1:20', 'LR209@1:51', 'LR209@1:120'],
    );
    expectDiagnostics(
      'buyer X { ping "http://a/p" ping "http://a/q" bid price "p" bid price "q" post "http://a/x" post "http://a/y" backup post "http://b/x" backup post "http://b/y" } flow f { route X }',
      // LR711: the buyer's posts have no accept rule (a warning of its own, at its first post).
      ['LR209@1:29', 'LR209@1:61', 'LR711@1:75', 'LR209@1:93', 'LR209@1:136'],
    );
  });
});
