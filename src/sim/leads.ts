// Synthetic leads for a plan's lead schema, deterministic from a seed.
//
// Fields that the sample leads (sample-leads.ts) hold (state, zip, credit_score,
// email, …) take their values, with their correlations (homeowners in sunny
// states have bigger bills, credit and lead score move together), when the
// plan's type for the field admits every value they take. Every other field is generated from
// its type: state codes, 5-digit zips, ints within the declared range, enum
// values, emails and phones, names for name-like strings, times shortly before
// the lead's simulated arrival. Optional fields are left out now and then.

import type { FieldType, PlanField } from '../plan/index.js';
import type { Plan } from '../models/plan.js';
import { hash32 } from '../runtime/random.js';
import { makeLeads, mulberry32, type SampleLead } from './sample-leads.js';

export interface GenerateOptions {
  count: number;
  /** Seed for the values (a number, or a string hashed to one). */
  seed?: string | number;
  /** Arrival time of lead i (ms); `time` fields fall shortly before it. */
  arrival: (i: number) => number;
}

/** A numeric seed for mulberry32 from a CLI seed. */
export function numericSeed(seed: string | number | undefined): number {
  if (seed === undefined) return 1;
  if (typeof seed === 'number' && Number.isFinite(seed)) return Math.trunc(seed) >>> 0;
  const s = String(seed);
  return /^\d+$/.test(s) ? Number(s) >>> 0 : hash32(s);
}

// Values the sample leads hold, per field, to test a plan's type against.
const SAMPLE_ENUMS: Record<string, readonly string[]> = {
  electric_bill: ['0-100', '100-200', '200-300', '300+'],
  source: ['google', 'facebook', 'bing', 'affiliate', 'organic'],
};
const SAMPLE_RANGES: Record<string, [number, number]> = {
  credit_score: [300, 850],
  lead_score: [0, 100],
  loan_amount: [10_000, 2_000_000],
};

