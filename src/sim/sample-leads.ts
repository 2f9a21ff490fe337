// Deterministic sample leads for the examples, the simulator, the REPL and the
// benchmarks. examples/make-leads.ts writes them to a file (`npm run leads`
// writes examples/leads.jsonl: 1,000 leads, seed 2026).
//
// Every value comes from a seeded PRNG (mulberry32), so the same seed always
// gives byte-identical output. The people are fictional: phone numbers use the
// 555-01xx block reserved for fiction and e-mail addresses use the reserved
// example.* domains.

export type ElectricBill = '0-100' | '100-200' | '200-300' | '300+';
export type Source = 'google' | 'facebook' | 'bing' | 'affiliate' | 'organic';

export interface SampleLead {
  id: string;
  state: string;
  zip: string;
  homeowner: boolean;
  electric_bill: ElectricBill;
  credit_score: number;
  lead_score: number;
  source: Source;
  loan_amount: number;
  created_at: string;
  email: string;
  phone: string;
  first_name: string;
  last_name: string;
}

export const DEFAULT_COUNT = 1000;
export const DEFAULT_SEED = 2026;

/** mulberry32: a small, fast 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface StateInfo {
  /** Relative share of leads. */
  weight: number;
  /** Inclusive ranges of three-digit ZIP prefixes used in the state. */
  zip3: [number, number][];
  /** A few area codes in the state. */
  area: number[];
  /** Typical monthly electric bill tendency: 0 mild climate … 2 hot and sunny. */
  sun: 0 | 1 | 2;
}

