import { describe, expect, it } from 'vitest';
import { arithResult } from '../../src/check/exprs.js';
import { expectDiagnostics, only } from './helpers.js';

// Each case is one line of source (the lead schema and buyers A, B, C follow
// from line 2, see helpers.ts) and the diagnostics it must produce.

describe('names', () => {
  it('resolves fields and `random`', () => {
    expectDiagnostics('flow f { when credit_score > 700 and random <= 50 route A\n otherwise route B }', []);
  });
  it('reports an unknown field with a suggestion', () => {
    const d = only('flow f { when credit_scor > 5 route A }');
    expect(d.code).toBe('LR200');
    expect(d.span).toMatchObject({ line: 1, col: 15, endCol: 26 });
    expect(d.message).toBe('unknown field `credit_scor`');
    expect(d.suggestion).toBe('did you mean `credit_score`?');
  });
  it('reads bare names in a list compared with a state field as state codes', () => {
    expectDiagnostics('flow f { when state in [CA, TX] route A }', []);
  });
  it('reads a bare name compared with a state field as a state code', () => {
    expectDiagnostics('flow f { when state == CA route A }', []);
  });
  it('reports a bare name that is no state code (LR302)', () => {
    expectDiagnostics('flow f { when state == XX route A }', ['LR302@1:24']);
  });
  it('suggests the upper-case code', () => {
    expect(only('flow f { when state == ca route A }').suggestion).toBe('state codes are upper case: `CA`');
  });
  it('suggests the code for a full state name', () => {
    expect(only('flow f { when state in [TX, California] route A }').suggestion).toBe(
      'the code for California is `CA`',
    );
  });
  it('reports a string that is no state code', () => {
    expectDiagnostics('flow f { when state == "Texas" route A }', ['LR302@1:24']);
  });
  it('checks a symbol against a list of states', () => {
    expectDiagnostics('flow f { when CA in states and contains(states, TX) route A }', []);
    expectDiagnostics('flow f { when contains(states, TQ) route A }', ['LR302@1:32']);
  });
  it('reports a bare name compared with a plain string field, suggesting quotes', () => {
    const d = only('flow f { when source == google route A }');
    expect(d.code).toBe('LR200');
    expect(d.suggestion).toContain('`"google"`');
  });
  it('prefers "unknown field" when a bad symbol is close to a field name', () => {
    expectDiagnostics('flow f { when state == stat route A }', ['LR200@1:24']);
  });
  it('says a function name used as a field is a function', () => {
    expect(only('flow f { when len > 3 route A }').message).toBe('`len` is a function, not a lead field');
  });
});

describe('enums', () => {
  it('reports a string outside the enum with the closest value', () => {
    const d = only('flow f { when bill == "400+" route A }');
    expect(d.code).toBe('LR301');
    expect(d.span).toMatchObject({ col: 23, endCol: 29 });
    expect(d.suggestion).toBe('did you mean `"300+"`?');
  });
  it('reports values outside the enum in a list', () => {
    expectDiagnostics('flow f { when bill in ["0-100", foo] route A }', ['LR301@1:33']);
  });
  it('accepts values of the enum', () => {
    expectDiagnostics('flow f { when bill != "0-100" and bill in ["100-200", "300+"] route A }', []);
  });
  it('checks a literal on the left too', () => {
    expectDiagnostics('flow f { when "999" == bill route A }', ['LR301@1:15']);
  });
});

describe('type mismatches (LR300)', () => {
  it('int against a string, pointing at the literal, suggesting no quotes', () => {
    const d = only('flow f { when credit_score >= "700" route A }');
    expect(d.code).toBe('LR300');
    expect(d.span.col).toBe(31);
    expect(d.message).toBe('`>=` cannot compare `credit_score` (an int) with `"700"` (a string)');
    expect(d.suggestion).toBe('write `700` without quotes');
  });
  it('bool in arithmetic, pointing at the bool', () => {
    const d = only('flow f { when homeowner + 1 > 2 route A }');
    expect(d.span).toMatchObject({ col: 15, endCol: 24 });
    expect(d.message).toBe('`+` cannot combine `homeowner` (a bool) with `1` (an int)');
  });
  it('a state ordered against a number', () => {
    expectDiagnostics('flow f { when state > 3 route A }', ['LR300@1:23']);
  });
  it('a state ordered against a symbol', () => {
    expectDiagnostics('flow f { when state > CA route A }', ['LR300@1:15']);
  });
  it('strings have no order', () => {
    expectDiagnostics('flow f { when source < "m" route A }', ['LR300@1:24']);
  });
  it('money mixes with plain numbers', () => {
    expectDiagnostics('flow f { when amount > 5 and amount < $100 and amount * 2 > ratio route A }', []);
  });
  it('durations compare only with durations', () => {
    expectDiagnostics('flow f { when age(created_at) < 5m route A }', []);
    const d = only('flow f { when age(created_at) < 5 route A }');
    expect(d.code).toBe('LR300');
    expect(d.suggestion).toContain('`5m`');
  });
  it('a list mixing types', () => {
    expectDiagnostics('flow f { when [1, "a"] == tags route A }', ['LR300@1:19']);
  });
  it('`in` needs a list', () => {
    expectDiagnostics('flow f { when source in "abc" route A }', ['LR300@1:25']);
  });
  it('list elements must match the value', () => {
    expectDiagnostics('flow f { when credit_score in [700, "800"] route A }', ['LR300@1:37']);
  });
  it('unary minus needs a number', () => {
    expectDiagnostics('flow f { when -source == 1 route A }', ['LR300@1:16']);
  });
  it('reports once: an unknown name does not also cause a mismatch', () => {
    expectDiagnostics('flow f { when nope + 1 > "x" route A }', ['LR200@1:15']);
  });
});

