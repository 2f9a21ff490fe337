// Generators for the pipeline property (test/check/property.test.ts): rule
// files that are mostly valid, using every routing model and every buyer
// clause of grammar/REFERENCE.md over one lead schema; token-level mutations
// of them; and leads that satisfy a compiled plan's schema.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { FieldType, PlanField } from '../../src/index.js';
import { US_STATES } from '../../src/lang/index.js';
import { corpusFiles } from '../corpus/files.js';

/** Templates the generated programs name, read through compile's readFile. */
export const TEMPLATES: Record<string, string> = {
  '/ping.hbs': '{"state": {{json lead.state}}, "zip3": {{json lead.zip3}}, "bill": {{json lead.bill}} }',
  '/post.hbs': '{"id": {{json lead.id}}, "email": {{json lead.email}}, "price": {{money sale.price}}, "at": {{json (date now)}} }',
  '/post.xml.hbs': '<lead><id>{{xml lead.id}}</id>{{#if lead.homeowner}}<owner/>{{/if}}{{#each lead.tags}}<t>{{xml this}}</t>{{/each}}</lead>',
  '/post.form.hbs': 'id={{url lead.id}}&email={{url (lower lead.email)}}&src={{url (default lead.source "none")}}',
};

/** `arb` one time in four, otherwise null: for the longer clauses, to keep programs short. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: arb, weight: 1 });

// ---------------------------------------------------------------- the lead schema

const FIELDS: readonly { name: string; type: string; pii?: boolean }[] = [
  { name: 'id', type: 'string' },
  { name: 'state', type: 'state' },
  { name: 'zip', type: 'zip' },
  { name: 'homeowner', type: 'bool' },
  { name: 'bill', type: '"0-100" | "100-200" | "300+"' },
  { name: 'credit_score', type: 'int 300..850' },
  { name: 'lead_score', type: 'int 0..100' },
  { name: 'amount', type: 'money' },
  { name: 'ratio', type: 'number -5..5' },
  { name: 'created_at', type: 'time' },
  { name: 'email', type: 'email', pii: true },
  { name: 'phone', type: 'phone', pii: true },
  { name: 'tags', type: 'list string' },
  { name: 'states', type: 'list state' },
  { name: 'source', type: 'string' },
];

// `id` stays required: it names the lead in traces and seeds its random number.
const leadBlock = fc.array(fc.boolean(), { minLength: FIELDS.length, maxLength: FIELDS.length }).map((optional) =>
  [
    'lead {',
    ...FIELDS.map((f, i) => `  ${f.name}: ${f.type}${f.pii ? ' pii' : ''}${optional[i] && f.name !== 'id' ? ' optional' : ''}`),
    '}',
  ].join('\n'),
);

// ---------------------------------------------------------------- expressions

const STATE_LIST = fc.subarray(['CA', 'TX', 'FL', 'NY', 'WA', 'PR', 'DC'], { minLength: 1 }).map((s) => `[${s.join(', ')}]`);
const small = fc.integer({ min: 0, max: 100 });
const score = fc.integer({ min: 300, max: 850 });
const percent = fc.integer({ min: 2, max: 99 });
const cmp = fc.constantFrom('==', '!=', '<', '<=', '>', '>=');
const zone = fc.constantFrom('"America/New_York"', '"America/Chicago"', '"America/Los_Angeles"', '"UTC"', '"Pacific/Honolulu"');

const comparison: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(cmp, score).map(([op, n]) => `credit_score ${op} ${n}`),
  fc.tuple(score, score).map(([a, b]) => `credit_score between ${a} and ${b}`),
  fc.tuple(fc.constantFrom('in', 'not in'), STATE_LIST).map(([op, l]) => `state ${op} ${l}`),
  fc.constantFrom('homeowner', 'not homeowner', 'homeowner == true', 'homeowner != false'),
  fc.constantFrom('bill == "300+"', 'bill != "0-100"', 'bill in ["100-200", "300+"]'),
  fc.tuple(cmp, small).map(([op, n]) => `lead_score ${op} ${n}`),
  fc.tuple(cmp, percent).map(([op, n]) => `random ${op} ${n}`),
  fc.tuple(cmp, fc.integer({ min: 0, max: 500 })).map(([op, n]) => `amount ${op} $${n}`),
  fc.tuple(cmp, fc.double({ min: -5, max: 5, noNaN: true })).map(([op, n]) => `ratio ${op} ${Math.abs(n).toFixed(2)}`),
  fc.constantFrom('5m', '1h', '30d', '0s').map((d) => `created_at within ${d}`),
  fc.tuple(cmp, fc.constantFrom('5m', '1h', '7d', '500ms')).map(([op, d]) => `age(created_at) ${op} ${d}`),
  fc.constantFrom('exists(lead_score)', 'exists(email)', 'not exists(source)'),
  fc.constantFrom('contains(tags, "solar")', 'CA in states', 'len(tags) > 1', 'len(source) == 0', 'contains(source, "goo")'),
  fc.constantFrom('zip3(zip) == "941"', 'zip_state(zip) == "CA"', 'zip_timezone(zip) == "America/New_York"', 'distance(zip, "94103") <= 50'),
  fc.tuple(zone, fc.integer({ min: 0, max: 23 })).map(([z, h]) => `hour(${z}) >= ${h}`),
  fc.tuple(zone, fc.integer({ min: 1, max: 7 })).map(([z, d]) => `weekday(${z}) <= ${d}`),
  fc.constantFrom('lower(source) == "google"', 'upper(source) != "FB"', 'source == "google"', 'source in ["google", "facebook"]'),
  fc.constantFrom('round(ratio) == 1', 'abs(ratio) < 2.5', 'min(credit_score, lead_score) > 50', 'max(amount, $10) >= $20'),
);

const condition: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'xsmall', withCrossShrink: true },
    comparison,
    fc.tuple(tie('c'), fc.constantFrom('and', 'or'), tie('c')).map(([l, op, r]) => `${l} ${op} ${r}`),
    tie('c').map((c) => `not (${c})`),
    tie('c').map((c) => `(${c})`),
  ),
})).c;

const amount = fc.oneof(
  fc.integer({ min: 0, max: 200 }).map((n) => `$${n}`),
  fc.constantFrom(
    '$20 + (credit_score - 600) / 10',
    '$10 * ratio',
    '$30 / ratio',
    'amount / 10',
    'min(amount, $50)',
    'max($5, lead_score)',
    'round(credit_score / 100)',
    '-$5',
    '$4.50',
  ),
);

// ---------------------------------------------------------------- buyers

export const BUYERS = ['A', 'B', 'C', 'D'] as const;
const unit = fc.constantFrom('min', 'minute', 'h', 'hour', 'day', 'week', 'month');
const cap = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 50 }), unit).map(([n, u]) => `${n}/${u}`),
  fc.tuple(fc.integer({ min: 1, max: 500 }), unit).map(([n, u]) => `$${n}/${u}`),
);
const caps = fc.array(cap, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(', '));
const day = fc.constantFrom('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun');
const days = fc.oneof(
  fc.constantFrom('daily', 'weekdays', 'weekends'),
  fc.array(fc.oneof(day, fc.tuple(day, day).map(([a, b]) => `${a}-${b}`)), { minLength: 1, maxLength: 3 }).map((ds) => ds.join(', ')),
);
/** Opening and closing times, the one before the other. */
const opening = fc.uniqueArray(fc.integer({ min: 0, max: 48 }), { minLength: 2, maxLength: 2 }).map((hs) => {
  const [a, b] = hs.sort((x, y) => x - y).map((half) => `${String(Math.floor(half / 2)).padStart(2, '0')}:${half % 2 ? '30' : '00'}`);
  return `${a}-${b}`;
});
// `0s` is an error in most places (LR311); kept, but rare, since programs now hold
// enough clauses that a common `0s` left fewer than half of them valid.
const duration = fc.oneof({ arbitrary: fc.constantFrom('500ms', '5s', '5m', '1h', '7d', '30d'), weight: 9 }, { arbitrary: fc.constant('0s'), weight: 1 });
const timeout = fc.constantFrom('100ms', '500ms', '2s');
const url = fc.constantFrom('"http://127.0.0.1:9/x"', '"https://buyer.example/leads"');

