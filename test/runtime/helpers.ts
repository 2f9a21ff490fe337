// Plan builders for the runtime tests that need a plan the language cannot produce (each such use says why); every other runtime test writes rule text (test/helpers/lang.ts).
import type { FieldType, PlanBuyer, PlanCap, PlanCapUnit, PlanCompareOp, PlanExpr, PlanField, PlanHours, PlanOffHours, PlanPreference, PlanValue } from '../../src/plan/index.js';
import type { Plan, PlanAction, PlanRule } from '../../src/models/plan.js';
import type { Decision } from '../../src/runtime/decision.js';
import type { EventKind, RouterStore, StoreEvent } from '../../src/runtime/store.js';

export const src = { file: 'test.route', line: 1, col: 1 };

// ---------------------------------------------------------------- expressions

export const lit = (value: PlanValue): PlanExpr => ({ op: 'lit', value });
export const f = (name: string): PlanExpr => ({ op: 'field', name });
export const random: PlanExpr = { op: 'random' };
export const cmp = (fn: PlanCompareOp, left: PlanExpr, right: PlanExpr): PlanExpr => ({ op: 'compare', fn, left, right });
export const list = (...items: PlanValue[]): PlanExpr => ({ op: 'list', items: items.map(lit) });
export const inList = (value: PlanExpr, items: PlanValue[], negated = false): PlanExpr => ({
  op: 'in',
  value,
  list: list(...items),
  negated,
});
export const and = (...args: PlanExpr[]): PlanExpr => ({ op: 'and', args });
export const or = (...args: PlanExpr[]): PlanExpr => ({ op: 'or', args });
export const not = (arg: PlanExpr): PlanExpr => ({ op: 'not', arg });
export const call = (fn: string, ...args: PlanExpr[]): PlanExpr => ({ op: 'call', fn, args });
export const arith = (fn: '+' | '-' | '*' | '/', left: PlanExpr, right: PlanExpr): PlanExpr => ({ op: 'arith', fn, left, right });
export const between = (value: PlanExpr, low: PlanExpr, high: PlanExpr): PlanExpr => ({ op: 'between', value, low, high });

// ---------------------------------------------------------------- lead schema

export const DEFAULT_FIELDS: PlanField[] = [
  { name: 'id', type: { kind: 'string' }, pii: false, optional: true },
  { name: 'state', type: { kind: 'state' }, pii: false, optional: false },
  { name: 'credit_score', type: { kind: 'int', min: 300, max: 850 }, pii: false, optional: false },
  { name: 'lead_score', type: { kind: 'int', min: 0, max: 100 }, pii: false, optional: true },
  { name: 'email', type: { kind: 'email' }, pii: true, optional: true },
  { name: 'zip', type: { kind: 'zip' }, pii: false, optional: true },
  { name: 'created', type: { kind: 'time' }, pii: false, optional: true },
  { name: 'tags', type: { kind: 'list', of: { kind: 'string' } }, pii: false, optional: true },
  { name: 'phone', type: { kind: 'phone' }, pii: true, optional: true },
  { name: 'source', type: { kind: 'string' }, pii: false, optional: true },
  { name: 'product', type: { kind: 'string' }, pii: false, optional: true },
  { name: 'trustedform_url', type: { kind: 'string' }, pii: false, optional: true },
  { name: 'consented_at', type: { kind: 'time' }, pii: false, optional: true },
];

function typeSchema(t: FieldType): Record<string, unknown> {
  switch (t.kind) {
    case 'int':
      return { type: 'integer', ...(t.min !== undefined ? { minimum: t.min } : {}), ...(t.max !== undefined ? { maximum: t.max } : {}) };
    case 'number':
    case 'money':
      return { type: 'number', ...(t.min !== undefined ? { minimum: t.min } : {}), ...(t.max !== undefined ? { maximum: t.max } : {}) };
    case 'string':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'enum':
      return { enum: t.values };
    case 'state':
      return { type: 'string', enum: ['CA', 'TX', 'FL', 'NY', 'WA', 'OR', 'AZ', 'NV'] };
    case 'zip':
      return { type: 'string', pattern: '^\\d{5}(-\\d{4})?$' };
    case 'email':
      return { type: 'string', format: 'email' };
    case 'phone':
      return { type: 'string', pattern: '^[0-9+(). -]+$' };
    case 'time':
      return { type: 'string', format: 'date-time' };
    case 'list':
      return { type: 'array', items: typeSchema(t.of) };
  }
}

export function leadSchema(fields: PlanField[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((x) => [x.name, typeSchema(x.type)])),
    required: fields.filter((x) => !x.optional).map((x) => x.name),
  };
}

// ---------------------------------------------------------------- buyers, rules, plans

export interface BuyerOpts {
  accepts?: { expr: PlanExpr; text: string }[];
  price?: number | PlanExpr | null;
  caps?: PlanCap[];
  hours?: PlanHours[];
  zone?: string;
  overflow?: string | null;
  prefers?: PlanPreference[];
  relationship?: number;
  holidays?: string[];
  offHours?: PlanOffHours;
  dedupe?: { fields: string[]; windowMs: number } | null;
  requires?: string[];
}