describe('conditions (LR304)', () => {
  it('must be true or false', () => {
    const d = only('flow f { when credit_score route A }');
    expect(d.code).toBe('LR304');
    expect(d.suggestion).toBe('compare it, e.g. `credit_score > 0`');
  });
  it('operands of `not`, `and`, `or` too', () => {
    expectDiagnostics('flow f { when not credit_score route A }', ['LR304@1:19']);
    expectDiagnostics('flow f { when homeowner and source route A }', ['LR304@1:29']);
  });
  it('in `accepts`', () => {
    expectDiagnostics('buyer D { accepts credit_score }\nflow f { route D }', ['LR304@1:19']);
  });
});

describe('built-in calls', () => {
  it('unknown function with a suggestion', () => {
    const d = only('flow f { when lenght(source) > 2 route A }');
    expect(d.code).toBe('LR305');
    expect(d.span).toMatchObject({ col: 15, endCol: 21 });
    expect(d.suggestion).toBe('did you mean `len`?');
  });
  it('unknown function, close by edit distance', () => {
    expect(only('flow f { when uper(source) == "X" route A }').suggestion).toBe('did you mean `upper`?');
  });
  it('wrong number of arguments', () => {
    expectDiagnostics('flow f { when min(1) > 0 route A }', ['LR306@1:15']);
    expectDiagnostics('flow f { when exists() route A }', ['LR306@1:15']);
  });
  it('argument types', () => {
    expectDiagnostics('flow f { when zip3(zip) == "900" and lower(source) == "x" and len(tags) > 1 route A }', []);
    expectDiagnostics('flow f { when age(source) > 5m route A }', ['LR300@1:19']);
    expectDiagnostics('flow f { when len(credit_score) > 1 route A }', ['LR300@1:19']);
    expectDiagnostics('flow f { when abs(state) > 1 route A }', ['LR300@1:19']);
    expectDiagnostics('flow f { when contains(tags, 5) route A }', ['LR300@1:30']);
    expectDiagnostics('flow f { when contains(credit_score, 5) route A }', ['LR300@1:24']);
  });
  it('result types', () => {
    expectDiagnostics('flow f { when upper(source) > 1 route A }', ['LR300@1:31']);
    expectDiagnostics('flow f { when max(amount, $5) + 1 > $10 and round(ratio) == 2 route A }', []);
  });
  it('checks the time zone of hour() and weekday()', () => {
    const d = only('flow f { when hour("America/Chicgo") > 9 route A }');
    expect(d.code).toBe('LR500');
    expect(d.suggestion).toBe('did you mean `"America/Chicago"`?');
    expectDiagnostics('flow f { when weekday("Europe/Paris") <= 5 route A }', []);
  });
  it('exists() takes a field', () => {
    expectDiagnostics('flow f { when exists(lead_score) route A }', []);
    expectDiagnostics('flow f { when exists(nope) route A }', ['LR200@1:22']);
    expectDiagnostics('flow f { when exists(1 + 2) route A }', ['LR300@1:22']);
    expectDiagnostics('flow f { when exists(credit_score) route A }', ['LR309@1:15']);
  });
});

describe('random (LR303)', () => {
  it.each([
    ['random <= 0', 'LR303@1:25'],
    ['random > 100', 'LR303@1:15'],
    ['random < 150', 'LR303@1:24'],
    ['0 >= random', 'LR303@1:15'],
    ['random == 101', 'LR303@1:25'],
  ])('`%s`', (cond, expected) => {
    expectDiagnostics(`flow f { when ${cond} route A\n otherwise route B }`, [expected]);
  });
  it('explains what the comparison amounts to', () => {
    expect(only('flow f { when random <= 0 route A\n otherwise route B }').message).toBe(
      '`random` is a whole number from 1 to 100, so `random <= 0` is never true',
    );
  });
  it('checks `between` bounds', () => {
    expectDiagnostics('flow f { when random between 0 and 50 route A\n otherwise route B }', ['LR303@1:30']);
    expectDiagnostics('flow f { when random between 50 and 101 route A\n otherwise route B }', ['LR303@1:37']);
  });
  it('checks `in` lists', () => {
    expectDiagnostics('flow f { when random in [0, 5] route A\n otherwise route B }', ['LR303@1:26']);
  });
  it('in range is fine', () => {
    expectDiagnostics('flow f { when random <= 1 or random >= 100 route A\n otherwise route B }', []);
  });
});

