// `dedupe email, phone within 30d`: the buyer refuses a lead whose field value
// (normalised: emails lower-cased, phones as digits) it bought within the
// window. Taking a lead stores its keys (Engine.take).

import { positiveDuration } from '../check/http.js';
import type { LoadedBuyer } from '../runtime/load.js';
import { dedupeKey, FAIL_DUPLICATE, formatDuration, normaliseForDedupe, OK } from '../runtime/run.js';
import { checkFieldList } from './requires.js';
import { durationMs, type ClauseModule, type Refusal } from './types.js';

/** The keys a sale of `lead` to `buyer` stores (the buyer has a dedupe). */
export function dedupeKeysOf(buyer: LoadedBuyer, lead: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const fld of buyer.dedupe!.fields) {
    const v = normaliseForDedupe(lead[fld.name], fld.norm);
    if (v !== '') out.push(dedupeKey(buyer.name, fld.name, v));
  }
  return out;
}

const refuseDuplicate: Refusal = (engine, run, buyer) => {
  const dd = buyer.dedupe!;
  const ctx = run.ctx;
  for (const fld of dd.fields) {
    const v = normaliseForDedupe(ctx.lead[fld.name], fld.norm);
    if (v === '') continue;
    if (engine.store.hasKey(dedupeKey(buyer.name, fld.name, v), ctx.now)) {
      engine.fail(run, buyer.index, FAIL_DUPLICATE, fld.name);
      if (run.trace) {
        engine.note(run, 'Duplicate', `${buyer.name} skipped: duplicate (${fld.name} sold to ${buyer.name} within ${formatDuration(dd.windowMs)})`, buyer.name);
      }
      return FAIL_DUPLICATE;
    }
  }
  return OK;
};

export const dedupeClause: ClauseModule<'dedupe'> = {
  kind: 'dedupe',
  check(ctx, exprs, c) {
    checkFieldList(ctx, c.fields, '`dedupe`');
    positiveDuration(ctx, exprs, c.window, 'a dedupe window', 'suppresses nothing');
  },
  emit(c, draft) {
    draft.plan.dedupe = { fields: c.fields.map((f) => f.name), windowMs: durationMs(c.window) };
  },
  load(b, into, env) {
    into.dedupe =
      b.dedupe === undefined || b.dedupe === null
        ? null
        : {
            windowMs: b.dedupe.windowMs,
            fields: b.dedupe.fields.map((name) => {
              const kind = env.fieldKind(name);
              return { name, norm: kind === 'email' ? 'email' : kind === 'phone' ? 'phone' : 'text' };
            }),
          };
  },
  refusal: { refuse: refuseDuplicate, applies: (b) => b.dedupe !== null },
  traits: {
    canRefuse: true,
    selling: false,
    perBuyer: 'once',
    onceHelp: 'list every field in one `dedupe`, e.g. `dedupe email, phone within 30d`',
  },
};
