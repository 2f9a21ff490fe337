// The buyer clauses, one module per kind of `BuyerClause`, in one table keyed
// by the kind. The table's type makes a missing kind, or a clause missing a
// phase or a trait, a compile error (test/clauses/registry.test.ts shows it).
// The checker, the emitter, the loader, the engine's buyer check and the flow
// analyses (which buyers can refuse) all go through it.

import type { BuyerClause } from '../lang/ast.js';
import type { CheckContext } from '../check/context.js';
import type { ExprChecker } from '../check/exprs.js';
import type { LoadedBuyer } from '../runtime/load.js';
import { acceptsClause } from './accepts.js';
import { batchClause } from './batch.js';
import { bidClause } from './bid.js';
import { breakerClause } from './breaker.js';
import { capClause } from './cap.js';
import { closedClause } from './closed.js';
import { dedupeClause } from './dedupe.js';
import { delayClause } from './delay.js';
import { holidaysClause } from './holidays.js';
import { hoursClause } from './hours.js';
import { overflowClause } from './overflow.js';
import { pingClause } from './ping.js';
import { pixelClause } from './pixel.js';
import { postClause } from './post.js';
import { prefersClause } from './prefers.js';
import { priceClause } from './price.js';
import { DEFAULT_RELATIONSHIP, relationshipClause } from './relationship.js';
import type { PlanSource } from '../plan/index.js';
import { requiresClause } from './requires.js';
import { saleClause } from './sale.js';
import type { BuyerCheckEnv, BuyerDraft, BuyerEmitEnv, ClauseKind, ClauseModule, DraftPlanBuyer, Refusal } from './types.js';

/** Every clause kind, each with the module for its own AST variant. */
export type ClauseRegistry = { [K in ClauseKind]: ClauseModule<K> };

export const CLAUSES = {
  accepts: acceptsClause,
  price: priceClause,
  cap: capClause,
  hours: hoursClause,
  overflow: overflowClause,
  prefers: prefersClause,
  relationship: relationshipClause,
  holidays: holidaysClause,
  closed: closedClause,
  dedupe: dedupeClause,
  requires: requiresClause,
  ping: pingClause,
  bid: bidClause,
  post: postClause,
  sale: saleClause,
  pixel: pixelClause,
  delay: delayClause,
  batch: batchClause,
  breaker: breakerClause,
} satisfies ClauseRegistry;

export const CLAUSE_KINDS = Object.keys(CLAUSES) as ClauseKind[];

/**
 * The order the engine runs the refusals in, cheapest and most telling first:
 * a lead the buyer does not accept is reported as that, not as "closed". Cap
 * is last: it works out the price, which dollar caps read. Every kind whose
 * module has a refusal is listed once (test/clauses/registry.test.ts).
 */
export const REFUSAL_ORDER = ['accepts', 'requires', 'hours', 'holidays', 'dedupe', 'cap'] as const satisfies readonly ClauseKind[];

// The dispatchers. CLAUSES[c.kind] is the module of exactly c's variant, but
// TypeScript cannot correlate a union value with the table entry its kind
// selects, so the entry is widened once, here, to the whole union.
type AnyClause = ClauseModule<ClauseKind> & {
  check(ctx: CheckContext, exprs: ExprChecker, c: BuyerClause, buyer: BuyerCheckEnv): void;
  emit(c: BuyerClause, draft: BuyerDraft, env: BuyerEmitEnv): void;
};

/** The module of a kind; undefined only for an AST built by hand with a kind no clause has. */
export function clauseOf(kind: string): AnyClause | undefined {
  return Object.hasOwn(CLAUSES, kind) ? (CLAUSES[kind as ClauseKind] as unknown as AnyClause) : undefined;
}

/** A buyer with no clauses, as the plan writes it; each clause's emit then
 *  sets its part (the defaults are those plan/declaration.ts documents). */
export function emptyPlanBuyer(name: string, source: PlanSource): DraftPlanBuyer {
  // Keys in the plan's order: the JSON (and the golden plans) keep it.
  return {
    name,
    accepts: [],
    price: null,
    caps: [],
    hours: [],
    zone: 'UTC',
    overflow: null,
    source,
    prefers: [],
    relationship: DEFAULT_RELATIONSHIP,
    holidays: [],
    offHours: { kind: 'skip' },
    dedupe: null,
    requires: [],
    ping: null,
    post: null,
    backupPost: null,
    pixels: [],
    delivery: { delayMs: 0, batch: null, breaker: null },
  };
}

/** A repeat of a once-per-buyer clause is keyed apart for `post` and `backup post`. */
export function onceKey(c: BuyerClause): string | null {
  const m = clauseOf(c.kind);
  if (m === undefined || m.traits.perBuyer !== 'once') return null;
  return c.kind === 'post' && c.backup ? 'backup post' : c.kind;
}

/** The refusals a loaded buyer's check runs, in REFUSAL_ORDER, chosen once at load. */
export function refusalsOf(b: LoadedBuyer): Refusal[] {
  const out: Refusal[] = [];
  for (const kind of REFUSAL_ORDER) {
    const r = CLAUSES[kind].refusal;
    if (r !== null && r.applies(b)) out.push(r.refuse);
  }
  return out;
}

export { durationMs } from './types.js';
export type { BuyerCheckEnv, BuyerDraft, BuyerEmitEnv, BuyerLoadEnv, ClauseKind, ClauseModule, ClauseOf, ClauseTraits, Refusal } from './types.js';
export { checkCaps, emitCap } from './cap.js';
export { checkHours } from './hours.js';
export { checkFieldList } from './requires.js';
export { dedupeKeysOf } from './dedupe.js';
export { priceFor } from './price.js';
export { defaultBid } from './ping.js';
export { DEFAULT_RELATIONSHIP } from './relationship.js';
export { BID_KEYS } from './bid.js';
export { PIXEL_EVENTS } from './pixel.js';
export { BATCH_FORMATS } from './batch.js';
