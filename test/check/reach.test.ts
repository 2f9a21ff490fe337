import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check } from '../../src/check/index.js';
import { compile } from '../../src/compile/index.js';
import { parse } from '../../src/lang/index.js';
import { Router } from '../../src/runtime/index.js';
import { expectDiagnostics, only, run } from './helpers.js';

// Rules go one per line so a diagnostic's line names its rule.

describe('random ranges', () => {
  it('disjoint ranges covering 1..100 are fine', () => {
    expectDiagnostics('flow f { when random <= 50 route A\n when random > 50 route B }', []);
  });
  it('an overlap (LR401) names the overlap and the earlier rule', () => {
    const d = only('flow f { when random <= 60 route A\n when random > 50 and random <= 90 route B\n otherwise route C }');
    expect(d).toMatchObject({ code: 'LR401', severity: 'warning', span: { line: 2, col: 7 } });
    expect(d.message).toBe('random 51..60 is already taken by the rule at line 1');
    expect(d.suggestion).toBe('so this rule gets random 61..90 (30% of leads), not the 40% its condition says');
  });
  it('overlaps with several earlier rules', () => {
    const d = only(
      'flow f { when random <= 20 route A\n when random > 40 and random <= 60 route B\n when random between 10 and 50 route C\n otherwise route C }',
    );
    expect(d.message).toBe(
      'random 10..20 is already taken by the rule at line 1, and random 41..50 by the rule at line 2',
    );
  });
  it('a range covered by earlier ones is unreachable (LR403), not an overlap', () => {
    const d = only(
      'flow f { when random <= 30 route A\n when random > 30 and random <= 60 route B\n when random between 20 and 50 route C\n otherwise route C }',
    );
    expect(d).toMatchObject({ code: 'LR403', span: { line: 3, col: 7 } });
    expect(d.message).toBe('unreachable: random 20..50 is already taken by the rules at lines 1 and 2');
  });
  it('a gap with no otherwise (LR402) at the flow name', () => {
    const d = only('flow f { when random <= 60 route A\n when random > 60 and random <= 70 route B }');
    expect(d).toMatchObject({ code: 'LR402', span: { line: 1, col: 6 } });
    expect(d.message).toBe('random 71..100 matches no rule of flow `f`: those leads (30%) go unrouted');
  });
  it('several gaps', () => {
    expect(
      only('flow f { when random <= 10 route A\n when random > 20 and random <= 30 route B\n when random > 90 route C }').message,
    ).toBe('random 11..20 and 31..90 match no rule of flow `f`: those leads (70%) go unrouted');
  });
  it('no gap warning with an otherwise, an unguarded rule, or a non-random rule', () => {
    expectDiagnostics('flow f { when random <= 60 route A\n otherwise route B }', []);
    expectDiagnostics('flow f { when random <= 60 route A\n route B }', []);
    expectDiagnostics('flow f { when random <= 30 route A\n when random > 60 route B\n when state == CA route C }', []);
  });
  it('`or`, `not`, `in` and `!=` of random count as random ranges', () => {
    expectDiagnostics('flow f { when random <= 10 or random > 90 route A\n when not (random <= 10 or random > 90) route B }', []);
    expectDiagnostics('flow f { when random in [1, 2, 3] route A\n when random > 3 route B }', []);
    expectDiagnostics('flow f { when random != 50 route A\n when random == 50 route B }', []);
  });
  it('ranges of `flow` rules count', () => {
    expectDiagnostics('flow f { when random <= 50 flow g\n when random > 40 route B\n otherwise route C }\nflow g { route A }', [
      'LR401@2:7',
    ]);
  });
});

