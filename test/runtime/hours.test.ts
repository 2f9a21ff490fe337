import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { describeClosed, formatClock, formatDays, isoString, isOpen, loadHours, zoneClock } from '../../src/runtime/time.js';
import { Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';
import { lead, NY, NY_BUSINESS } from './helpers.js';

const t = (iso: string) => Date.parse(iso);
const business = [loadHours(NY_BUSINESS)];

describe('zone clock', () => {
  it('knows the New York offset on both sides of each 2026 DST change', () => {
    const c = zoneClock(NY);
    expect(c.offset(t('2026-03-08T06:59:00Z'))).toBe(-5 * 3_600_000); // 01:59 EST
    expect(c.offset(t('2026-03-08T07:00:00Z'))).toBe(-4 * 3_600_000); // 03:00 EDT
    expect(c.offset(t('2026-11-01T05:59:00Z'))).toBe(-4 * 3_600_000); // 01:59 EDT
    expect(c.offset(t('2026-11-01T06:00:00Z'))).toBe(-5 * 3_600_000); // 01:00 EST
  });
  it('gives local hour, weekday and minute of day', () => {
    const c = zoneClock(NY);
    const now = t('2026-03-14T15:15:00Z'); // Sat 11:15 EDT
    expect(c.hour(now)).toBe(11);
    expect(c.weekday(now)).toBe(6);
    expect(c.minuteOfDay(now)).toBe(11 * 60 + 15);
    expect(zoneClock('Asia/Kathmandu').minuteOfDay(t('2026-01-01T00:00:00Z'))).toBe(5 * 60 + 45);
  });
  it('rejects unknown zones', () => {
    expect(() => zoneClock('Mars/Olympus_Mons')).toThrow(/unknown time zone/);
  });
});

describe('business hours across DST (America/New_York, Mon-Fri 09:00-18:00)', () => {
  // 2026-03-09 is the Monday after clocks spring forward (EDT, UTC-4).
  it('2026-03-09: 08:59 closed, 09:00 open, 17:59 open, 18:00 closed', () => {
    expect(isOpen(business, t('2026-03-09T12:59:00Z'))).toBe(false);
    expect(isOpen(business, t('2026-03-09T13:00:00Z'))).toBe(true);
    expect(isOpen(business, t('2026-03-09T21:59:00Z'))).toBe(true);
    expect(isOpen(business, t('2026-03-09T22:00:00Z'))).toBe(false);
  });
  // 2026-11-02 is the Monday after clocks fall back (EST, UTC-5).
  it('2026-11-02: 08:59 closed, 09:00 open', () => {
    expect(isOpen(business, t('2026-11-02T13:59:00Z'))).toBe(false);
    expect(isOpen(business, t('2026-11-02T14:00:00Z'))).toBe(true);
    expect(isOpen(business, t('2026-11-02T22:59:00Z'))).toBe(true);
    expect(isOpen(business, t('2026-11-02T23:00:00Z'))).toBe(false);
  });
  it('the previous Friday, before each change', () => {
    expect(isOpen(business, t('2026-03-06T13:59:00Z'))).toBe(false); // 08:59 EST
    expect(isOpen(business, t('2026-03-06T14:00:00Z'))).toBe(true); // 09:00 EST
    expect(isOpen(business, t('2026-10-30T12:59:00Z'))).toBe(false); // 08:59 EDT
    expect(isOpen(business, t('2026-10-30T13:00:00Z'))).toBe(true); // 09:00 EDT
  });
  it('closed at weekends; several windows add up; no windows means always open', () => {
    expect(isOpen(business, t('2026-03-14T15:00:00Z'))).toBe(false);
    const withSat = [...business, loadHours({ days: [6], from: 600, to: 840, zone: NY })];
    expect(isOpen(withSat, t('2026-03-14T15:00:00Z'))).toBe(true); // Sat 11:00
    expect(isOpen(withSat, t('2026-03-14T18:00:00Z'))).toBe(false); // Sat 14:00
    expect(isOpen([], t('2026-03-14T15:00:00Z'))).toBe(true);
  });
  it('a window to 24:00 includes 23:59', () => {
    const late = [loadHours({ days: [1, 2, 3, 4, 5, 6, 7], from: 1200, to: 1440, zone: 'UTC' })];
    expect(isOpen(late, t('2026-03-14T23:59:59Z'))).toBe(true);
    expect(isOpen(late, t('2026-03-15T00:00:00Z'))).toBe(false);
  });

  it('through the router: a buyer opens at 09:00 local on both Mondays', () => {
    const plan = planOf(`
buyer Premium { price $45  hours Mon-Fri 09:00-18:00 "America/New_York" }
flow main { route Premium }`);
    const r = new Router(plan, { trace: true });
    const at = (iso: string) => r.route(lead(), { now: iso });
    expect(at('2026-03-09T12:59:00Z').status).toBe('unrouted');
    expect(at('2026-03-09T13:00:00Z').status).toBe('routed');
    expect(at('2026-11-02T13:59:00Z').status).toBe('unrouted');
    expect(at('2026-11-02T14:00:00Z').status).toBe('routed');
    const closed = at('2026-03-14T15:15:00Z');
    expect(closed.trace.find((e) => e.code === 'Closed')?.message).toBe(
      'Premium closed: outside Mon-Fri 09:00-18:00 America/New_York (it is Sat 11:15 there)',
    );
  });
});

describe('calendar windows', () => {
  it('a day window follows local midnight in the zone', () => {
    const c = zoneClock(NY);
    const before = c.windows(t('2026-03-10T03:59:00Z')); // 23:59 EDT on the 9th
    const after = c.windows(t('2026-03-10T04:00:00Z')); // 00:00 EDT on the 10th
    expect(after.ids[2]).toBe(before.ids[2]! + 1);
    expect(before.expires[2]).toBeGreaterThanOrEqual(t('2026-03-10T04:00:00Z'));
  });
  it('a week window starts on Monday, a month window on the 1st', () => {
    const c = zoneClock('UTC');
    const sun = c.windows(t('2026-03-15T23:59:00Z'));
    const mon = c.windows(t('2026-03-16T00:00:00Z'));
    expect(mon.ids[3]).toBe(sun.ids[3]! + 7);
    expect(c.windows(t('2026-03-31T23:59:00Z')).ids[4]).toBe(2026 * 12 + 2);
    expect(c.windows(t('2026-04-01T00:00:00Z')).ids[4]).toBe(2026 * 12 + 3);
  });
  it('the repeated hour when clocks fall back is two separate hour windows', () => {
    const c = zoneClock(NY);
    const first = c.windows(t('2026-11-01T05:30:00Z')); // 01:30 EDT
    const second = c.windows(t('2026-11-01T06:30:00Z')); // 01:30 EST
    expect(first.ids[1]).not.toBe(second.ids[1]);
    expect(first.ids[2]).toBe(second.ids[2]); // same local day
  });
  it('an hour window in a half-hour zone starts at local :00', () => {
    const c = zoneClock('Asia/Kolkata');
    const a = c.windows(t('2026-03-10T04:29:00Z')); // 09:59 IST
    const b = c.windows(t('2026-03-10T04:30:00Z')); // 10:00 IST
    expect(b.ids[1]).toBe(t('2026-03-10T04:30:00Z'));
    expect(a.ids[1]).toBe(t('2026-03-10T03:30:00Z'));
  });
});

describe('formatting', () => {
  it('formats days and clock times', () => {
    expect(formatDays([1, 2, 3, 4, 5])).toBe('Mon-Fri');
    expect(formatDays([6, 7])).toBe('Sat,Sun');
    expect(formatDays([1, 3, 5])).toBe('Mon,Wed,Fri');
    expect(formatDays([1, 2, 3, 5, 6, 7])).toBe('Mon-Wed,Fri-Sun');
    expect(formatDays([1, 2, 3, 4, 5, 6, 7])).toBe('daily');
    expect(formatClock(540)).toBe('09:00');
    expect(formatClock(1440)).toBe('24:00');
  });
  it('describes why a buyer is closed', () => {
    const hours = [loadHours(NY_BUSINESS), loadHours({ days: [6], from: 600, to: 840, zone: NY })];
    expect(describeClosed(hours, t('2026-03-15T14:15:00Z'))).toBe(
      'outside Mon-Fri 09:00-18:00, Sat 10:00-14:00 America/New_York (it is Sun 10:15 there)',
    );
  });
});

describe('isoString', () => {
  it('equals Date#toISOString', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoString(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
    for (const ms of [0, 999, 1000, 86_399_999, 86_400_000, Date.parse('2026-03-10T15:00:00.123Z'), 253_402_300_799_999]) {
      expect(isoString(ms)).toBe(new Date(ms).toISOString());
      expect(isoString(ms + 1)).toBe(new Date(ms + 1).toISOString());
    }
    expect(isoString(1.5)).toBe(new Date(1.5).toISOString());
  });
});
