// Time: business hours across DST, public holidays, and what a closed buyer
// does with a lead (skip, hold until it opens, send to another buyer).
import { describe, it, expect } from 'vitest';
import { loadPlan, nextOpening, Router } from '../../src/runtime/index.js';
import { isOpen, loadHours, zoneClock } from '../../src/runtime/time.js';
import type { PlanHours } from '../../src/plan/index.js';
import { planOf, routerOf } from '../helpers/lang.js';
import { buyer, lead, makePlan, messages, NY, NY_BUSINESS, route, rule, TestStore } from './helpers.js';

const BUSINESS = 'hours Mon-Fri 09:00-18:00 "America/New_York"';

/** Premium ($45, New York business hours unless `hours` says otherwise) and its
 *  clauses; `extra` declares more buyers; `fallback` is a buyer routed after Premium. */
function router(premium: { closed?: string; holidays?: string; hours?: string } = {}, extra = '', fallback?: string) {
  const clauses = [
    premium.hours ?? BUSINESS,
    premium.holidays === undefined ? '' : `holidays ${premium.holidays}`,
    premium.closed === undefined ? '' : `when closed ${premium.closed}`,
  ];
  const plan = planOf(`
buyer Premium {
  price $45
  ${clauses.join('\n  ')}
}
${extra}
flow main {
  route Premium
  ${fallback === undefined ? '' : `route ${fallback}`}
}`);
  return new Router(plan, { store: new TestStore(), trace: true });
}

describe('business hours across the 2026 DST changes (America/New_York, Mon-Fri 09:00-18:00)', () => {
  const cases: [string, string, string][] = [
    // [day, 08:59 local in UTC, 09:00 local in UTC]
    ['Fri 6 Mar (EST, before DST starts)', '2026-03-06T13:59:00Z', '2026-03-06T14:00:00Z'],
    ['Mon 9 Mar (EDT, after DST starts)', '2026-03-09T12:59:00Z', '2026-03-09T13:00:00Z'],
    ['Fri 30 Oct (EDT, before DST ends)', '2026-10-30T12:59:00Z', '2026-10-30T13:00:00Z'],
    ['Mon 2 Nov (EST, after DST ends)', '2026-11-02T13:59:00Z', '2026-11-02T14:00:00Z'],
  ];
  for (const [day, before, at] of cases) {
    it(`${day}: 08:59 is skipped, 09:00 is taken`, () => {
      const r = router();
      const early = r.route(lead(), { now: before });
      expect(early.status).toBe('unrouted');
      expect(messages(early)[1]).toMatch(/^Premium closed: outside Mon-Fri 09:00-18:00 America\/New_York \(it is (Mon|Fri) 08:59 there\)$/);
      expect(r.route(lead(), { now: at }).buyers).toEqual([{ name: 'Premium', price: 45 }]);
    });
  }
});

describe('off hours: hold', () => {
  it('a closed buyer with hold: the lead is held until its next opening, across DST (spring)', () => {
    const r = router({ closed: 'hold' });
    const d = r.route(lead(), { now: '2026-03-07T12:00:00Z' }); // Saturday
    expect(d.status).toBe('held');
    expect(d.holdUntil).toBe('2026-03-09T13:00:00.000Z'); // Monday 09:00 EDT
    expect(d.buyers).toEqual([{ name: 'Premium', price: 45, deliverAt: '2026-03-09T13:00:00.000Z' }]);
    expect(d.rule?.id).toBe('main#0');
    expect(d.reason).toBe('Premium is closed; the lead is held until 2026-03-09T13:00:00.000Z');
    expect(messages(d)).toEqual([
      "rule 'route Premium' matched",
      'Premium closed: outside Mon-Fri 09:00-18:00 America/New_York (it is Sat 07:00 there)',
      'Premium holds the lead until 2026-03-09T13:00:00.000Z (Mon 09:00 America/New_York) unless another rule places it',
      "rule 'route Premium' could not place the lead; trying the next rule",
      "no rule in flow 'main' placed the lead",
      'no rule placed the lead; it is held for Premium until 2026-03-09T13:00:00.000Z',
    ]);
    // Routed again at holdUntil, it is taken.
    expect(r.route(lead(), { now: d.holdUntil! }).status).toBe('routed');
  });

  it('across DST (autumn): Friday after closing → Monday 09:00 EST', () => {
    const r = router({ closed: 'hold' });
    expect(r.route(lead(), { now: '2026-10-30T22:00:00Z' }).holdUntil).toBe('2026-11-02T14:00:00.000Z');
    expect(r.route(lead(), { now: '2026-10-31T15:00:00Z' }).holdUntil).toBe('2026-11-02T14:00:00.000Z');
    // Before opening on a weekday: the same day.
    expect(r.route(lead(), { now: '2026-11-02T13:59:00Z' }).holdUntil).toBe('2026-11-02T14:00:00.000Z');
  });

  it('another rule that places the lead wins over a hold', () => {
    const r = router({ closed: 'hold' }, 'buyer Standard { price $20 }', 'Standard');
    const d = r.route(lead(), { now: '2026-03-07T12:00:00Z' });
    expect(d.status).toBe('routed');
    expect(d.buyers).toEqual([{ name: 'Standard', price: 20 }]);
    expect(d.holdUntil).toBeNull();
  });

  it('skip (the default) leaves the lead unrouted', () => {
    const d = router({ closed: 'skip' }).route(lead(), { now: '2026-03-07T12:00:00Z' });
    expect(d.status).toBe('unrouted');
    expect(d.reason).toBe('no buyer could take the lead (Premium: closed)');
  });
});