describe('unreachable rules (LR403)', () => {
  it('after an unguarded action', () => {
    const d = only('flow f { route A\n when state == CA route B }');
    expect(d).toMatchObject({ code: 'LR403', span: { line: 2, col: 7 } });
    expect(d.suggestion).toBe(
      'it only gets leads the rule at line 1 cannot place; reorder the rules if this one should come first',
    );
  });
  it('after a reject, with no fallback note', () => {
    const d = only('flow f { reject "no"\n route B }');
    expect(d).toMatchObject({ code: 'LR403', span: { line: 2, col: 2 } });
    expect(d.suggestion).toBeUndefined();
  });
  it('not after an unguarded `flow` action: routing goes on after it', () => {
    expectDiagnostics('flow f { flow g\n when state == CA route B }\nflow g { route A }', []);
  });
  it('a condition identical to an earlier one', () => {
    expectDiagnostics('flow f { when state == CA route A\n when state == CA route B }', ['LR403@2:7']);
    expectDiagnostics('flow f { when lead_score > 50 route A\n when lead_score > 50 route B }', ['LR403@2:7']);
    expectDiagnostics(
      'flow f { when source == "x" or source == "y" route A\n when (source == "x") or source == "y" route B }',
      ['LR403@2:8'],
    );
  });
  it('a condition an earlier one covers', () => {
    expectDiagnostics('flow f { when state in [CA, TX] route A\n when state == CA and credit_score > 700 route B }', [
      'LR403@2:7',
    ]);
    expectDiagnostics('flow f { when credit_score >= 700 route A\n when credit_score > 750 and homeowner route B }', [
      'LR403@2:7',
    ]);
    expectDiagnostics('flow f { when state != CA route A\n when state == TX route B }', ['LR403@2:7']);
    expectDiagnostics('flow f { when bill != "0-100" route A\n when bill == "300+" route B }', ['LR403@2:7']);
    expectDiagnostics('flow f { when homeowner route A\n when homeowner and state == CA route B }', ['LR403@2:7']);
    expectDiagnostics('flow f { when not homeowner route A\n when homeowner == false route B }', ['LR403@2:7']);
    expectDiagnostics('flow f { when credit_score between 600 and 700 route A\n when credit_score == 650 route B }', [
      'LR403@2:7',
    ]);
    expectDiagnostics('flow f { when random <= 50 route A\n when random <= 30 and state == CA route B\n otherwise route C }', [
      'LR403@2:7',
    ]);
  });
  it('names the covering rule', () => {
    expect(only('flow f { when credit_score >= 700 route A\n when credit_score > 750 route B }').message).toBe(
      'unreachable: every lead this rule matches also matches the rule at line 1 (`credit_score >= 700`), which is tried first',
    );
  });
  it('names the first covering rule, whatever fields the covering rules constrain', () => {
    // The covering rules constrain a number, a set or a random range, so they
    // are filed under different fields: the earliest one is named all the same.
    const flow = (a: string, b: string, c: string): string =>
      `flow f { when ${a} route A\n when ${b} route B\n when ${c} route C\n when state == CA and credit_score > 750 and random <= 10 route D\n otherwise route E }`;
    const named = (src: string): string[] =>
      run(src).diagnostics.filter((d) => d.code === 'LR403').map((d) => `${d.span.line}: ${d.message.replace(/.*rule at line (\d+).*/, '$1')}`);
    expect(named(flow('credit_score >= 700', 'state in [CA, TX]', 'random <= 20'))).toEqual(['4: 1']);
    expect(named(flow('random <= 20', 'credit_score >= 700', 'state in [CA, TX]'))).toEqual(['4: 1']);
    expect(named(flow('state == NY', 'state in [TX, CA]', 'credit_score >= 700'))).toEqual(['4: 2']);
    expect(named(flow('state == NY', 'credit_score < 700', 'random <= 30 and state in [CA, FL]'))).toEqual(['4: 3']);
  });
  it('is not fooled by integer bounds or partial conditions', () => {
    expectDiagnostics('flow f { when credit_score > 700 route A\n when credit_score >= 700 route B }', []);
    expectDiagnostics('flow f { when credit_score >= 700 and homeowner route A\n when credit_score > 750 route B }', []);
    expectDiagnostics('flow f { when credit_score >= 700 and len(tags) > 2 route A\n when credit_score > 750 route B }', []);
    expectDiagnostics('flow f { when ratio > 1 route A\n when ratio >= 1 route B }', []);
    expectDiagnostics('flow f { when state == CA route A\n when state == TX route B }', []);
  });
  it('an earlier `flow` rule does not shadow', () => {
    expectDiagnostics('flow f { when credit_score >= 700 flow g\n when credit_score >= 750 route B }\nflow g { route A }', []);
  });
  it('does not report an otherwise after full random coverage', () => {
    expectDiagnostics('flow f { when random <= 50 route A\n when random > 50 route B\n otherwise route C }', []);
  });
});