/** Request headers, sometimes: written text, a lead field that is not personal, a secret. */
const headers = rarely(fc.constantFrom(' header "X-Api-Key" "{{secret.API_KEY}}"', ' header "Authorization" "Bearer {{secret.TOKEN}}" header "X-State" "{{lead.state}}"'));
const ping = fc.tuple(url, fc.option(timeout), fc.boolean(), headers).map(
  ([u, t, fields, h]) => `ping ${u}${t ? ` timeout ${t}` : ''} ${fields ? 'fields state, zip3, homeowner, bill' : 'json "ping.hbs"'}${h ?? ''}`,
);
const bid = fc.constantFrom(
  'bid price "bid.amount"',
  'bid price "price", id "ping_id", accepted "status" == "accepted"',
  'bid price "bid.amount", exclusive "exclusive", states "states", max_age "max_age"',
  'bid xml price "r.price", accepted "r.@status" in ["ok", "Accepted"] ignoring case, carry bid_id "r.id", rejection_words ["Rejected"]',
  'bid form price "price", duplicate "dup" == true, reason "why"',
);
/** How a post's answer is accepted: by any 2xx (LR711), by the post's `accepted`, or by a `sale` clause. */
const acceptRule = fc.constantFrom('none', 'post', 'sale');
const post = fc.tuple(url, fc.option(timeout), fc.option(fc.integer({ min: 0, max: 3 })), acceptRule, rarely(fc.constantFrom('json', 'xml', 'form')), headers).map(
  ([u, t, r, acc, backup, h]) =>
    `post ${u} json "post.hbs"${h ?? ''}${t ? ` timeout ${t}` : ''}${r !== null ? ` retry ${r} backoff 100ms` : ''}${acc === 'post' ? ' accepted "result" == "success"' : ''}` +
    (backup ? `\n  backup post ${u} ${backup} "${backup === 'json' ? 'post.hbs' : backup === 'xml' ? 'post.xml.hbs' : 'post.form.hbs'}"` : '') +
    (acc === 'sale' ? '\n  sale xml accepted "result.status" in ["accepted"] ignoring case, duplicate "result.dup" == true, redirect "result.url", price "result.payout"' : ''),
);

