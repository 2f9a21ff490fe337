// `specialize`: specialists at a premium, else a fallback buyer or flow.
import { describe, it, expect } from 'vitest';
import { Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';
import { lead, messages, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');

const SPECIALIZE = 'specialize { Subprime when credit_score < 600 premium 20%; Elite when credit_score > 750 premium $7.5 }';

/** `fallback` is what follows the specialists: `else General`, `else flow general` or nothing. */
function plan(fallback: string, subprimeCap = '1/h') {
  return planOf(`
buyer Subprime { price $30  cap ${subprimeCap} }
buyer Elite { price $50 }
buyer General { price $20 }
flow main { ${SPECIALIZE} ${fallback} }
flow general { route General }
`);
}

describe('specialize', () => {
  it('a matching specialist takes the lead at its price plus the premium (percent)', () => {
    const r = new Router(plan('else General'), { store: new TestStore(), trace: true });
    const d = r.route(lead({ credit_score: 550 }), { now: NOW });
    expect(d.buyers).toEqual([{ name: 'Subprime', price: 36 }]);
    expect(d.exclusive).toBe(true);
    expect(messages(d)).toEqual([
      `rule '${SPECIALIZE.slice(0, 78)} …' matched`, // a rule's text is cut at 80 characters in traces
      'specialist Subprime matches (`credit_score < 600` holds): $30.00 + 20% = $36.00',
      'Subprime takes the lead at $36.00',
    ]);
  });

  it('a dollar premium is added; specialists whose condition is false are skipped in order', () => {
    const r = new Router(plan('else General'), { store: new TestStore(), trace: true });
    const d = r.route(lead({ credit_score: 800 }), { now: NOW });
    expect(d.buyers).toEqual([{ name: 'Elite', price: 57.5 }]);
    expect(messages(d)).toContain('specialist Subprime skipped: `credit_score < 600` is false (credit_score = 800)');
  });

  it('no specialist matches: the fallback buyer gets it at its own price', () => {
    const r = new Router(plan('else General'), { store: new TestStore(), trace: true });
    const d = r.route(lead({ credit_score: 700 }), { now: NOW });
    expect(d.buyers).toEqual([{ name: 'General', price: 20 }]);
    expect(messages(d)).toContain('no specialist took the lead; falling back to General');
  });

  it('a specialist that cannot take the lead (capped) falls back', () => {
    const r = new Router(plan('else General'), { store: new TestStore(), trace: true });
    expect(r.route(lead({ credit_score: 550 }), { now: NOW }).buyers[0]!.name).toBe('Subprime');
    const d = r.route(lead({ credit_score: 550 }), { now: NOW });
    expect(d.buyers).toEqual([{ name: 'General', price: 20 }]);
    expect(messages(d)).toContain('Subprime skipped: cap 1/hour reached');
  });

  it('dollar caps see the premium price', () => {
    const r = new Router(plan('else General', '$40/day'), { store: new TestStore(), trace: true });
    expect(r.route(lead({ credit_score: 550 }), { now: NOW }).buyers[0]!.price).toBe(36);
    const d = r.route(lead({ credit_score: 550 }), { now: NOW });
    expect(messages(d)).toContain('Subprime skipped: cap $40/day reached ($36.00 used, price $36.00)');
  });

  it('the fallback may be a flow; without a fallback nothing is placed', () => {
    const viaFlow = new Router(plan('else flow general'), { store: new TestStore(), trace: true });
    const d = viaFlow.route(lead({ credit_score: 700 }), { now: NOW });
    expect(d.buyers[0]!.name).toBe('General');
    expect(d.rule?.id).toBe('general#0');
    expect(messages(d)).toContain("entering flow 'general'");
    const none = new Router(plan(''), { store: new TestStore() }).route(lead({ credit_score: 700 }), { now: NOW });
    expect(none.status).toBe('unrouted');
  });
});
