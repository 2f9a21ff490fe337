// `:explain BUYER`: every clause of one buyer judged against the last lead.
//
// The router stops at a buyer's first refusal, so its trace names one reason.
// To name them all, the lead is offered to the buyer alone (a what-if flow of
// one `route BUYER`, no overflow, no off-hours hand-off) on a scratch copy of
// the session's counters, and each time a clause refuses, the trace's words
// are kept, that clause (or, for `accepts`, that one part) is taken out of a
// copy of the plan, and the lead is offered again, until the buyer takes it or
// refuses for a reason that cannot be taken out (its price). Every sentence is
// the router's own trace; nothing the session counts changes.

import type { Plan } from '../compile/index.js';
import type { PlanBuyer } from '../plan/index.js';
import { Router, type Decision, type RouterStore, type StoreEvent, type TraceCode } from '../runtime/index.js';
import { describeValues } from '../runtime/expr.js';
import type { Session } from './session.js';

/** A refusal's trace code → the buyer's clause to take out to look past it. */
const CLEARS: Partial<Record<TraceCode, (b: PlanBuyer, failedPart: number) => PlanBuyer>> = {
  FilterFailed: (b, part) => ({ ...b, accepts: b.accepts.filter((_, i) => i !== part) }),
  MissingField: (b) => ({ ...b, requires: [] }),
  Closed: (b) => ({ ...b, hours: [] }),
  Holiday: (b) => ({ ...b, holidays: [] }),
  Duplicate: (b) => ({ ...b, dedupe: null }),
  CapExceeded: (b) => ({ ...b, caps: [] }),
};

/** At most this many offers (one per clause kind, and one per `accepts` part). */
const MAX_STEPS = 64;

export function explainBuyer(session: Session, buyerName: string): string {
  const lead = session.lastLead;
  if (lead === null) return 'no lead yet: type one first (JSON, or `field=value …`)';
  const original = session.plan.buyers.find((b) => b.name === buyerName);
  if (original === undefined) return `no buyer \`${buyerName}\`; \`:buyers\` lists them`;
  const flowName = unusedName(session.plan, 'explain');
  let buyer: PlanBuyer = { ...original, overflow: null, offHours: { kind: 'skip' } };
  /** accepts part → the router's words for its refusal. */
  const failedParts = new Map<string, string>();
  const refusals: string[] = [];
  let verdict = '';
  let accepted: { router: Router; decision: Decision } | null = null;

  for (let step = 0; step < MAX_STEPS && verdict === ''; step++) {
    const router = new Router(whatIfPlan(session.plan, buyer, flowName), { store: new ScratchStore(session.store), trace: true });
    const d = router.route(lead, { ...session.routeOptions(), flow: flowName });
    if (d.status === 'rejected') return `the lead is rejected before any buyer sees it: ${d.reason ?? ''}`;
    accepted = { router, decision: d };
    const mine = d.trace.filter((e) => e.buyer === buyerName);
    if (d.status === 'routed') {
      // A buyer sold by auction names no price of its own: what it pays is its bid.
      const taken = original.price === null && original.ping ? `${buyerName} can take the lead (at the price it bids)` : mine.find((e) => e.code === 'Taken')?.message;
      verdict = `✓ ${taken ?? `${buyerName} takes the lead`}`;
      break;
    }
    const refusal = mine.find((e) => CLEARS[e.code] !== undefined);
    if (refusal === undefined) {
      verdict = `✗ ${mine.map((e) => e.message).join('; ') || d.reason || 'not taken'}`;
      break;
    }
    const part = refusal.code === 'FilterFailed' ? failedPart(router, buyerName, lead, d) : -1;
    if (part >= 0) failedParts.set(buyer.accepts[part]!.text, refusal.message);
    else refusals.push(`✗ ${refusal.message}`);
    buyer = CLEARS[refusal.code]!(buyer, part);
  }

  const lines = [`${buyerName}, clause by clause, against the last lead:`];
  if (original.accepts.length === 0) lines.push('  ✓ accepts every lead (no `accepts`)');
  for (const part of original.accepts) {
    const failed = failedParts.get(part.text);
    if (failed !== undefined) lines.push(`  ✗ ${failed}`);
    else if (accepted !== null) lines.push(`  ✓ accepts ${holds(accepted.router, buyerName, part.text, lead, accepted.decision)}`);
  }
  for (const r of refusals) lines.push(`  ${r}`);
  if (verdict !== '') lines.push(`  ${verdict}`);
  const ruleCaps = ruleCapsOn(session.plan, buyerName);
  if (ruleCaps.length > 0) lines.push(`  (not counted here: the caps rules put on ${buyerName} (${ruleCaps.join(', ')}); \`:caps\` shows them)`);
  return lines.join('\n');
}