describe('LR403 and buyers that can refuse', () => {
  const file = fileURLToPath(new URL('../models/rules/lr403-refusing-buyer.route', import.meta.url));
  const source = readFileSync(file, 'utf8');

  it('a rule after one whose buyer can refuse is reachable (the repro file has no LR403)', () => {
    const { plan, diagnostics } = compile(source, { file });
    // Lines 22 and 24-27 were called unreachable: each follows rules whose buyers can refuse.
    expect(diagnostics.filter((d) => d.code === 'LR403').map((d) => `${d.span.line}:${d.span.col} ${d.message}`)).toEqual([]);
    expect(plan).not.toBeNull();
  });

  it('leads do reach the rules LR403 used to call unreachable', () => {
    const { plan } = compile(source, { file });
    const router = new Router(plan!, { seed: 7 });
    const sunday = '2026-11-22T15:00:00Z'; // Daytime closed
    const placed = (lead: Record<string, unknown>) => router.route(lead, { now: sunday }).buyers.map((b) => b.name);
    // Picky refuses TX, so `when score > 60 route Anyone` (line 22) gets the lead.
    expect(placed({ id: '1', state: 'TX', score: 70, email: 'a@x.co' })).toEqual(['Anyone']);
    // Line 23's Capped takes one a day; then Daytime (closed on Sunday, line 24) passes
    // it on to Unique (line 25), and a repeat email goes on to line 26.
    expect(placed({ id: '2', state: 'TX', score: 55, email: 'b@x.co' })).toEqual(['Capped']);
    expect(placed({ id: '3', state: 'TX', score: 55, email: 'c@x.co' })).toEqual(['Unique']);
    expect(placed({ id: '4', state: 'TX', score: 55, email: 'c@x.co' })).toEqual(['Anyone']);
  });

  it('a buyer that cannot refuse still shadows what follows', () => {
    expectDiagnostics('flow f { route A\n when state == CA route B }', ['LR403@2:7']);
  });

  it('every kind of refusal lets routing go on', () => {
    const buyers = [
      'buyer R1 { accepts state == CA }',
      'buyer R2 { cap 10/h }',
      'buyer R3 { hours Mon-Fri 09:00-17:00 "UTC" }',
      'buyer R4 { holidays "US" }',
      'buyer R5 { dedupe email within 1d }',
      'buyer R6 { requires lead_score }',
    ];
    for (const [i, decl] of buyers.entries())
      expectDiagnostics(`flow f { when state == CA route R${i + 1}\n when state == CA route B }\n${decl}`, []);
    // A rule's own caps too.
    expectDiagnostics('flow f { route A cap 5/h\n when state == CA route B }', []);
  });

  it('a split, waterfall or share falls through only when all its buyers can refuse', () => {
    const picky = 'buyer P { accepts state == CA }\nbuyer Q { requires lead_score }';
    expectDiagnostics(`flow f { split { P 50%, Q 50% }\n route B }\n${picky}`, []);
    expectDiagnostics(`flow f { split { P 50%, A 50% }\n route B }\n${picky}`, ['LR403@2:2']);
    expectDiagnostics(`flow f { waterfall { A when state == CA; P }\n route B }\n${picky}`, []);
    expectDiagnostics(`flow f { share max 2 { P, Q }\n route B }\n${picky}`, []);
  });
});

describe('LR403 after a syntax error', () => {
  const pre = 'lead { id: string  state: state  score: int 0..100 }\nbuyer A { price $10 }\nbuyer B { price $10 }\n';
  const lr403 = (src: string) => {
    const { ast, diagnostics } = parse(pre + src, 't.route');
    expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
    return check(ast).diagnostics.filter((d) => d.code === 'LR403');
  };

  it('a rule the parser recovered as unguarded does not make the next one unreachable', () => {
    expect(lr403('flow f {\n wen state == CA route A\n when score > 5 route B\n}')).toEqual([]);
  });
  it('nor does a rule cut short by an error', () => {
    expect(lr403('flow f {\n when score > 5 route A B\n when score > 5 route B\n}')).toEqual([]);
    expect(lr403('flow f {\n when score > 5 @ route A\n when score > 6 route B\n}')).toEqual([]);
  });
  it('a flow without a syntax error is still analysed', () => {
    const found = lr403('flow f {\n wen state == CA route A\n}\nflow g {\n route A\n when score > 5 route B\n}');
    expect(found.map((d) => d.span.line)).toEqual([9]);
  });
});