// ZIP prefixes and area codes from general knowledge of the USPS and NANP
// layouts; good enough to look plausible, not a geocoding table.
const STATES: Record<string, StateInfo> = {
  CA: { weight: 180, zip3: [[900, 961]], area: [213, 310, 415, 510, 619, 714, 818, 909, 916], sun: 2 },
  TX: { weight: 140, zip3: [[750, 799]], area: [210, 214, 512, 713, 817, 915], sun: 2 },
  FL: { weight: 120, zip3: [[320, 349]], area: [305, 407, 561, 727, 813, 904], sun: 2 },
  NY: { weight: 80, zip3: [[100, 149]], area: [212, 315, 516, 585, 718, 914], sun: 0 },
  AZ: { weight: 60, zip3: [[850, 865]], area: [480, 520, 602, 928], sun: 2 },
  NJ: { weight: 25, zip3: [[70, 89]], area: [201, 609, 732, 973], sun: 1 },
  NV: { weight: 25, zip3: [[889, 898]], area: [702, 775], sun: 2 },
  CO: { weight: 25, zip3: [[800, 816]], area: [303, 719, 970], sun: 1 },
  NC: { weight: 25, zip3: [[270, 289]], area: [704, 919, 336], sun: 1 },
  GA: { weight: 25, zip3: [[300, 319]], area: [404, 678, 912], sun: 1 },
  IL: { weight: 22, zip3: [[600, 629]], area: [312, 630, 773, 217], sun: 0 },
  MA: { weight: 20, zip3: [[10, 27]], area: [617, 508, 413], sun: 0 },
  PA: { weight: 20, zip3: [[150, 196]], area: [215, 412, 717, 610], sun: 0 },
  OH: { weight: 18, zip3: [[430, 459]], area: [216, 513, 614], sun: 0 },
  WA: { weight: 16, zip3: [[980, 994]], area: [206, 253, 509], sun: 0 },
  VA: { weight: 16, zip3: [[220, 246]], area: [703, 757, 804], sun: 1 },
  MD: { weight: 14, zip3: [[206, 219]], area: [301, 410], sun: 1 },
  UT: { weight: 14, zip3: [[840, 847]], area: [801, 435], sun: 1 },
  NM: { weight: 12, zip3: [[870, 884]], area: [505, 575], sun: 2 },
  SC: { weight: 12, zip3: [[290, 299]], area: [803, 843, 864], sun: 1 },
  TN: { weight: 12, zip3: [[370, 385]], area: [615, 901, 865], sun: 1 },
  OR: { weight: 10, zip3: [[970, 979]], area: [503, 541], sun: 0 },
  MI: { weight: 10, zip3: [[480, 499]], area: [313, 616, 248], sun: 0 },
  CT: { weight: 10, zip3: [[60, 69]], area: [203, 860], sun: 0 },
  MO: { weight: 8, zip3: [[630, 658]], area: [314, 816, 417], sun: 1 },
  LA: { weight: 8, zip3: [[700, 714]], area: [504, 225, 318], sun: 2 },
  HI: { weight: 8, zip3: [[967, 968]], area: [808], sun: 2 },
  MN: { weight: 6, zip3: [[550, 567]], area: [612, 651, 218], sun: 0 },
  WI: { weight: 6, zip3: [[530, 549]], area: [414, 608, 920], sun: 0 },
  IN: { weight: 6, zip3: [[460, 479]], area: [317, 219, 812], sun: 0 },
  AL: { weight: 6, zip3: [[350, 369]], area: [205, 251, 334], sun: 1 },
  OK: { weight: 6, zip3: [[730, 749]], area: [405, 918], sun: 1 },
  KY: { weight: 5, zip3: [[400, 427]], area: [502, 859], sun: 1 },
  DC: { weight: 4, zip3: [[200, 205]], area: [202], sun: 1 },
  DE: { weight: 3, zip3: [[197, 199]], area: [302], sun: 1 },
  RI: { weight: 3, zip3: [[28, 29]], area: [401], sun: 0 },
  NH: { weight: 3, zip3: [[30, 38]], area: [603], sun: 0 },
  ME: { weight: 3, zip3: [[39, 49]], area: [207], sun: 0 },
  VT: { weight: 2, zip3: [[50, 59]], area: [802], sun: 0 },
  IA: { weight: 3, zip3: [[500, 528]], area: [515, 319], sun: 0 },
  KS: { weight: 3, zip3: [[660, 679]], area: [316, 785], sun: 1 },
  AR: { weight: 3, zip3: [[716, 729]], area: [501, 479], sun: 1 },
  MS: { weight: 3, zip3: [[386, 397]], area: [601, 228], sun: 2 },
  NE: { weight: 2, zip3: [[680, 693]], area: [402, 308], sun: 0 },
  ID: { weight: 2, zip3: [[832, 838]], area: [208], sun: 1 },
  WV: { weight: 2, zip3: [[247, 268]], area: [304], sun: 0 },
  MT: { weight: 1, zip3: [[590, 599]], area: [406], sun: 0 },
  WY: { weight: 1, zip3: [[820, 831]], area: [307], sun: 0 },
  SD: { weight: 1, zip3: [[570, 577]], area: [605], sun: 0 },
  ND: { weight: 1, zip3: [[580, 588]], area: [701], sun: 0 },
  AK: { weight: 1, zip3: [[995, 999]], area: [907], sun: 0 },
};

const FIRST_NAMES = [
  'Ava', 'Ben', 'Carmen', 'Diego', 'Elena', 'Farah', 'Grace', 'Hiro', 'Isabel', 'Jamal', 'Kira', 'Luis',
  'Maya', 'Noah', 'Olivia', 'Priya', 'Quinn', 'Rosa', 'Samir', 'Tara', 'Uma', 'Victor', 'Wen', 'Ximena',
  'Yusuf', 'Zoe', 'Aaron', 'Bianca', 'Caleb', 'Dana', 'Emeka', 'Fiona', 'Gabriel', 'Hana', 'Ivan', 'June',
];

const LAST_NAMES = [
  'Alvarez', 'Brooks', 'Chen', 'Delgado', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ibarra', 'Jensen',
  'Kowalski', 'Lopez', 'Morgan', 'Nguyen', 'Okafor', 'Patel', 'Quintero', 'Reyes', 'Schmidt', 'Tanaka',
  'Underwood', 'Vasquez', 'Walker', 'Xu', 'Young', 'Zimmerman', 'Baker', 'Castillo', 'Dubois', 'Ellis',
];

const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];

