// `check` never throws, whatever the parser hands it: arbitrary strings, soups
// of the language's tokens, and random near-valid programs. It only returns
// diagnostics, sorted, with known codes and spans inside the source.
//
// The whole pipeline, over at least 10,000 programs a run (generated from every
// routing model and buyer clause, and token-level mutations of them): compiling
// never throws; a program without error diagnostics compiles to a plan that
// loadPlan accepts after a JSON round trip; and routing leads that satisfy the
// plan's schema through every flow never throws.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStrict } from '../../src/check/checker.js';
import { DIAGNOSTIC_CODES, sortDiagnostics, type Diagnostic } from '../../src/lang/diagnostics.js';
import { parse } from '../../src/lang/index.js';

function checkSource(source: string): Diagnostic[] {
  const { ast } = parse(source, 'p.route');
  const { diagnostics } = checkStrict(ast, { readFile: (p) => TEMPLATES[p], baseDir: '/' });
  return diagnostics;
}

const TEMPLATES: Record<string, string> = {
  '/ok.hbs': '{{json lead.a}} {{#if lead.ok}}{{lead.st}}{{/if}} {{#each lead.l}}{{this}}{{/each}} {{money sale.price}}',
  '/bad.hbs': '{"a": {{json lead.a}\n{{#if}}',
  '/pii.hbs': '{{lead.e}} {{lead.zip3}} {{> p}} {{nope lead.a}} {{@index}} {{../x}}',
};

function wellFormed(source: string, ds: Diagnostic[]): void {
  expect(sortDiagnostics(ds)).toEqual(ds);
  for (const d of ds) {
    expect(Object.keys(DIAGNOSTIC_CODES)).toContain(d.code);
    expect(d.severity).toBe(DIAGNOSTIC_CODES[d.code].severity);
    expect(typeof d.message).toBe('string');
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeLessThanOrEqual(Math.max(1, source.length));
  }
}

const KEYWORDS = [
  'lead', 'from', 'buyer', 'flow', 'accepts', 'price', 'cap', 'hours', 'overflow', 'when', 'otherwise', 'route',
  'split', 'waterfall', 'share', 'max', 'reject', 'and', 'or', 'not', 'in', 'between', 'true', 'false', 'random',
  'int', 'number', 'money', 'string', 'bool', 'state', 'zip', 'email', 'phone', 'time', 'list', 'pii', 'optional',
  'Mon', 'Fri', 'Sat', 'daily', 'weekdays', 'weekends', 'min', 'h', 'day', 'week', 'month',
  'prefers', 'weight', 'relationship', 'holidays', 'closed', 'hold', 'skip', 'send', 'dedupe', 'within', 'requires',
  'ping', 'post', 'bid', 'pixel', 'delay', 'batch', 'breaker', 'cooldown', 'backup', 'fair', 'by', 'performance',
  'over', 'rank', 'specialize', 'premium', 'else', 'fallback', 'with', 'hybrid', 'then', 'after', 'auction', 'timeout',
  'retry', 'backoff', 'fields', 'accepted', 'on', 'exclusive', 'shared', 'floor', 'top', 'to', 'json', 'csv', 'sold',
];
const PUNCT = ['->', '.', '{', '}', '[', ']', '(', ')', ',', ';', ':', '|', '..', '==', '=', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '-'];
const LITERALS = [
  '0', '1', '50', '60', '100', '101', '700', '900', '2.5', '$45', '$0', '5m', '7d', '500ms', '60%', '40%', '09:00',
  '18:00', '24:00', '"CA"', '"America/New_York"', '"America/New_Yrok"', '"x.json"', '"0-100"', '"300+"', '""',
  '"http://a/p"', '"ok.hbs"', '"bad.hbs"', '"pii.hbs"', '"US"', '"US-XX"', '"file:b.csv"', '"http://t/p?x={{lead.a}}"', '"{{"',
];
const NAMES = ['A', 'B', 'Premium', 'f', 'g', 'a', 'credit_score', 'state', 'CA', 'TX', 'zip3', 'len', 'age', 'exists', 'contains', 'lenght', 'nope'];