/** Whether the plan's type for `name` accepts every value the sample leads put in that field. */
function sampleFits(name: string, t: FieldType): boolean {
  switch (name) {
    case 'id':
    case 'first_name':
    case 'last_name':
      return t.kind === 'string';
    case 'state':
      return t.kind === 'state' || t.kind === 'string';
    case 'zip':
      return t.kind === 'zip' || t.kind === 'string';
    case 'homeowner':
      return t.kind === 'bool';
    case 'email':
      return t.kind === 'email' || t.kind === 'string';
    case 'phone':
      return t.kind === 'phone' || t.kind === 'string';
    case 'created_at':
      return t.kind === 'time';
    case 'electric_bill':
    case 'source':
      return (t.kind === 'enum' && SAMPLE_ENUMS[name]!.every((v) => t.values.includes(v))) || t.kind === 'string';
    case 'credit_score':
    case 'lead_score':
    case 'loan_amount': {
      if (t.kind !== 'int' && t.kind !== 'number' && t.kind !== 'money') return false;
      const [lo, hi] = SAMPLE_RANGES[name]!;
      return (t.min === undefined || t.min <= lo) && (t.max === undefined || t.max >= hi);
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------- generic values

const STATE_WEIGHTS: [string, number][] = [
  ['CA', 39], ['TX', 30], ['FL', 22], ['NY', 20], ['PA', 13], ['IL', 13], ['OH', 12], ['GA', 11], ['NC', 11],
  ['MI', 10], ['NJ', 9], ['VA', 9], ['WA', 8], ['AZ', 7], ['TN', 7], ['MA', 7], ['IN', 7], ['MO', 6], ['MD', 6],
  ['WI', 6], ['CO', 6], ['MN', 6], ['SC', 5], ['AL', 5], ['LA', 5], ['KY', 5], ['OR', 4], ['OK', 4], ['CT', 4],
  ['UT', 3], ['IA', 3], ['NV', 3], ['AR', 3], ['MS', 3], ['KS', 3], ['NM', 2], ['NE', 2], ['ID', 2], ['WV', 2],
  ['HI', 1], ['NH', 1], ['ME', 1], ['MT', 1], ['RI', 1], ['DE', 1], ['SD', 1], ['ND', 1], ['AK', 1], ['DC', 1],
  ['VT', 1], ['WY', 1],
];
const FIRST = ['Ava', 'Ben', 'Carmen', 'Diego', 'Elena', 'Farah', 'Grace', 'Hiro', 'Isabel', 'Jamal', 'Kira', 'Luis', 'Maya', 'Noah', 'Olivia', 'Priya'];
const LAST = ['Alvarez', 'Brooks', 'Chen', 'Delgado', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Jensen', 'Lopez', 'Nguyen', 'Okafor', 'Patel', 'Reyes'];
const CITIES = ['Austin', 'Denver', 'Fresno', 'Miami', 'Phoenix', 'Raleigh', 'Reno', 'Tampa', 'Tucson', 'Albany'];
const STREETS = ['Main St', 'Oak Ave', 'Pine Rd', 'Maple Dr', 'Cedar Ln', 'Elm St', 'Lake Blvd'];
const WORDS = ['alpha', 'bravo', 'delta', 'echo', 'golf', 'kilo', 'lima', 'oscar', 'tango', 'zulu'];

class Rng {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of xs) total += w;
    let r = this.next() * total;
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1]![0];
  }
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function genericValue(field: PlanField, t: FieldType, r: Rng, at: number, index: number): unknown {
  const name = field.name.toLowerCase();
  switch (t.kind) {
    case 'int': {
      const lo = t.min ?? (t.max !== undefined ? Math.min(0, t.max) : 0);
      const hi = t.max ?? lo + 100;
      return r.int(Math.ceil(lo), Math.floor(hi));
    }
    case 'number': {
      const lo = t.min ?? (t.max !== undefined ? Math.min(0, t.max) : 0);
      const hi = t.max ?? lo + 100;
      return Math.round((lo + r.next() * (hi - lo)) * 100) / 100;
    }
    case 'money': {
      const lo = Math.max(0, t.min ?? 0);
      if (t.max !== undefined) return Math.round((lo + r.next() * (t.max - lo)) * 100) / 100;
      // Log-uniform from $50 to $500k when unbounded: small and large amounts alike.
      const v = Math.exp(Math.log(50) + r.next() * (Math.log(500_000) - Math.log(50)));
      return Math.max(lo, Math.round(v));
    }
    case 'bool':
      return r.next() < 0.5;
    case 'enum':
      return r.pick(t.values);
    case 'state':
      return r.weighted(STATE_WEIGHTS);
    case 'zip':
      return pad(r.int(1001, 99950), 5);
    case 'email':
      return `${r.pick(FIRST)}.${r.pick(LAST)}${r.int(1, 99)}@example.com`.toLowerCase();
    case 'phone':
      return `${r.int(201, 989)}-555-01${pad(r.int(0, 99), 2)}`;
    case 'time':
      return new Date(at - r.int(0, 300) * 1000).toISOString(); // within 5 minutes before arrival
    case 'list': {
      const n = r.int(0, 3);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(genericValue(field, t.of, r, at, index));
      return out;
    }
    case 'string':
      if (name === 'id' || name.endsWith('_id')) return `L${pad(index + 1, 5)}`;
      if (name.includes('first')) return r.pick(FIRST);
      if (name.includes('last') || name.includes('surname')) return r.pick(LAST);
      if (name.includes('name')) return `${r.pick(FIRST)} ${r.pick(LAST)}`;
      if (name.includes('city')) return r.pick(CITIES);
      if (name.includes('address') || name.includes('street')) return `${r.int(1, 9999)} ${r.pick(STREETS)}`;
      return `${r.pick(WORDS)}-${r.int(1, 999)}`;
  }
}

/** Whether `fields` can use sample-lead values for at least one field. */
export function usesSampleLeads(fields: readonly PlanField[]): boolean {
  return fields.some((f) => sampleFits(f.name, f.type));
}

/**
 * `count` leads for the plan's schema. Every lead has an `id` ("L00001", …, or
 * the plan's own id type), so its `random` is stable across runs.
 */
export function* generateLeads(plan: Plan, opts: GenerateOptions): Generator<Record<string, unknown>> {
  const fields = plan.lead.fields;
  const seed = numericSeed(opts.seed);
  const samples: SampleLead[] | null = usesSampleLeads(fields) ? makeLeads(opts.count, seed) : null;
  const fits = new Set(fields.filter((f) => sampleFits(f.name, f.type)).map((f) => f.name));
  const r = new Rng(mulberry32(seed ^ 0x5bd1e995));
  const hasId = fields.some((f) => f.name === 'id');
  for (let i = 0; i < opts.count; i++) {
    const at = opts.arrival(i);
    const lead: Record<string, unknown> = {};
    if (!hasId) lead.id = `L${pad(i + 1, 5)}`;
    const sample = samples?.[i] as Record<string, unknown> | undefined;
    for (const f of fields) {
      if (f.name === 'id') {
        lead.id = f.type.kind === 'int' || f.type.kind === 'number' ? i + 1 : sample?.id ?? `L${pad(i + 1, 5)}`;
        continue;
      }
      if (f.optional && r.next() < 0.15) continue;
      if (sample !== undefined && fits.has(f.name)) {
        // The sample leads spread created_at over one day; keep it near the simulated arrival instead.
        lead[f.name] = f.name === 'created_at' ? new Date(at - r.int(0, 300) * 1000).toISOString() : sample[f.name];
      } else {
        lead[f.name] = genericValue(f, f.type, r, at, i);
      }
    }
    yield lead;
  }
}
