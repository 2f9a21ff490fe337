import { describe, expect, it } from 'vitest';
import { expectDiagnostics, only } from './helpers.js';

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
