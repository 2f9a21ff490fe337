// One definition of a holiday calendar: what the checker accepts, the plan loads and the router serves.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/index.js';
import { calendarProblem } from '../../src/core/calendars.js';
import { verifyPlan } from '../../src/models/plan.js';
import { Router } from '../../src/runtime/index.js';
import { buyer, lead, makePlan, route, rule } from '../runtime/helpers.js';

const withCalendar = (code: string) => `lead { state: state }\nbuyer B {\n  holidays "${code}"\n  price $5\n}\nflow main { route B }\n`;

describe('holiday calendars agree from check to load', () => {
  it('"DE-BY-A" (Augsburg) checks, compiles, loads and closes the buyer on its own holiday', () => {
    const { plan, diagnostics } = compile(withCalendar('DE-BY-A'));
    expect(diagnostics).toEqual([]);
    const router = new Router(plan!);
    // Augsburger Hohes Friedensfest, 8 August: a holiday in Augsburg only.
    expect(router.route({ state: 'CA' }, { now: '2026-08-08T12:00:00Z' }).status).toBe('unrouted');
    const bavaria = new Router(compile(withCalendar('DE-BY')).plan!);
    expect(bavaria.route({ state: 'CA' }, { now: '2026-08-08T12:00:00Z' }).status).toBe('routed');
  });

  it('"CK-Aitutaki", which date-holidays lists but cannot look up, is a check error with the code to write', () => {
    const { plan, diagnostics } = compile(withCalendar('CK-Aitutaki'));
    expect(plan).toBeNull();
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'LR502', message: expect.stringContaining('cannot look up'), suggestion: 'write `"CK"`' }),
    ]);
    expect(compile(withCalendar('CK')).diagnostics).toEqual([]);
  });

  it('lower case and typos get a did-you-mean', () => {
    expect(calendarProblem('de-by-a')?.suggestion).toBe('did you mean `"DE-BY-A"`?');
    expect(calendarProblem('DE-BYX')?.suggestion).toBe('did you mean `"DE-BY"`?');
    expect(calendarProblem('DE-BY-Q')?.problem).toContain('no part of `DE-BY`');
    expect(calendarProblem('DE-BY-A-B')?.problem).toContain('no part of `DE-BY`');
  });

  it('for every country, state and region date-holidays lists, the checker and the verifier agree, and what they accept loads', () => {
    const H = createRequire(import.meta.url)('date-holidays') as new () => {
      getCountries(): Record<string, string>;
      getStates(c: string): Record<string, string> | undefined;
      getRegions(c: string, s: string): Record<string, string> | undefined;
    };
    const h = new H();
    const codes: string[] = [];
    for (const c of Object.keys(h.getCountries())) {
      codes.push(c, c.toLowerCase());
      for (const s of Object.keys(h.getStates(c) ?? {})) {
        codes.push(`${c}-${s}`);
        for (const r of Object.keys(h.getRegions(c, s) ?? {})) codes.push(`${c}-${s}-${r}`);
      }
    }
    // Every listed code is tried for agreement; every 20th accepted one is also routed with.
    let accepted = 0;
    for (const code of codes) {
      const checkOk = calendarProblem(code) === undefined;
      const plan = makePlan({ buyers: [buyer('B', { holidays: [code] })], rules: [rule('main#0', route('B'))] });
      const verified = verifyPlan(plan);
      expect({ code, loads: verified.length === 0 }).toEqual({ code, loads: checkOk });
      if (checkOk && accepted++ % 20 === 0) expect(new Router(plan).route(lead(), { now: '2026-01-01T12:00:00Z' }).status).not.toBe('rejected');
    }
    expect(accepted).toBeGreaterThan(500);
    expect(codes.length - accepted).toBeGreaterThan(200);
  });
});