export function buyer(name: string, o: BuyerOpts = {}): PlanBuyer {
  return {
    name,
    accepts: o.accepts ?? [],
    price: o.price === undefined || o.price === null ? null : typeof o.price === 'number' ? lit(o.price) : o.price,
    caps: o.caps ?? [],
    hours: o.hours ?? [],
    zone: o.zone ?? o.hours?.[0]?.zone ?? 'UTC',
    overflow: o.overflow ?? null,
    source: src,
    ...(o.prefers !== undefined ? { prefers: o.prefers } : {}),
    ...(o.relationship !== undefined ? { relationship: o.relationship } : {}),
    ...(o.holidays !== undefined ? { holidays: o.holidays } : {}),
    ...(o.offHours !== undefined ? { offHours: o.offHours } : {}),
    ...(o.dedupe !== undefined ? { dedupe: o.dedupe } : {}),
    ...(o.requires !== undefined ? { requires: o.requires } : {}),
  };
}

export const leadsCap = (limit: number, unit: PlanCapUnit): PlanCap => ({ measure: 'leads', limit, unit });
export const dollarsCap = (limit: number, unit: PlanCapUnit): PlanCap => ({ measure: 'dollars', limit, unit });

export const route = (b: string, o: { caps?: PlanCap[]; overflow?: string | null } = {}): PlanAction => ({
  kind: 'route',
  buyer: b,
  caps: o.caps ?? [],
  overflow: o.overflow ?? null,
});

export function rule(id: string, action: PlanAction, when: PlanExpr | null = null, text?: string, guard?: PlanRule['guard']): PlanRule {
  return {
    id,
    when,
    guard: guard ?? (when === null ? 'always' : 'when'),
    text: text ?? `${when === null ? '' : 'when … '}${action.kind}`,
    action,
    source: { ...src, line: Number(id.split('#')[1] ?? 0) + 1 },
  };
}

export function otherwise(id: string, action: PlanAction, text?: string): PlanRule {
  return rule(id, action, null, text ?? `otherwise ${action.kind}`, 'otherwise');
}

export function makePlan(o: {
  buyers: PlanBuyer[];
  rules?: PlanRule[];
  flows?: { name: string; rules: PlanRule[] }[];
  fields?: PlanField[];
  defaultFlow?: string;
}): Plan {
  const fields = o.fields ?? DEFAULT_FIELDS;
  const flows = o.flows ?? [{ name: 'main', rules: o.rules ?? [] }];
  return {
    leadroute: 'plan',
    version: 1,
    file: 'test.route',
    lead: { fields, schema: leadSchema(fields) },
    buyers: o.buyers,
    flows: flows.map((fl) => ({ name: fl.name, rules: fl.rules, source: src })),
    defaultFlow: o.defaultFlow ?? flows[0]!.name,
  };
}

let counter = 0;
/** A valid lead with a fresh id. */
export function lead(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: `L${++counter}`, state: 'CA', credit_score: 720, ...extra };
}

export const NY = 'America/New_York';
/** Mon-Fri 09:00-18:00 New York. */
export const NY_BUSINESS: PlanHours = { days: [1, 2, 3, 4, 5], from: 9 * 60, to: 18 * 60, zone: NY };

// ---------------------------------------------------------------- a RouterStore for tests

/** A small in-memory RouterStore that keeps everything and counts calls. */
export class TestStore implements RouterStore {
  readonly counters = new Map<string, { value: number; expiresAt: number }>();
  readonly keys = new Map<string, number>();
  readonly events: StoreEvent[] = [];
  readonly decisions: Decision[] = [];
  calls = { get: 0, add: 0, hasKey: 0, putKey: 0, recordEvent: 0, countEvents: 0, recordDecision: 0 };

  get(key: string, now?: number): number {
    this.calls.get++;
    const c = this.counters.get(key);
    if (c === undefined || (now !== undefined && c.expiresAt <= now)) return 0;
    return c.value;
  }
  add(key: string, amount: number, expiresAt: number): void {
    this.calls.add++;
    const c = this.counters.get(key);
    if (c === undefined) this.counters.set(key, { value: amount, expiresAt });
    else {
      c.value += amount;
      c.expiresAt = Math.max(c.expiresAt, expiresAt);
    }
  }
  hasKey(key: string, now: number): boolean {
    this.calls.hasKey++;
    const e = this.keys.get(key);
    return e !== undefined && e > now;
  }
  putKey(key: string, expiresAt: number): void {
    this.calls.putKey++;
    this.keys.set(key, Math.max(expiresAt, this.keys.get(key) ?? -Infinity));
  }
  recordEvent(event: StoreEvent): void {
    this.calls.recordEvent++;
    this.events.push(event);
  }
  countEvents(buyer: string, kind: EventKind, since: number): number {
    this.calls.countEvents++;
    return this.events.filter((e) => e.buyer === buyer && e.kind === kind && e.at >= since).length;
  }
  recordDecision(decision: Decision): void {
    this.calls.recordDecision++;
    this.decisions.push(decision);
  }
  close(): void {}
}

export const prefer = (expr: PlanExpr, text: string, weight: number): PlanPreference => ({ expr, text, weight });

/** Trace messages of a decision. */
export const messages = (d: { trace: { message: string }[] }): string[] => d.trace.map((e) => e.message);

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