const token = fc.oneof(fc.constantFrom(...KEYWORDS), fc.constantFrom(...PUNCT), fc.constantFrom(...LITERALS), fc.constantFrom(...NAMES));
const soup = fc.array(fc.tuple(token, fc.constantFrom(' ', ' ', '\n')), { maxLength: 80 }).map((ts) => ts.map(([t, s]) => t + s).join(''));

// ---------------------------------------------------------------- near-valid programs

const FIELDS = ['a', 'b', 'st', 'ok', 'e', 'm', 't', 'l'];
const fieldDecl = fc.constantFrom(
  'a: int 0..100',
  'b: int 10..1',
  'st: state',
  'ok: bool',
  'e: "x" | "y" | "z"',
  'm: money optional',
  't: time',
  'l: list state',
  'a: string',
);
const atom: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...FIELDS, 'random', 'CA', 'XX', 'x', 'nope'),
  fc.constantFrom(...LITERALS.filter((l) => !l.includes(':'))),
  fc.constantFrom('true', 'false', '[CA, TX]', '[]', '[1, "a"]', 'age(t)', 'len(l)', 'min(a)', 'lenght(a)', 'exists(m)', 'contains(l, CA)'),
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('e'), fc.constantFrom('and', 'or', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', 'in', 'not in'), tie('e')).map(
      ([l, op, r]) => `${l} ${op} ${r}`,
    ),
    tie('e').map((e) => `not (${e})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([v, lo, hi]) => `${v} between ${lo} and ${hi}`),
    fc.tuple(fc.constantFrom('random <=', 'random >', 'random ==', 'a >'), fc.integer({ min: -5, max: 120 })).map(([c, n]) => `${c} ${n}`),
  ),
})).e;
const buyerName = fc.constantFrom('A', 'B', 'C', 'Z');
const cap = fc.constantFrom('100/h', '0/day', '2.5/h', '$500/day', '1/min');
const clause = fc.oneof(
  expr.map((e) => `accepts ${e}`),
  expr.map((e) => `price ${e}`),
  fc.array(cap, { minLength: 1, maxLength: 3 }).map((cs) => `cap ${cs.join(', ')}`),
  fc.constantFrom('hours Mon-Fri 09:00-18:00 "America/New_York"', 'hours Sat 18:00-09:00 "America/New_Yrok"', 'hours daily 00:00-24:00 "UTC"'),
  buyerName.map((b) => `overflow ${b}`),
  fc.constantFrom(
    'prefers ok weight 10',
    'prefers a weight 0',
    'relationship 1.5',
    'holidays "US", "US-XX"',
    'when closed hold',
    'when closed send A',
    'dedupe e, nope within 0d',
    'requires m, a',
    'ping "http://a/p" timeout 500ms fields st, e, zip3',
    'ping "ftp://x" json "pii.hbs"',
    'ping "http://a/p" json "ok.hbs"',
    'bid price "p", id "i" == 1, accepted "s"',
    'bid nope "x"',
    'post "http://a/x" json "ok.hbs" timeout 5s retry 2 backoff 1s accepted "r" == "ok"',
    'post "a/x" json "bad.hbs" retry 1.5',
    'backup post "http://b/x" xml "missing.hbs"',
    'pixel "http://t/p?x={{lead.a}}&y={{hash lead.e}}" on sold, sould when a > 1',
    'pixel "http://t/p?x={{" on sold',
    'delay 5m',
    'batch 0 or 0s xlsx to "out.csv"',
    'breaker 0 cooldown 0s',
  ),
  expr.map((e) => `accepts t within 5m and ${e}`),
);
const buyer = fc.tuple(buyerName, fc.array(clause, { maxLength: 4 })).map(([n, cs]) => `buyer ${n} {\n  ${cs.join('\n  ')}\n}`);
const action = fc.oneof(
  fc.tuple(buyerName, fc.option(cap), fc.option(buyerName)).map(
    ([b, c, o]) => `route ${b}${c ? ` cap ${c}` : ''}${o ? ` overflow ${o}` : ''}`,
  ),
  fc.array(fc.tuple(buyerName, fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 3 }).map(
    (es) => `split { ${es.map(([b, w]) => `${b} ${w}%`).join(', ')} }`,
  ),
  fc.array(fc.tuple(buyerName, fc.option(expr)), { minLength: 1, maxLength: 3 }).map(
    (ts) => `waterfall { ${ts.map(([b, e]) => (e ? `${b} when ${e}` : b)).join('; ')} }`,
  ),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(buyerName, { minLength: 1, maxLength: 3 })).map(
    ([n, bs]) => `share max ${n} { ${bs.join(', ')} }`,
  ),
  fc.constantFrom('flow f', 'flow g', 'flow h', 'reject "no"'),
  fc.constantFrom(
    'split fair { A 60%, B, C 10% }',
    'split by performance conversion over 7d min 40% max 30% { A, B 20%, C }',
    'split by performance acceptence over 0d min 10% max 50% { A, B }',
    'rank { A, B, A } by price 40%, qualty 25%, price 10% min 1.5 top 0 over 7d',
    'rank { A, Z } by expected_value',
    'specialize { A when a > 1 premium 0%; Z premium $5 } else B',
    'specialize { A premium 10% } else flow g',
    'fallback g -> h with a = a - 10, st = XX, nope = 1, a = "x" -> f',
    'hybrid A then share max 0 { B, A $18 } after 10m',
    'auction { A, B } floor bid.price * 2 then { C, A } floor $30 * a timeout 0ms exclusive min "x" shared max 0 rank by bid.price',
  ),
  expr.map((e) => `auction { A } floor ${e} rank by ${e}`),
);
const rule = fc.oneof(
  fc.tuple(expr, action).map(([e, a]) => `when ${e} ${a}`),
  action.map((a) => `otherwise ${a}`),
  action,
);
const flow = fc.tuple(fc.constantFrom('f', 'g', 'h'), fc.array(rule, { maxLength: 5 })).map(
  ([n, rs]) => `flow ${n} {\n  ${rs.join('\n  ')}\n}`,
);
const lead = fc.oneof(
  fc.array(fieldDecl, { maxLength: 6 }).map((fs) => `lead {\n  ${fs.join('\n  ')}\n}`),
  fc.constant('lead from "missing.json"'),
  fc.constant(''),
);
const program = fc.tuple(lead, fc.array(buyer, { maxLength: 3 }), fc.array(flow, { maxLength: 3 })).map(
  ([l, bs, fs]) => [l, ...bs, ...fs].join('\n'),
);

describe('check never throws', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => wellFormed(s, checkSource(s))),
      { numRuns: 300 },
    );
  });
  it('on token soups from the language', () => {
    fc.assert(
      fc.property(soup, (s) => wellFormed(s, checkSource(s))),
      { numRuns: 500 },
    );
  });
  it('on near-valid programs', () => {
    fc.assert(
      fc.property(program, (s) => wellFormed(s, checkSource(s))),
      { numRuns: 500 },
    );
  });
  it('on token soups mutated into valid programs', () => {
    fc.assert(
      fc.property(program, soup, fc.nat(), (p, s, at) => {
        const i = p.length === 0 ? 0 : at % p.length;
        const mutated = p.slice(0, i) + s + p.slice(i);
        wellFormed(mutated, checkSource(mutated));
      }),
      { numRuns: 300 },
    );
  });
});

// The whole pipeline (compile, loadPlan, route) over 10,000 programs a run is in
// test/property/generated.test.ts and mutated.test.ts: two files, so the two
// test workers share it.
