// `hours Mon-Fri 09:00-17:00 "America/New_York"`: when the buyer takes leads.
// The first `hours` line's zone is the buyer's zone (its caps count in it).
// A closed buyer refuses the lead, and with `when closed hold` holds it.

import type { HoursSpec, Span } from '../lang/ast.js';
import { type CheckContext, isSpan } from '../check/context.js';
import { closestZone, isValidZone } from '../check/zones.js';
import { OFF_HOLD } from './closed.js';
import { FAIL_CLOSED, OK } from '../runtime/run.js';
import { describeClosed, isOpen, loadHours } from '../runtime/time.js';
import type { ClauseModule, Refusal } from './types.js';

function clock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function checkHours(ctx: CheckContext, h: HoursSpec | undefined, clauseSpan: Span): void {
  if (!h || typeof h !== 'object') return;
  const span = isSpan(h.span) ? h.span : clauseSpan;
  if (typeof h.zone === 'string' && !isValidZone(h.zone)) {
    const best = closestZone(h.zone);
    const at = isSpan(h.zoneSpan) ? h.zoneSpan : span;
    if (best) ctx.report('LR500', at, JSON.stringify(h.zone), best);
    else ctx.report('LR500.noNear', at, JSON.stringify(h.zone));
  }
  if (Array.isArray(h.days)) {
    const bad = h.days.filter((d) => !(Number.isInteger(d) && d >= 1 && d <= 7));
    if (bad.length > 0)
      ctx.report('LR501', span, bad.join(', '));
  }
  if (typeof h.from === 'number' && typeof h.to === 'number' && h.from >= h.to) {
    if (h.from === h.to) ctx.report('LR501.sameTime', span, clock(h.from));
    else ctx.report('LR501.closeBeforeOpen', span, clock(h.to), clock(h.from));
  }
}

const refuseClosed: Refusal = (engine, run, buyer, _counters, override, premium) => {
  const now = run.ctx.now;
  if (isOpen(buyer.hours, now)) return OK;
  engine.fail(run, buyer.index, FAIL_CLOSED, null);
  if (run.trace) engine.note(run, 'Closed', `${buyer.name} closed: ${describeClosed(buyer.hours, now)}`, buyer.name);
  if (buyer.offHours === OFF_HOLD) engine.registerHold(run, buyer, override, premium);
  return FAIL_CLOSED;
};

export const hoursClause: ClauseModule<'hours'> = {
  kind: 'hours',
  check: (ctx, _exprs, c) => checkHours(ctx, c.hours, c.span),
  emit(c, draft) {
    const h = c.hours;
    if (draft.plan.hours.length === 0) draft.plan.zone = h.zone;
    draft.plan.hours.push({ days: h.days, from: h.from, to: h.to, zone: h.zone });
  },
  load(b, into) {
    into.hours = b.hours.map(loadHours);
  },
  refusal: { refuse: refuseClosed, applies: (b) => b.hours.length > 0 },
  traits: { canRefuse: true, selling: false, perBuyer: 'many' },
};