/** One clause of each kind a buyer may have; `later` are the buyers it may name (overflow, send), declared after it so there are no cycles. */
function clauseKinds(later: readonly string[], o: { price: boolean }): fc.Arbitrary<string>[] {
  const other = later.length > 0 ? fc.constantFrom(...later) : null;
  return [
    condition.map((c) => `accepts ${c}`),
    ...(o.price ? [amount.map((a) => `price ${a}`)] : []),
    caps.map((c) => `cap ${c}`),
    fc.array(fc.tuple(days, opening, zone), { minLength: 1, maxLength: 2 }).map((hs) => hs.map(([d, o, z]) => `hours ${d} ${o} ${z}`).join('\n  ')),
    ...(other ? [other.map((o) => `overflow ${o}`)] : []),
    fc.tuple(condition, fc.integer({ min: 1, max: 20 })).map(([c, w]) => `prefers ${c} weight ${w}`),
    fc.constantFrom('0', '0.5', '0.8', '1').map((r) => `relationship ${r}`),
    fc.subarray(['"US"', '"US-CA"', '"GB"', '"CA-ON"'], { minLength: 1 }).map((hs) => `holidays ${hs.join(', ')}`),
    other ? fc.oneof(fc.constantFrom('when closed skip', 'when closed hold'), other.map((o) => `when closed send ${o}`)) : fc.constantFrom('when closed skip', 'when closed hold'),
    fc.tuple(fc.subarray(['email', 'phone', 'zip'], { minLength: 1 }), duration).map(([fs, d]) => `dedupe ${fs.join(', ')} within ${d}`),
    fc.subarray(['lead_score', 'email', 'source', 'tags'], { minLength: 1 }).map((fs) => `requires ${fs.join(', ')}`),
    fc.tuple(fc.subarray(['sold', 'delivered', 'rejected', 'returned'], { minLength: 1 }), fc.option(condition)).map(
      ([es, c]) => `pixel "http://t.example/p?sub={{lead.id}}&amount={{sale.price}}" on ${es.join(', ')}${c ? ` when ${c}` : ''}`,
    ),
    duration.map((d) => `delay ${d}`),
    fc.tuple(fc.integer({ min: 1, max: 100 }), fc.option(duration), fc.constantFrom('csv', 'json')).map(
      ([n, d, f]) => `batch ${n}${d ? ` or ${d}` : ''} ${f} to "file:out/batch.${f}"`,
    ),
    fc.tuple(fc.integer({ min: 1, max: 10 }), duration).map(([n, d]) => `breaker ${n} cooldown ${d}`),
  ];
}

