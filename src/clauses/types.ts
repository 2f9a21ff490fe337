// What a buyer clause (`accepts`, `price`, `cap`, `hours`, … `breaker`)
// provides: one value per clause kind, with every phase and every trait, so
// that the table in index.ts fails to compile when a kind misses one.
//
//   check    the checked AST clause (diagnostics)
//   emit     its contribution to the plan's PlanBuyer (plain JSON)
//   load     its contribution to the LoadedBuyer the router reads
//   refusal  what it does at routing time, if it can turn a lead away: the
//            engine's per-buyer check calls it (src/runtime/engine.ts)
//   traits   what other passes read instead of their own lists
//
// The selling clauses (ping, bid, post, pixel, delay, batch, breaker) are run
// by src/auction and src/deliver, which read the plan: here they check and
// emit, and load nothing.

import type { BuyerClause, Expr, HeaderSpec, TemplateRef } from '../lang/ast.js';
import type { CheckContext } from '../check/context.js';
import type { ExprChecker } from '../check/exprs.js';
import type { TemplateChecker } from '../check/templates.js';
import type { EmitEnv } from '../models/types.js';
import type { PlanBuyer, PlanExpr, PlanHeader, PlanPing, PlanTemplate, PlanValue } from '../plan/index.js';
import type { CapCounter } from '../runtime/caps.js';
import type { Engine } from '../runtime/engine.js';
import type { Evaluator } from '../runtime/expr.js';
import type { LoadedBuyer, LoadedCondition } from '../runtime/load.js';
import type { Premium, Run } from '../runtime/run.js';

export type ClauseKind = BuyerClause['kind'];
export type ClauseOf<K extends ClauseKind> = Extract<BuyerClause, { kind: K }>;

/** What checking a clause knows about the buyer declaring it. */
export interface BuyerCheckEnv {
  name: string;
  clauses: readonly BuyerClause[];
  hasPing: boolean;
  hasPost: boolean;
  templates: TemplateChecker;
  /** Whether `c` is the first clause of its once-key (a repeat is LR209 already). */
  isFirst(c: BuyerClause): boolean;
}

/** What emitting a clause needs beyond the routing models' EmitEnv. */
export interface BuyerEmitEnv extends EmitEnv {
  /** A template reference with its file's text. */
  template(ref: TemplateRef | undefined): PlanTemplate | null;
}

/** The PlanBuyer being built, starting from every clause's default, plus the
 *  `bid` mapping, which lands in the ping whichever of the two comes first. */
export interface BuyerDraft {
  /** The emitter writes every field, the optional ones included, but for
   *  `sale`, written only when the buyer has the clause. */
  plan: DraftPlanBuyer;
  bid: PlanPing['bid'] | null;
}

/** A PlanBuyer with every field present but those written only when declared. */
export type DraftPlanBuyer = Required<Omit<PlanBuyer, 'sale'>> & Pick<PlanBuyer, 'sale'>;

/** What loading a clause needs from the loader; a failure is a problem at its path, not a throw. */
export interface BuyerLoadEnv {
  buyer(name: string, path: string): number;
  cond(e: PlanExpr, text: string, path: string): LoadedCondition;
  expr(e: PlanExpr, path: string): Evaluator;
  predicate(e: PlanExpr, path: string): LoadedCondition['test'];
  /** The declared kind of a lead field (`email`, `phone`, …), if any. */
  fieldKind(name: string): string | undefined;
}

/**
 * A refusal check at routing time: OK (0), or the clause's FAIL_* code after
 * recording the refusal (engine.fail) and, when tracing, its trace line.
 * A plain module-level function over the reused Run: it allocates nothing on
 * the way to OK.
 */
export type Refusal = (
  engine: Engine,
  run: Run,
  buyer: LoadedBuyer,
  counters: CapCounter[],
  override: Evaluator | null,
  premium: Premium | null,
) => number;

export interface ClauseTraits {
  /** Whether a buyer with this clause may turn a lead away at routing time
   *  (reachability, LR403: a rule whose buyers can all refuse falls through). */
  canRefuse: boolean;
  /** Whether the clause is about selling (run by src/auction, src/deliver). */
  selling: boolean;
  /** How many a buyer may have: 'once' (more is LR209) or 'many'. */
  perBuyer: 'once' | 'many';
  /** The LR209 advice for a repeat, when a better one than "keep one" exists. */
  onceHelp?: string;
}

export interface ClauseModule<K extends ClauseKind> {
  kind: K;
  check(ctx: CheckContext, exprs: ExprChecker, c: ClauseOf<K>, buyer: BuyerCheckEnv): void;
  emit(c: ClauseOf<K>, draft: BuyerDraft, env: BuyerEmitEnv): void;
  /** Fill the clause's fields of `into` from the plan (the fields start at their defaults). */
  load(b: PlanBuyer, into: LoadedBuyer, env: BuyerLoadEnv, path: string): void;
  /** The routing-time refusal, null for a clause that never refuses on its own;
   *  `applies` says, once at load, whether a buyer's check runs it. */
  refusal: { refuse: Refusal; applies(b: LoadedBuyer): boolean } | null;
  traits: ClauseTraits;
}

/** `load` of a clause whose plan part the router does not read. */
export const loadsNothing = (): void => undefined;

/** A duration literal's milliseconds (0 for anything else: the checker has reported it). */
export const durationMs = (e: Expr): number => (e.kind === 'duration' ? e.ms : 0);

/** The literal a reply is compared with (`"status" == "accepted"`); `true` when none is given. */
export function literalValue(e: Expr | undefined, env: EmitEnv): PlanValue {
  if (!e) return true;
  const x = env.expr(e);
  return x.op === 'lit' ? x.value : true;
}

/** A ping's or post's `header` options as plan fields: `{ headers }`, or
 *  nothing when it sets none (a plan without headers stays as it was). */
export function emitHeaders(headers: HeaderSpec[] | undefined): { headers?: PlanHeader[] } {
  return headers && headers.length > 0 ? { headers: headers.map((h) => ({ name: h.name.value, value: h.value.value })) } : {};
}