describe('off hours: send', () => {
  it('a closed buyer sends the lead to another buyer, which must itself take it', () => {
    const r = router({ closed: 'send Night' }, 'buyer Night { price $15 }');
    const d = r.route(lead(), { now: '2026-03-07T12:00:00Z' });
    expect(d.buyers).toEqual([{ name: 'Night', price: 15 }]);
    expect(messages(d)).toContain('Premium is closed; sending the lead to Night');
    // Open: Premium itself.
    expect(r.route(lead(), { now: '2026-03-09T14:00:00Z' }).buyers[0]!.name).toBe('Premium');
  });
});

describe('public holidays', () => {
  it('a buyer with holidays ["US"] is closed on Thanksgiving, open the day after', () => {
    const r = router({ holidays: '"US"' });
    const d = r.route(lead(), { now: '2026-11-26T15:00:00Z' }); // Thursday 10:00 EST
    expect(d.status).toBe('unrouted');
    expect(messages(d)).toContain('Premium closed: Thanksgiving Day (US holiday)');
    expect(d.trace[1]).toMatchObject({ code: 'Holiday', buyer: 'Premium' });
    expect(d.reason).toBe('no buyer could take the lead (Premium: closed (Thanksgiving Day, US holiday))');
    expect(r.route(lead(), { now: '2026-11-27T15:00:00Z' }).status).toBe('routed');
  });

  it('holds over a holiday to the next business day', () => {
    const r = router({ holidays: '"US"', closed: 'hold' });
    expect(r.route(lead(), { now: '2026-11-26T15:00:00Z' }).holdUntil).toBe('2026-11-27T14:00:00.000Z');
    // Christmas is a Friday: held until Monday 28 December.
    expect(r.route(lead(), { now: '2026-12-24T23:30:00Z' }).holdUntil).toBe('2026-12-28T14:00:00.000Z');
  });

  it('regional calendars: US-CA closes on César Chávez Day, US does not', () => {
    const at = '2026-03-31T16:00:00Z'; // Tuesday
    expect(messages(router({ holidays: '"US-CA"' }).route(lead(), { now: at }))).toContain('Premium closed: César Chávez Day (US-CA holiday)');
    expect(router({ holidays: '"US"' }).route(lead(), { now: at }).status).toBe('routed');
  });

  it('the holiday is the local day in the buyer’s zone', () => {
    const allDay = (zone: string) => `hours daily 00:00-24:00 "${zone}"`;
    const at = '2026-11-26T02:00:00Z'; // Thanksgiving in UTC and New York is 21:00 on the 25th
    expect(router({ holidays: '"US"', hours: allDay('UTC') }).route(lead(), { now: at }).status).toBe('unrouted');
    expect(router({ holidays: '"US"', hours: allDay(NY) }).route(lead(), { now: at }).status).toBe('routed');
    // A buyer without hours uses UTC.
    const noHours = routerOf('buyer P { holidays "US" }  flow main { route P }', { store: new TestStore() });
    expect(noHours.route(lead(), { now: at }).status).toBe('unrouted');
  });

  it('an unknown calendar is a plan error', () => {
    // The checker refuses these calendars (LR502), so only a hand-built plan can carry them to loadPlan.
    const bad = (holidays: string[]) => () => loadPlan(makePlan({ buyers: [buyer('P', { holidays })], rules: [rule('main#0', route('P'))] }));
    expect(bad(['XX'])).toThrow('/buyers/0/holidays/0: unknown holiday calendar "XX": it names no country the holiday calendars know (`XX`)');
    expect(bad(['US-ZZ'])).toThrow('/buyers/0/holidays/0: unknown holiday calendar "US-ZZ": it names no region of `US` the holiday calendars know (`ZZ`)');
    expect(bad(['usa'])).toThrow(/\/buyers\/0\/holidays\/0: must match pattern/);
  });
});

describe('nextOpening', () => {
  const clock = zoneClock(NY);
  const open = (hours: PlanHours[]) => {
    const loaded = hours.map(loadHours);
    return (t: number) => isOpen(loaded, t);
  };

  it('a window that starts inside the spring-forward gap opens when the clocks jump', () => {
    const h: PlanHours = { days: [7], from: 150, to: 240, zone: NY }; // Sun 02:30-04:00
    const t = nextOpening([loadHours(h)], clock, open([h]), Date.parse('2026-03-08T06:00:00Z'));
    expect(new Date(t!).toISOString()).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
  });

  it('a window in the repeated hour opens at its first occurrence', () => {
    const h: PlanHours = { days: [7], from: 90, to: 120, zone: NY }; // Sun 01:30-02:00
    const t = nextOpening([loadHours(h)], clock, open([h]), Date.parse('2026-11-01T05:00:00Z'));
    expect(new Date(t!).toISOString()).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
  });

  it('null when nothing opens within the horizon', () => {
    expect(nextOpening([loadHours(NY_BUSINESS)], clock, () => false, Date.parse('2026-03-07T12:00:00Z'))).toBeNull();
  });
});
