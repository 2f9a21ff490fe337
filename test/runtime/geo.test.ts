// Geography built-ins: distance(), zip_timezone(), zip_state().
import { describe, it, expect } from 'vitest';
import { compileExpr, compilePredicate, Router, zipDistance, zipState, zipTimezone } from '../../src/runtime/index.js';
import { BUILTINS } from '../../src/lang/builtins.js';
import { planOf } from '../helpers/lang.js';
import { call, cmp, f, lead, lit, messages, TestStore } from './helpers.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');
const ctx = (lead: Record<string, unknown>) => ({ lead, random: 1, now: NOW });

describe('geography data', () => {
  it('distance between ZIP centroids in miles (haversine)', () => {
    expect(zipDistance('10001', '90210')).toBeGreaterThan(2440);
    expect(zipDistance('10001', '90210')).toBeLessThan(2460);
    expect(zipDistance('10001', '02108')).toBeCloseTo(188, -1);
    expect(zipDistance('10001', '10001')).toBe(0);
    expect(zipDistance('10001-1234', '90210')).toBe(zipDistance('10001', '90210'));
    expect(zipDistance('10001', '00000')).toBeUndefined();
    expect(zipDistance('nope', '10001')).toBeUndefined();
  });

  it('state and time zone of a ZIP', () => {
    expect(zipState('90210')).toBe('CA');
    expect(zipState('60601-0001')).toBe('IL');
    expect(zipTimezone('10001')).toBe('America/New_York');
    expect(zipTimezone('60601')).toBe('America/Chicago');
    expect(zipTimezone('85001')).toBe('America/Phoenix');
    expect(zipTimezone('79901')).toBe('America/Denver'); // El Paso keeps Mountain time
    expect(zipTimezone('96813')).toBe('Pacific/Honolulu');
    expect(zipTimezone('00000')).toBeUndefined();
    expect(zipState('00000')).toBeUndefined();
  });

  it('a ZIP the time-zone table lacks takes the zone of the nearest known ZIP in its state', () => {
    expect(zipTimezone('12093')).toBe('America/New_York'); // Jefferson, NY
  });

  it('the built-ins are declared for the checker', () => {
    expect(BUILTINS.distance).toMatchObject({ params: ['zip', 'zip'], result: 'number' });
    expect(BUILTINS.zip_timezone).toMatchObject({ params: ['zip'], result: 'string' });
    expect(BUILTINS.zip_state).toMatchObject({ params: ['zip'], result: 'state' });
  });
});

describe('geography in expressions', () => {
  it('evaluates the calls; an unknown ZIP is missing, so comparisons are false', () => {
    const near = compilePredicate(cmp('<=', call('distance', f('zip'), lit('10001')), lit(50)));
    expect(near(ctx({ zip: '10016' }))).toBe(true);
    expect(near(ctx({ zip: '90210' }))).toBe(false);
    expect(near(ctx({ zip: '00000' }))).toBe(false);
    expect(near(ctx({}))).toBe(false);
    const far = compilePredicate(cmp('>', call('distance', f('zip'), lit('10001')), lit(50)));
    expect(far(ctx({ zip: '00000' }))).toBe(false);
    expect(compileExpr(call('zip_state', f('zip')))(ctx({ zip: '73301' }))).toBe('TX');
    expect(compileExpr(call('zip_timezone', f('zip')))(ctx({ zip: '98101' }))).toBe('America/Los_Angeles');
  });

  it('hour(zip_timezone(zip)): the lead’s local hour', () => {
    const h = compileExpr(call('hour', call('zip_timezone', f('zip'))));
    expect(h(ctx({ zip: '10001' }))).toBe(11);
    expect(h(ctx({ zip: '90210' }))).toBe(8);
    expect(h(ctx({ zip: '00000' }))).toBeUndefined();
  });

  it('routes by radius', () => {
    const plan = planOf(`
buyer Local { accepts distance(zip, "10001") <= 25  price $30 }
buyer National { price $10 }
flow main { waterfall { Local; National } }`);
    const r = new Router(plan, { store: new TestStore(), trace: true });
    expect(r.route(lead({ zip: '11201' }), { now: NOW }).buyers[0]!.name).toBe('Local'); // Brooklyn
    const la = r.route(lead({ zip: '90210' }), { now: NOW });
    expect(la.buyers[0]!.name).toBe('National');
    expect(messages(la)).toContain('Local skipped: accepts `distance(zip, "10001") <= 25` is false (zip = 90210)');
  });
});