/** Buyers that answer pings: with FIXED_PRICE, the ones an auction may name. */
export const SELLERS = ['A', 'B'] as const;
/** A buyer that always has a `price`: in an auction, a fixed-price bidder (no ping). */
export const FIXED_PRICE = 'C';

/** A buyer with a few clauses of different kinds; a seller also pings, bids and posts. */
function buyer(name: string, later: readonly string[]): fc.Arbitrary<string> {
  const fixedPrice = name === FIXED_PRICE;
  // The fixed-price buyer's price is drawn below, not among its other clauses (one `price` a buyer).
  const kinds = clauseKinds(later, { price: !fixedPrice });
  const selling = (SELLERS as readonly string[]).includes(name)
    ? fc.tuple(ping, bid, post).map((cs) => [...cs])
    : fixedPrice
      ? fc.tuple(amount, rarely(post)).map(([a, p]) => (p ? [`price ${a}`, p] : [`price ${a}`]))
      : rarely(post).map((p) => (p ? [p] : []));
  return fc
    .tuple(fc.subarray(kinds.map((_, i) => i), { maxLength: 3 }).chain((is) => fc.tuple(...is.map((i) => kinds[i] ?? fc.constant('')))), selling)
    .chain(([cs, sells]) => fc.shuffledSubarray([...cs, ...sells], { minLength: cs.length + sells.length }))
    .map((lines) => `buyer ${name} {\n${lines.map((l) => `  ${l}\n`).join('')}}`);
}

// ---------------------------------------------------------------- flows

const FLOWS = ['main', 'g', 'h'] as const;
const name = fc.constantFrom(...BUYERS);
/** Distinct buyers, at least `min` of them, from `pool`. */
const names = (min: number, pool: readonly string[] = BUYERS) => fc.shuffledSubarray([...pool], { minLength: min });

/** Weights that sum to 100, one per entry. */
const weights = (entries: readonly string[]) =>
  fc.array(fc.integer({ min: 0, max: 100 }), { minLength: entries.length - 1, maxLength: entries.length - 1 }).map((cuts) => {
    const sorted = [0, ...cuts.sort((a, b) => a - b), 100];
    return entries.map((e, i) => `${e} ${(sorted[i + 1] ?? 100) - (sorted[i] ?? 0)}%`);
  });

