// `:caps` and `:cap`: the cap counters as the router keeps them, read in the
// router's own store (src/runtime/caps.ts: one counter per buyer, measure and
// unit, keyed by the calendar window at the routing time in the buyer's zone;
// a rule's caps on a buyer are counted apart, keyed by the rule), and setting
// a buyer's cap and its count to try "what if Premium were capped".

import { money } from '../cli/decisions.js';
import { CAP_UNITS as CAP_UNIT_WORDS } from '../lang/ast-builder.js';
import type { PlanCap } from '../plan/index.js';
import { CapCounter, makeCounters, ruleCapPrefix, type CapStore } from '../runtime/caps.js';
import type { LoadedBuyer, LoadedPlan } from '../runtime/index.js';
import { UNIT_INDEX } from '../runtime/time.js';
import type { Session } from './session.js';
import { widest } from '../core/text-table.js';

/** One counter as shown: whose, its limit, and what it counts in the current window. */
interface CapRow {
  owner: string;
  label: string;
  used: number;
  limit: number;
  measure: 'leads' | 'dollars';
}

/** One cap counter of a loaded plan: the buyer it counts for, and the rule when it is a rule's cap on the buyer. */
export interface PlanCounter {
  owner: string;
  buyer: LoadedBuyer;
  rule: string | null;
  counter: CapCounter;
}

/** Every cap counter of a loaded plan: the buyers' own, then the rules' caps on a buyer. */
export function planCounters(loaded: LoadedPlan): PlanCounter[] {
  const out: PlanCounter[] = [];
  for (const b of loaded.buyers) for (const counter of b.counters) out.push({ owner: b.name, buyer: b, rule: null, counter });
  // A rule's own caps (`route Premium cap 100/h`): counters under the rule's key, rebuilt
  // from the plan as the loader builds them, so they read the same store entries.
  for (const flow of loaded.plan.flows) {
    for (const rule of flow.rules) {
      const a = rule.action;
      if (a.kind !== 'route' || a.caps.length === 0) continue;
      const i = loaded.buyerIndex.get(a.buyer);
      if (i === undefined) continue;
      for (const counter of makeCounters(ruleCapPrefix(rule.id, a.buyer), a.caps)) {
        out.push({ owner: `${a.buyer} in rule ${rule.id}`, buyer: loaded.buyers[i]!, rule: rule.id, counter });
      }
    }
  }
  return out;
}

/** Set a counter's count in its window at `now` to `used` (the store adds: the difference is added). Returns the count now. */
export function setCounterUsed(store: CapStore, buyer: LoadedBuyer, counter: CapCounter, used: number, now: number): number {
  const w = buyer.clock.windows(now);
  const i = UNIT_INDEX[counter.unit];
  store.add(counter.key(w.ids[i]!), used - counter.used(store, w.ids, now), w.expires[i]!);
  return counter.used(store, w.ids, now);
}

/** Every cap counter of the plan at the session's routing time. */
export function capRows(session: Session): CapRow[] {
  const now = session.now();
  return planCounters(session.router.loaded).map(({ owner, buyer, counter }) => ({
    owner,
    label: counter.label(),
    used: counter.used(session.store, buyer.clock.windows(now).ids, now),
    limit: counter.limit,
    measure: counter.measure,
  }));
}

export function formatCaps(session: Session): string {
  const rows = capRows(session);
  if (rows.length === 0) return 'no caps in this plan';
  const amount = (r: CapRow, n: number) => (r.measure === 'dollars' ? money(n) : String(n));
  const width = widest(rows.map((r) => r.owner));
  const lines = rows.map((r) => {
    const full = r.used >= r.limit ? '  full' : '';
    return `${r.owner.padEnd(width)}  ${r.label.padEnd(12)} ${amount(r, r.used)} used of ${amount(r, r.limit)}${full}`;
  });
  const set = [...session.capOverrides].map(([b, caps]) => `${b} ${caps.map(capLabel).join(', ')}`);
  if (set.length > 0) lines.push(`(set with :cap: ${set.join('; ')})`);
  return lines.join('\n');
}

export const capLabel = (c: PlanCap) => new CapCounter('', c.measure, c.unit, c.limit).label();

/** `100/h`, `$5000/day`, `20/min` as the rule language writes a cap; null if it is not one. */
export function parseCap(text: string): PlanCap | null {
  const m = /^(\$)?(\d+(?:\.\d+)?)\/([a-z]+)$/.exec(text);
  if (!m) return null;
  const unit = CAP_UNIT_WORDS[m[3]!];
  const limit = Number(m[2]);
  if (unit === undefined || !(limit > 0)) return null;
  return { measure: m[1] ? 'dollars' : 'leads', limit, unit };
}

export const CAP_UNIT_NAMES: readonly string[] = Object.keys(CAP_UNIT_WORDS);

/**
 * `:cap BUYER LIMIT/UNIT [USED]`: the buyer's cap of that measure and unit
 * becomes LIMIT (added when it has none), and, when USED is given, its counter
 * in the current window is set to USED. `:cap BUYER off` drops what `:cap`
 * set on the buyer (its counters keep their counts).
 */
export async function setCap(session: Session, args: string[]): Promise<string> {
  const [buyer, capText, usedText, ...extra] = args;
  const usage = 'usage: :cap BUYER LIMIT/UNIT [USED]  (e.g. `:cap Premium 100/h 100`), or :cap BUYER off';
  if (buyer === undefined || capText === undefined || extra.length > 0) return usage;
  if (!session.plan.buyers.some((b) => b.name === buyer)) return `no buyer \`${buyer}\`; \`:buyers\` lists them`;
  if (capText === 'off') {
    if (!session.capOverrides.delete(buyer)) return `no cap was set on ${buyer} with :cap`;
    const notes = await session.capsChanged();
    return [`${buyer} has its file's caps again`, ...notes].join('\n');
  }
  const cap = parseCap(capText);
  if (cap === null) return `\`${capText}\` is not a cap: write LIMIT/UNIT (\`100/h\`, \`$5000/day\`; units ${CAP_UNIT_NAMES.join(', ')})`;
  let used: number | null = null;
  if (usedText !== undefined) {
    used = Number(usedText.replace(/^\$/, ''));
    if (!Number.isFinite(used) || used < 0) return `\`${usedText}\` is not a count (a number, 0 or more)`;
  }
  const set = (session.capOverrides.get(buyer) ?? []).filter((c) => !(c.measure === cap.measure && c.unit === cap.unit));
  session.capOverrides.set(buyer, [...set, cap]);
  const notes = await session.capsChanged();
  const loaded = session.router.loaded.buyers[session.router.loaded.buyerIndex.get(buyer)!]!;
  const counter = loaded.counters.find((c) => c.measure === cap.measure && c.unit === cap.unit)!;
  let count = '';
  if (used !== null) count = `, ${setCounterUsed(session.store, loaded, counter, used, session.now())} used in this ${cap.unit}`;
  return [`${buyer} cap ${capLabel(cap)} (in place of the file's)${count}`, ...notes].join('\n');
}
