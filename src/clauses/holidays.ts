// `holidays "US", "US-CA"`: the buyer is closed on those public holidays (in
// its zone). Calendars are defined once, in src/core/calendars.ts. Closed on a
// holiday, it refuses the lead, and with `when closed hold` holds it.

import { checkCalendar } from '../check/holidays.js';
import { OFF_HOLD } from './closed.js';
import { FAIL_HOLIDAY, OK } from '../runtime/run.js';
import type { ClauseModule, Refusal } from './types.js';

const refuseOnHoliday: Refusal = (engine, run, buyer, _counters, override, premium) => {
  const h = engine.holidayAt(buyer, run.ctx.now);
  if (h === null) return OK;
  engine.fail(run, buyer.index, FAIL_HOLIDAY, h);
  if (run.trace) engine.note(run, 'Holiday', `${buyer.name} closed: ${h.name} (${h.calendar} holiday)`, buyer.name);
  if (buyer.offHours === OFF_HOLD) engine.registerHold(run, buyer, override, premium);
  return FAIL_HOLIDAY;
};

export const holidaysClause: ClauseModule<'holidays'> = {
  kind: 'holidays',
  check(ctx, _exprs, c) {
    for (const cal of Array.isArray(c.calendars) ? c.calendars : []) {
      if (!cal || typeof cal.value !== 'string') continue;
      const bad = checkCalendar(cal.value);
      if (bad) ctx.report('LR502', cal.span ?? c.span, JSON.stringify(cal.value), bad.problem, bad.suggestion);
    }
  },
  emit(c, draft) {
    draft.plan.holidays.push(...c.calendars.map((cal) => cal.value));
  },
  load(b, into) {
    into.holidays = b.holidays ?? [];
  },
  refusal: { refuse: refuseOnHoliday, applies: (b) => b.holidays.length > 0 },
  traits: { canRefuse: true, selling: false, perBuyer: 'many' },
};