const route = fc.tuple(name, fc.option(caps), fc.option(name)).map(
  ([b, c, o]) => `route ${b}${c ? ` cap ${c}` : ''}${o && o !== b ? ` overflow ${o}` : ''}`,
);
const split = names(1).chain((bs) =>
  fc.oneof(
    weights(bs).map((ws) => `split { ${ws.join(', ')} }`),
    weights(bs).map((ws) => `split fair { ${ws.join(', ')} }`),
    fc.tuple(fc.constantFrom('conversion', 'acceptance'), duration, fc.integer({ min: 0, max: Math.floor(100 / bs.length) })).map(
      ([m, d, min]) => `split by performance ${m} over ${d} min ${min}% max ${Math.max(min, Math.ceil(100 / bs.length))}% { ${bs.join(', ')} }`,
    ),
  ),
);
const waterfall = names(1).chain((bs) => fc.tuple(...bs.map((b) => fc.option(condition).map((c) => (c ? `${b} when ${c}` : b))))).map(
  (ts) => `waterfall { ${ts.join('; ')} }`,
);
const shareEntries = (pool: readonly string[]) =>
  names(1, pool).chain((bs) => fc.tuple(...bs.map((b) => fc.option(fc.integer({ min: 0, max: 60 })).map((p) => (p === null ? b : `${b} $${p}`)))));
const share = fc.tuple(fc.integer({ min: 1, max: 4 }), shareEntries(BUYERS)).map(([n, es]) => `share max ${n} { ${es.join(', ')} }`);
const FACTORS = ['price', 'quality', 'capacity', 'performance', 'relationship'];
const rankBy = fc.oneof(
  fc.constant('expected_value'),
  fc.subarray(FACTORS, { minLength: 1 }).chain((fs) => weights(fs).map((ws) => ws.join(', '))),
  fc.subarray(FACTORS, { minLength: 1 }).map((fs) => fs.join(', ')),
);
const rank = fc.tuple(names(1), rankBy, fc.option(fc.constantFrom('0', '0.5', '0.9')), fc.option(fc.integer({ min: 1, max: 3 })), fc.option(duration)).map(
  ([bs, by, min, top, over]) => `rank { ${bs.join(', ')} } by ${by}${min ? ` min ${min}` : ''}${top ? ` top ${top}` : ''}${over ? ` over ${over}` : ''}`,
);
const specialist = (b: string) =>
  fc.tuple(fc.option(condition), fc.oneof(small.map((n) => `${n}%`), small.map((n) => `$${n}`))).map(([c, p]) => `${b}${c ? ` when ${c}` : ''} premium ${p}`);
const hybrid = name.chain((p) =>
  fc.tuple(fc.integer({ min: 1, max: 3 }), shareEntries(BUYERS.filter((b) => b !== p)), duration).map(
    ([n, es, d]) => `hybrid ${p} then share max ${n} { ${es.join(', ')} } after ${d}`,
  ),
);
const floor = fc.option(fc.oneof(amount, fc.constantFrom('bid.price * 0', '$30 * ratio')));
/** One or two tiers of distinct bidders: pinged sellers and the fixed-price buyer. */
const auctionTiers = names(1, [...SELLERS, FIXED_PRICE]).chain((bs) =>
  fc.tuple(fc.integer({ min: 1, max: bs.length }), floor, floor).map(([cut, f1, f2]) => {
    const tiers = [bs.slice(0, cut), bs.slice(cut)].filter((t) => t.length > 0);
    return tiers.map((t, i) => `{ ${t.join(', ')} }${(i === 0 ? f1 : f2) ? ` floor ${i === 0 ? f1 : f2}` : ''}`).join(' then ');
  }),
);
// `-$5` included: a negative minimum is an error (LR311), no longer a plan loadPlan refuses.
const exclusiveMin = amount;
const auction = fc
  .tuple(auctionTiers, fc.option(timeout), fc.option(exclusiveMin), fc.option(fc.integer({ min: 1, max: 3 })), fc.option(fc.constantFrom('bid.price', 'bid.price - amount', 'bid.price * ratio')))
  .map(([ts, t, ex, sh, rk]) => `auction ${ts}${t ? ` timeout ${t}` : ''}${ex ? ` exclusive min ${ex}` : ''}${sh ? ` shared max ${sh}` : ''}${rk ? ` rank by ${rk}` : ''}`);