const SOURCES: [Source, number][] = [
  ['google', 35],
  ['facebook', 25],
  ['affiliate', 20],
  ['bing', 10],
  ['organic', 10],
];

/** The day all sample leads arrive on, in UTC. */
const DAY_START = Date.UTC(2026, 10, 23); // 2026-11-23T00:00:00Z
const HOUR_MS = 60 * 60 * 1000;

/** How many leads arrive in each UTC hour, relatively: people fill in forms
 *  from morning on the East Coast (12:00 UTC) to late evening on the West
 *  Coast (07:00 UTC), and hardly at all in the US small hours. */
const UTC_HOUR_WEIGHTS: [number, number][] = [
  8, 8, 7, 6, 4, 3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8,
].map((w, hour) => [hour, w]);

class Draw {
  constructor(private readonly next: () => number) {}
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

const STATE_WEIGHTS: [string, number][] = Object.entries(STATES).map(([code, s]) => [code, s.weight]);

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

function makeOne(d: Draw, index: number, at: number): SampleLead {
  const state = d.weighted(STATE_WEIGHTS);
  const info = STATES[state]!;

  const [lo, hi] = d.pick(info.zip3);
  const zip = String(d.int(lo, hi)).padStart(3, '0') + String(d.int(0, 99)).padStart(2, '0');

  const homeowner = d.chance(0.68);

  // Bills run higher in hot states and for homeowners (bigger houses, air conditioning).
  const billLevel = clamp(Math.round(1.2 + info.sun * 0.45 + (homeowner ? 0.3 : -0.4) + d.normal() * 0.9), 0, 3);
  const electric_bill = (['0-100', '100-200', '200-300', '300+'] as const)[billLevel]!;

  const credit_score = Math.round(clamp(690 + d.normal() * 70, 300, 850));

  // Lead quality: loosely tied to credit, ownership and bill size, with plenty of noise.
  const lead_score = Math.round(
    clamp(45 + (credit_score - 690) / 6 + (homeowner ? 12 : -8) + billLevel * 4 + d.normal() * 18, 0, 100),
  );

  const source = d.weighted(SOURCES);

  // Log-normal around $260k, in $500 steps.
  const loan_amount = clamp(Math.round((260000 * Math.exp(d.normal() * 0.55)) / 500) * 500, 10000, 2000000);

  const first_name = d.pick(FIRST_NAMES);
  const last_name = d.pick(LAST_NAMES);
  const email = `${first_name}.${last_name}${d.int(1, 99)}@${d.pick(EMAIL_DOMAINS)}`.toLowerCase();
  const phone = `${d.pick(info.area)}-555-01${String(d.int(0, 99)).padStart(2, '0')}`;

  return {
    id: 'L' + String(index + 1).padStart(Math.max(5, String(index + 1).length), '0'),
    state,
    zip,
    homeowner,
    electric_bill,
    credit_score,
    lead_score,
    source,
    loan_amount,
    created_at: new Date(at).toISOString(),
    email,
    phone,
    first_name,
    last_name,
  };
}

/**
 * `count` deterministic sample leads for `seed`, with ids L00001, L00002, … and
 * `created_at` times in order across 2026-11-23 (UTC), busiest in US daytime.
 */
export function makeLeads(count: number, seed: number = DEFAULT_SEED): SampleLead[] {
  if (!Number.isInteger(count) || count < 0) throw new Error(`count must be a non-negative integer, got ${count}`);
  const d = new Draw(mulberry32(seed));
  // Arrival times, to the second, following US waking hours, then sorted.
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const hour = d.weighted(UTC_HOUR_WEIGHTS);
    times.push(DAY_START + hour * HOUR_MS + Math.floor(d.float() * 3600) * 1000);
  }
  times.sort((a, b) => a - b);
  const leads: SampleLead[] = [];
  for (let i = 0; i < count; i++) leads.push(makeOne(d, i, times[i]!));
  return leads;
}

/** One JSON object per line, with a trailing newline. */
export function toJsonl(leads: readonly SampleLead[]): string {
  return leads.map((l) => JSON.stringify(l)).join('\n') + (leads.length > 0 ? '\n' : '');
}
