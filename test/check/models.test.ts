// Routing models: fair and performance splits, rank, specialize, fallback,
// hybrid and auction. One line of source each (the lead schema and buyers A,
// B, C follow, see helpers.ts).

import { describe, expect, it } from 'vitest';
import { expectDiagnostics, only } from './helpers.js';

describe('splits', () => {
  it('a fair split is weighted like a random one (LR400, LR413)', () => {
    expectDiagnostics('flow f { split fair { A 60%, B 30%, C 10% } }', []);
    expectDiagnostics('flow f { split fair { A 60%, B 30% } }', ['LR400@1:10']);
    const d = only('flow f { split fair { A 60%, B, C 10% } }');
    expect(d).toMatchObject({ code: 'LR413', span: { col: 30 }, suggestion: 'write `B 30%`' });
  });
  it('a performance split takes no weights (LR413) and a known metric (LR212)', () => {
    expectDiagnostics('flow f { split by performance conversion over 7d min 10% max 50% { A, B, C } }', []);
    expectDiagnostics('flow f { split by performance conversion_rate over 7d min 10% max 50% { A, B 20%, C } }', ['LR212@1:31', 'LR413@1:76']);
    expect(only('flow f { split by performance acceptence over 7d min 10% max 50% { A, B, C } }').suggestion).toBe('did you mean `acceptance`?');
  });
  it('bounds that no weights satisfy (LR410)', () => {
    expectDiagnostics('flow f { split by performance acceptance over 7d min 40% max 30% { A, B, C } }', ['LR410@1:16']);
    const over = only('flow f { split by performance acceptance over 7d min 40% max 50% { A, B, C } }');
    expect(over.message).toBe('3 buyers at a minimum of 40% each need 120%, more than all leads');
    expect(over.suggestion).toBe('lower `min` to at most 33%');
    expect(only('flow f { split by performance acceptance over 7d min 10% max 20% { A, B, C } }').message).toBe(
      '3 buyers at a maximum of 20% each take only 60% of leads',
    );
  });
  it('a window above zero (LR311)', () => {
    expectDiagnostics('flow f { split by performance conversion over 0d min 10% max 50% { A, B, C } }', ['LR311@1:47']);
  });
});

describe('rank', () => {
  it('known factors (LR212), each once (LR412), buyers once (LR406)', () => {
    expectDiagnostics('flow f { rank { A, B, A } by price 40%, qualty 25%, price 35% }', ['LR406@1:23', 'LR212@1:41', 'LR412@1:53']);
  });
  it('weights sum to 100%, or leave something for the unweighted (LR411)', () => {
    expectDiagnostics('flow f { rank { A, B } by price 40%, quality 25% }', ['LR411@1:27']);
    expect(only('flow f { rank { A, B } by price 60%, quality 40%, capacity }').message).toBe(
      'the weighted factors take 100%, leaving nothing for `capacity`',
    );
    expectDiagnostics('flow f { rank { A, B } by price 50%, quality, capacity }', []);
    expectDiagnostics('flow f { rank { A, B, C } by expected_value }', []);
  });
  it('min is a score 0..1 (LR311), top a whole number (LR601)', () => {
    expectDiagnostics('flow f { rank { A, B } by price min 50 top 0 over 7d }', ['LR311@1:10', 'LR601@1:10']);
    expect(only('flow f { rank { A, B } by price min 50 }').suggestion).toBe('for 50%, write `min 0.5`');
  });
});

describe('specialize', () => {
  it('known buyers, conditions, premiums above zero', () => {
    expectDiagnostics('flow f { specialize { A when credit_score > 700 premium 20%; B when homeowner premium $5 } else C }', []);
    expectDiagnostics('flow f { specialize { A when credit_score premium 0%; Z premium $5 } else C }', ['LR304@1:30', 'LR311@1:51', 'LR201@1:55']);
  });
  it('`else` a buyer or `else flow` a flow (LR201, LR202)', () => {
    expect(only('flow f { specialize { A premium 10% } else g } flow g { route B }').suggestion).toBe('write `else flow g`');
    expect(only('flow f { specialize { A premium 10% } else flow gg } flow g { route B }')).toMatchObject({
      code: 'LR202',
      suggestion: 'did you mean `g`?',
    });
  });
});

describe('fallback chains', () => {
  const flows = 'flow g { route A } flow h { route B }';
  it('known flows (LR202)', () => {
    expectDiagnostics(`flow f { fallback g -> hh } ${flows}`, ['LR202@1:24']);
  });
  it('rewrites: known fields (LR200), once (LR214), values that fit (LR300, LR301, LR302, LR308)', () => {
    expectDiagnostics(`flow f { fallback g -> h with lead_score = lead_score - 10, bill = "300+", state = CA } ${flows}`, []);
    expectDiagnostics(
      `flow f { fallback g -> h with lead_score = "x", credit_score = 900, nope = 1, bill = "999", state = XX, lead_score = 1 } ${flows}`,
      ['LR300@1:44', 'LR308@1:64', 'LR200@1:69', 'LR301@1:86', 'LR302@1:101', 'LR214@1:105'],
    );
    expect(only(`flow f { fallback g -> h with credit_score = 1.5 } ${flows}`).message).toBe(
      '`credit_score` is an int, so it cannot be set to `1.5` (a number)',
    );
  });
});

describe('hybrid', () => {
  it('buyers once, the primary included (LR406); a share size of at least 1 (LR408)', () => {
    expectDiagnostics('flow f { hybrid A then share max 2 { B, C $18 } after 10m }', []);
    expectDiagnostics('flow f { hybrid A then share max 0 { B, A $18 } after 10m }', ['LR408@1:10', 'LR406@1:41']);
  });
});

describe('auction', () => {
  const buyers = 'buyer P { ping "http://a/p" bid price "p" } buyer Q { ping "http://a/q" bid price "q" }';
  it('a full auction', () => {
    expectDiagnostics(
      `${buyers} flow f { auction { P } floor $50 * (credit_score / 700) then { Q } floor bid.price timeout 750ms exclusive min $40 shared max 3 rank by bid.price * ratio }`,
      [],
    );
  });
  it('rank by may weigh the bid by the buyer\'s learnt measures, only there', () => {
    expectDiagnostics(`${buyers} flow f { auction { P, Q } rank by bid.price * buyer.acceptance / (1 + buyer.response_time / 1000) }`, []);
    expectDiagnostics(`${buyers} flow f { auction { P } floor buyer.acceptance * $50 }`, ['LR200@1:118']);
  });

  it('buyers once (LR406) and able to bid, by ping or price (LR702); floors and minimums in dollars; rank by a number', () => {
    expectDiagnostics(
      `${buyers} flow f { auction { P, N } then { Q, P } floor state timeout 0ms exclusive min "x" shared max 0 rank by state } buyer N { accepts homeowner }`,
      ['LR408@1:98', 'LR702@1:111', 'LR406@1:125', 'LR300@1:135', 'LR311@1:149', 'LR300@1:167', 'LR300@1:192'],
    );
  });
  it('`bid.price` exists only in an auction (LR200)', () => {
    const d = only(`${buyers} flow f { when bid.price > 5 route P }`);
    expect(d.message).toBe("`bid.price` is known only in an auction's `rank by` and floors");
    expect(only(`${buyers} flow f { auction { P } rank by bid.prise }`).suggestion).toBe('did you mean `bid.price`?');
  });
});