/**
 * Actions written from `# fuzz: TEMPLATE` lines of the corpus files, so a new
 * routing model is fuzzed from its corpus file (step 4 of "To add a routing
 * model" in docs/ARCHITECTURE.md) without an edit here. A placeholder is
 * drawn afresh where it appears: `{buyer}`, `{buyers}` (distinct, comma
 * separated), `{flow}` (a flow declared later; the template is left out of a
 * flow with none), `{condition}`, `{amount}`, `{percent}`, `{number}`,
 * `{duration}`, `{caps}`.
 */
export const FUZZ_TEMPLATES: readonly string[] = corpusFiles().flatMap((p) => [...readFileSync(p, 'utf8').matchAll(/^# fuzz: (.+?)\s*$/gm)].map((m) => m[1]!));

const PLACEHOLDERS: Readonly<Record<string, (later: readonly string[]) => fc.Arbitrary<string>>> = {
  buyer: () => name,
  buyers: () => names(1).map((bs) => bs.join(', ')),
  flow: (later) => fc.constantFrom(...later),
  condition: () => condition,
  amount: () => amount,
  percent: () => fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
  number: () => fc.integer({ min: 1, max: 100 }).map(String),
  duration: () => duration,
  caps: () => caps,
};

/** The action a `# fuzz:` template writes, or null when it needs a later flow and there is none. Throws on an unknown placeholder. */
export function fuzzAction(template: string, later: readonly string[]): fc.Arbitrary<string> | null {
  const parts = template.split(/\{(\w+)\}/);
  const holes = parts.filter((_, i) => i % 2 === 1);
  if (holes.includes('flow') && later.length === 0) return null;
  const arbs = holes.map((h) => {
    const arb = PLACEHOLDERS[h];
    if (arb === undefined) throw new Error(`# fuzz: ${template}: unknown placeholder {${h}} (known: ${Object.keys(PLACEHOLDERS).join(', ')})`);
    return arb(later);
  });
  // A template's `{buyer}`s name distinct buyers (as far as there are buyers):
  // `pick {buyer} or {buyer}` never writes `pick A or A`, an LR406 error, which
  // would cost the generator valid programs.
  const buyerHoles = Math.min(holes.filter((h) => h === 'buyer').length, BUYERS.length);
  const distinct = fc.shuffledSubarray([...BUYERS], { minLength: buyerHoles, maxLength: buyerHoles });
  return fc.tuple(distinct, fc.tuple(...arbs)).map(([buyers, values]) => {
    let next = 0;
    const fill = (hole: number): string => (holes[hole] === 'buyer' && next < buyers.length ? buyers[next++]! : values[hole]!);
    return parts.map((p, i) => (i % 2 === 0 ? p : fill((i - 1) / 2))).join('');
  });
}

/** A flow's actions; it names only flows declared after it (`later`), so flows do not cycle. */
function action(later: readonly string[]): fc.Arbitrary<string> {
  const flowName = later.length > 0 ? fc.constantFrom(...later) : null;
  const elseTarget = flowName ? fc.oneof(name, flowName.map((f) => `flow ${f}`)) : name;
  const specialize = fc.tuple(names(1).chain((bs) => fc.tuple(...bs.map(specialist))), fc.option(elseTarget)).map(
    ([ss, e]) => `specialize { ${ss.join('; ')} }${e ? ` else ${e}` : ''}`,
  );
  const models: fc.Arbitrary<string>[] = [
    route, split, waterfall, share, rank, specialize, hybrid, auction,
    fc.constantFrom('reject "no"', 'reject "not in area"'),
  ];
  if (later.length > 0) models.push(fc.constantFrom(...later).map((f) => `flow ${f}`));
  if (later.length > 1) {
    const step = (f: string) =>
      fc.option(fc.constantFrom('lead_score = lead_score - 10', 'bill = "300+"', 'credit_score = 700, source = "x"')).map((w) => `${f}${w ? ` with ${w}` : ''}`);
    const chain = fc.shuffledSubarray([...later], { minLength: 2 });
    models.push(chain.chain(([first, ...rest]) => fc.tuple(...rest.map(step)).map((ss) => `fallback ${first} -> ${ss.join(' -> ')}`)));
  }
  for (const t of FUZZ_TEMPLATES) {
    const fuzzed = fuzzAction(t, later);
    if (fuzzed !== null) models.push(fuzzed);
  }
  return fc.oneof(...models);
}

function flow(self: string, later: readonly string[]): fc.Arbitrary<string> {
  const act = action(later);
  const rule = fc.oneof(fc.tuple(condition, act).map(([c, a]) => `when ${c} ${a}`), act);
  return fc.tuple(fc.array(rule, { minLength: 1, maxLength: later.length > 0 ? 3 : 1 }), fc.option(act)).map(
    ([rs, o]) => `flow ${self} {\n${[...rs, ...(o ? [`otherwise ${o}`] : [])].map((r) => `  ${r}\n`).join('')}}`,
  );
}

/** An alert's measure and a threshold in its unit (src/core/alert-metrics.ts). */
const alertCondition = fc.oneof(
  fc.tuple(fc.constantFrom('bid_rate', 'timeout_rate', 'accept_rate', 'failure_rate'), fc.integer({ min: 0, max: 100 })).map(([m, n]) => [m, `${n}%`] as const),
  fc.tuple(fc.constant('avg_response'), fc.integer({ min: 1, max: 5000 })).map(([m, n]) => [m, `${n}ms`] as const),
  fc.tuple(fc.constant('revenue'), fc.integer({ min: 0, max: 10000 })).map(([m, n]) => [m, `$${n}`] as const),
  fc.tuple(fc.constant('sales'), fc.integer({ min: 0, max: 1000 })).map(([m, n]) => [m, `${n}`] as const),
);
/** Up to three alerts, on a buyer or on all of them. */
const alerts = fc.array(
  fc.tuple(alertCondition, fc.option(fc.constantFrom(...BUYERS), { nil: undefined }), fc.constantFrom('<', '<=', '>', '>='), fc.constantFrom('1m', '15m', '1h', '24h')),
  { maxLength: 3 },
).map((list) => list.map(([[metric, threshold], b, op, window], i) => `alert Alert${i} when ${metric}${b ? `(${b})` : ''} ${op} ${threshold} over ${window}`));

/** A rule file: the lead schema, buyers A-D, flows main, g, h, and a few alerts. */
export const program: fc.Arbitrary<string> = fc
  .tuple(
    leadBlock,
    fc.tuple(...BUYERS.map((b, i) => buyer(b, BUYERS.slice(i + 1)))),
    fc.tuple(...FLOWS.map((f, i) => flow(f, FLOWS.slice(i + 1)))),
    alerts,
  )
  .map(([l, bs, fs, as]) => [l, ...bs, ...fs, ...as].join('\n'));

// ---------------------------------------------------------------- mutations

/** Words, strings, numbers with units, operators, punctuation and whitespace runs: the pieces a mutation moves. */
const TOKEN = /"(?:[^"\\\n]|\\.)*"?|\s+|[A-Za-z_][A-Za-z0-9_]*|\$?[0-9][0-9.]*[a-z%]*|->|\.\.|[=!<>]=|./g;
const tokens = (s: string) => s.match(TOKEN) ?? [];

/** Any code point, lone surrogates included: what `unit: 'binary'` draws, without
 *  the 1.4 s index of all 1.1 million code points fast-check builds for that unit
 *  (to shrink values it did not generate, which these runs never do). */
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c));

