// `cap 100/day, $5000/week`: how many leads (or dollars) the buyer takes per
// window, counted in its zone. Rules check a rule's own caps (`route X cap …`)
// the same way (checkCaps). At routing time this is the last step of the
// buyer check: the lead's price is worked out here, since dollar caps read it.

import type { CapSpec } from '../lang/ast.js';
import type { CheckContext } from '../check/context.js';
import type { PlanCap } from '../plan/index.js';
import { buyerCapPrefix, makeCounters, type CapCounter } from '../runtime/caps.js';
import type { Engine } from '../runtime/engine.js';
import type { LoadedBuyer } from '../runtime/load.js';
import { FAIL_CAP, FAIL_PRICE, money, OK, priceProblem, type Run } from '../runtime/run.js';
import { priceFor } from './price.js';
import type { ClauseModule, Refusal } from './types.js';

const UNIT_TEXT: Record<string, string> = { minute: 'min', hour: 'h', day: 'day', week: 'week', month: 'month' };

/** Caps must be above zero, and lead counts whole (LR600). */
export function checkCaps(ctx: CheckContext, caps: CapSpec[] | undefined): void {
  if (!Array.isArray(caps)) return;
  for (const cap of caps) {
    if (!cap || typeof cap.limit !== 'number') continue;
    const unit = UNIT_TEXT[cap.unit] ?? cap.unit;
    const text = cap.measure === 'dollars' ? `$${cap.limit}/${unit}` : `${cap.limit}/${unit}`;
    if (!(cap.limit > 0)) {
      ctx.report('LR600', cap.span, text);
    } else if (cap.measure === 'leads' && !Number.isInteger(cap.limit)) {
      ctx.report('LR600.fractionalLeads', cap.span, text, String(Math.floor(cap.limit) || 1), unit);
    }
  }
}

export const emitCap = (c: CapSpec): PlanCap => ({ measure: c.measure, limit: c.limit, unit: c.unit });

function noteCapped(engine: Engine, run: Run, buyer: LoadedBuyer, full: CapCounter, ruleCap: boolean, price: number): void {
  let msg = `${buyer.name} skipped: ${ruleCap ? 'rule cap' : 'cap'} ${full.label()} reached`;
  if (full.measure === 'dollars') {
    const used = full.used(engine.store, buyer.clock.windows(run.ctx.now).ids, run.ctx.now);
    msg += ` (${money(used)} used, price ${money(price)})`;
  }
  engine.note(run, 'CapExceeded', msg, buyer.name);
}

/** The price (a price that is not finite, or negative, refuses: FAIL_PRICE),
 *  then the rule's caps and the buyer's own: OK sets run.price. */
const refuseCapped: Refusal = (engine, run, buyer, counters, override, premium) => {
  const now = run.ctx.now;
  const price = priceFor(buyer, override, premium, run.ctx);
  const problem = priceProblem(price);
  if (problem !== null) {
    engine.fail(run, buyer.index, FAIL_PRICE, problem);
    if (run.trace) engine.note(run, 'PriceInvalid', `${buyer.name} skipped: its ${problem}`, buyer.name);
    return FAIL_PRICE;
  }
  if (counters.length > 0 || buyer.counters.length > 0) {
    const store = engine.store;
    const ids = buyer.clock.windows(now).ids;
    let full: CapCounter | null = null;
    let ruleCap = false;
    for (let i = 0; i < counters.length; i++) {
      if (!counters[i]!.hasRoom(store, ids, now, price)) {
        full = counters[i]!;
        ruleCap = true;
        break;
      }
    }
    if (full === null) {
      const own = buyer.counters;
      for (let i = 0; i < own.length; i++) {
        if (!own[i]!.hasRoom(store, ids, now, price)) {
          full = own[i]!;
          break;
        }
      }
    }
    if (full !== null) {
      run.full = full;
      engine.fail(run, buyer.index, FAIL_CAP, full);
      if (run.trace) noteCapped(engine, run, buyer, full, ruleCap, price);
      return FAIL_CAP;
    }
  }
  run.price = price;
  return OK;
};

export const capClause: ClauseModule<'cap'> = {
  kind: 'cap',
  check: (ctx, _exprs, c) => checkCaps(ctx, c.caps),
  emit(c, draft) {
    draft.plan.caps.push(...c.caps.map(emitCap));
  },
  load(b, into) {
    into.counters = makeCounters(buyerCapPrefix(b.name), b.caps);
  },
  // Always applies: a rule's caps count too, and the price is set here.
  refusal: { refuse: refuseCapped, applies: () => true },
  traits: { canRefuse: true, selling: false, perBuyer: 'many' },
};