describe('ranges (LR307, LR308)', () => {
  it('an empty declared range', () => {
    expectDiagnostics('lead { a: int 10..1 } buyer A {} flow f { route A }', ['LR307@1:11'], { prelude: false });
  });
  it('a literal outside the declared range', () => {
    const d = only('flow f { when credit_score > 900 route A }');
    expect(d).toMatchObject({ code: 'LR308', severity: 'warning' });
    expect(d.span.col).toBe(30);
    expect(d.message).toContain('never true');
  });
  it('notes when the comparison always holds', () => {
    expect(only('flow f { when credit_score < 900 route A }').message).toContain('holds for every value');
  });
  it('checks between bounds and list items', () => {
    expectDiagnostics('flow f { when lead_score between 50 and 120 route A }', ['LR308@1:41']);
    expectDiagnostics('flow f { when credit_score in [200, 700] route A }', ['LR308@1:32']);
  });
  it('money is never negative', () => {
    expectDiagnostics('flow f { when amount > -5 route A }', ['LR308@1:24']);
  });
});

describe('always / never true (LR309, LR310)', () => {
  it('constant conditions', () => {
    expectDiagnostics('flow f { when true route A }', ['LR309@1:15']);
    expectDiagnostics('flow f { when 1 > 2 route A }', ['LR310@1:15']);
  });
  it('contradictions', () => {
    expectDiagnostics('flow f { when credit_score > 700 and credit_score < 600 route A }', ['LR310@1:15']);
    expectDiagnostics('flow f { when state == CA and state == TX route A }', ['LR310@1:15']);
  });
  it('random conditions covering everything', () => {
    expectDiagnostics('flow f { when random <= 50 or random > 50 route A }', ['LR309@1:15']);
    expectDiagnostics('flow f { when random <= 100 route A }', ['LR309@1:15']);
  });
  it('a backwards between', () => {
    const d = only('flow f { when lead_score between 80 and 20 route A }');
    expect(d.code).toBe('LR310');
    expect(d.suggestion).toBe('write `between 20 and 80`');
  });
  it('an empty list', () => {
    expectDiagnostics('flow f { when state in [] route A }', ['LR310@1:24']);
  });
});

describe('price', () => {
  it('must be an amount', () => {
    expectDiagnostics('buyer D { price $20 + (credit_score - 600) / 10 }\nflow f { route D }', []);
    expectDiagnostics('buyer D { price "45" }\nflow f { route D }', ['LR300@1:17']);
    expectDiagnostics('buyer D { price 10% }\nflow f { route D }', ['LR300@1:17']);
    expectDiagnostics('buyer D { price homeowner }\nflow f { route D }', ['LR300@1:17']);
  });
  it('shared prices are amounts', () => {
    expectDiagnostics('flow f { share max 2 { A $5, B $6 } }', []);
  });
});

describe('arithResult', () => {
  it.each([
    ['+', 'int', 'int', 'int'],
    ['+', 'money', 'int', 'money'],
    ['/', 'int', 'int', 'number'],
    ['/', 'money', 'int', 'money'],
    ['/', 'money', 'money', 'number'],
    ['-', 'time', 'time', 'duration'],
    ['+', 'time', 'duration', 'time'],
    ['*', 'duration', 'int', 'duration'],
    ['+', 'duration', 'duration', 'duration'],
  ] as const)('%s on %s and %s gives %s', (op, l, r, out) => {
    expect(arithResult(op, { kind: l } as never, { kind: r } as never)?.kind).toBe(out);
  });
  it.each([
    ['+', 'bool', 'int'],
    ['+', 'string', 'string'],
    ['*', 'duration', 'duration'],
    ['+', 'time', 'time'],
  ] as const)('%s on %s and %s is a mismatch', (op, l, r) => {
    expect(arithResult(op, { kind: l } as never, { kind: r } as never)).toBeUndefined();
  });
});

describe('within', () => {
  it('a time field within a duration', () => {
    expectDiagnostics('flow f { when created_at within 5m route A }', []);
  });
  it('the left must be a time field, the right a duration (LR300)', () => {
    expectDiagnostics('flow f { when state within 5m or created_at within 5 route A }', ['LR300@1:15', 'LR300@1:52']);
    expect(only('flow f { when created_at within 5 route A }').suggestion).toBe('give it a unit, e.g. `5m`, `24h`, `30d`');
    expect(only('flow f { when age(created_at) within 5m route A }').suggestion).toBe('compare the duration instead, e.g. `age(created_at) <= 5m`');
  });
  it('an unknown field (LR200)', () => {
    expect(only('flow f { when created_a within 5m route A }').suggestion).toBe('did you mean `created_at`?');
  });
});

describe('geography built-ins', () => {
  it('distance is a number, zip_state a state', () => {
    expectDiagnostics('flow f { when distance(zip, "94103") <= 50 and zip_state(zip) in [CA, NV] route A }', []);
    expectDiagnostics('flow f { when zip_state(zip) == XX route A }', ['LR302@1:33']);
  });
});