const mutation = fc.oneof(
  fc.tuple(fc.constant('delete' as const), fc.nat()),
  fc.tuple(fc.constant('duplicate' as const), fc.nat()),
  fc.tuple(fc.constant('swap' as const), fc.nat(), fc.nat()),
  fc.tuple(fc.constant('truncate' as const), fc.nat()),
  fc.tuple(fc.constant('insert' as const), fc.nat(), fc.string({ minLength: 1, maxLength: 4, unit: anyCodePoint })),
  fc.tuple(fc.constant('insert' as const), fc.nat(), fc.constantFrom('{', '}', '"', ';', ',', '->', ' when ', ' and ', '%', '$', '\n', '..', ' 1e999 ', ' -0 ')),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(source: string, m: Mutation): string {
  const ts = tokens(source);
  if (ts.length === 0) return source;
  switch (m[0]) {
    case 'delete':
      return ts.filter((_, i) => i !== m[1] % ts.length).join('');
    case 'duplicate': {
      const i = m[1] % ts.length;
      return [...ts.slice(0, i + 1), ...ts.slice(i)].join('');
    }
    case 'swap': {
      const i = m[1] % ts.length;
      const j = m[2] % ts.length;
      const out = [...ts];
      [out[i], out[j]] = [ts[j] ?? '', ts[i] ?? ''];
      return out.join('');
    }
    case 'truncate':
      return source.slice(0, m[1] % (source.length + 1));
    case 'insert': {
      const at = m[1] % (source.length + 1);
      return source.slice(0, at) + m[2] + source.slice(at);
    }
    default: {
      const never: never = m;
      return never;
    }
  }
}

/** A generated program with one to three mutations applied. */
export const mutatedProgram: fc.Arbitrary<string> = fc
  .tuple(program, fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([p, ms]) => ms.reduce(mutate, p));

// ---------------------------------------------------------------- leads

const ZIPS = ['94103', '10001', '60601', '33101', '98101', '00501', '99950', '12345-6789', '00000'];
const EMAILS = ['ava.chen@example.com', 'Mixed.Case@Example.COM', 'a@b.co'];
const PHONES = ['415-555-0101', '+1 (212) 555.0199', '2125550199', '+1 312 555 0000'];

function valueOf(type: FieldType): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'int':
      return fc.integer({ min: type.min ?? -1_000_000, max: type.max ?? 1_000_000 });
    case 'number':
      return fc.double({ min: type.min ?? -1e9, max: type.max ?? 1e9, noNaN: true });
    case 'money':
      return fc.oneof(fc.integer({ min: type.min ?? 0, max: type.max ?? 10_000 }), fc.double({ min: type.min ?? 0, max: type.max ?? 10_000, noNaN: true }));
    case 'string':
      return fc.oneof(fc.constantFrom('google', 'facebook', 'solar', ''), fc.string({ maxLength: 8 }));
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...type.values);
    case 'state':
      return fc.constantFrom(...US_STATES);
    case 'zip':
      return fc.oneof(fc.constantFrom(...ZIPS), fc.integer({ min: 0, max: 99_999 }).map((n) => String(n).padStart(5, '0')));
    case 'email':
      return fc.constantFrom(...EMAILS);
    case 'phone':
      return fc.constantFrom(...PHONES);
    case 'time':
      return fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'list':
      return fc.array(valueOf(type.of), { maxLength: 3 });
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** A lead the plan's schema accepts: every required field, some of the optional ones. */
export function leadFor(fields: readonly PlanField[]): fc.Arbitrary<Record<string, unknown>> {
  const entries = fields.map((f) => (f.optional ? fc.option(valueOf(f.type), { freq: 3 }) : valueOf(f.type)).map((v) => [f.name, v] as const));
  return fc.tuple(...entries).map((es) => Object.fromEntries(es.filter(([, v]) => v !== null)));
}