/** `\`homeowner\` holds (homeowner = true)`: an accepts part that is true, with the values it read. */
function holds(router: Router, buyerName: string, text: string, lead: unknown, d: Decision): string {
  const b = router.loaded.buyers[router.loaded.buyerIndex.get(buyerName)!]!;
  const ctx = { lead: router.loaded.trimLead(lead) as Record<string, unknown>, random: d.random, now: Date.parse(d.at) };
  const part = b.accepts.find((a) => a.text === text);
  const values = part === undefined ? '' : describeValues(part.refs, ctx);
  return `\`${text}\` holds${values ? ` (${values})` : ''}`;
}

/** The index of the buyer's first `accepts` part that is false for the lead (the one the router refused on). */
function failedPart(router: Router, buyerName: string, lead: unknown, d: Decision): number {
  const b = router.loaded.buyers[router.loaded.buyerIndex.get(buyerName)!]!;
  const ctx = { lead: router.loaded.trimLead(lead) as Record<string, unknown>, random: d.random, now: Date.parse(d.at) };
  return b.accepts.findIndex((a) => !a.test(ctx));
}

function ruleCapsOn(plan: Plan, buyer: string): string[] {
  const out: string[] = [];
  for (const f of plan.flows) {
    for (const r of f.rules) {
      if (r.action.kind === 'route' && r.action.buyer === buyer && r.action.caps.length > 0) out.push(`rule ${r.id}`);
    }
  }
  return out;
}

/** The plan with `buyer` in place of its namesake and one more flow: `route BUYER`, nothing else. */
function whatIfPlan(plan: Plan, buyer: PlanBuyer, flowName: string): Plan {
  const source = { file: '(explain)', line: 0, col: 0 };
  return {
    ...plan,
    buyers: plan.buyers.map((b) => (b.name === buyer.name ? buyer : b)),
    flows: [
      ...plan.flows,
      {
        name: flowName,
        source,
        rules: [{ id: `${flowName}#0`, when: null, guard: 'always', text: `route ${buyer.name}`, action: { kind: 'route', buyer: buyer.name, caps: [], overflow: null }, source }],
      },
    ],
  };
}

function unusedName(plan: Plan, base: string): string {
  const names = new Set(plan.flows.map((f) => f.name));
  let name = base;
  for (let i = 2; names.has(name); i++) name = `${base}${i}`;
  return name;
}

/** The session's counters and keys, read through; what the what-if offer writes stays here. */
class ScratchStore implements RouterStore {
  private readonly counters = new Map<string, number>();
  private readonly keys = new Map<string, number>();

  constructor(private readonly base: RouterStore) {}

  get(key: string, now?: number): number {
    return this.base.get(key, now) + (this.counters.get(key) ?? 0);
  }
  add(key: string, amount: number): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + amount);
  }
  hasKey(key: string, now: number): boolean {
    const mine = this.keys.get(key);
    return (mine !== undefined && mine > now) || this.base.hasKey(key, now);
  }
  putKey(key: string, expiresAt: number): void {
    this.keys.set(key, expiresAt);
  }
  recordEvent(_event: StoreEvent): void {}
  countEvents(buyer: string, kind: StoreEvent['kind'], since: number): number {
    return this.base.countEvents(buyer, kind, since);
  }
  recordDecision(): void {}
  close(): void {}
}

