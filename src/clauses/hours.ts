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
    ctx.reportText(
      'LR500',
      isSpan(h.zoneSpan) ? h.zoneSpan : span,
      `unknown time zone \`${JSON.stringify(h.zone)}\``,
      best ? `did you mean \`"${best}"\`?` : 'use an IANA time zone name such as `"America/New_York"`',
    );
  }
  if (Array.isArray(h.days)) {
    const bad = h.days.filter((d) => !(Number.isInteger(d) && d >= 1 && d <= 7));
    if (bad.length > 0)
      ctx.reportText('LR501', span, `unknown day in business hours (${bad.join(', ')})`, 'days are `Mon` … `Sun`');
  }
  if (typeof h.from === 'number' && typeof h.to === 'number' && h.from >= h.to) {
    ctx.reportText(
      'LR501',
      span,
      h.from === h.to
        ? `these hours open and close at the same time (${clock(h.from)}), so they are never open`
        : `these hours close (${clock(h.to)}) before they open (${clock(h.from)})`,
      h.from > h.to
        ? `hours stay within one day; for overnight hours write two lines, e.g. \`${clock(h.from)}-24:00\` and \`00:00-${clock(h.to)}\` on the next days`
        : undefined,
    );
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
