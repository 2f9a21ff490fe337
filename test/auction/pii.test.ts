// The runtime's PII guard. Plans stay hand-built here: each carries a ping the
// checker refuses to compile (PII in its fields or template), which the guard must stop.
import fc from 'fast-check';
import { compile } from '../../src/compile/index.js';
import { Router } from '../../src/runtime/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanError, type FieldType, type PlanField, type PlanPing } from '../../src/plan/index.js';
import type { Plan } from '../../src/models/plan.js';
import { buildPing, PiiGuard, PingBuilder, PingUrls, piiViolation, publicLead, Seller } from '../../src/auction/index.js';
import { TemplateSet } from '../../src/deliver/index.js';
import { MemoryJournal } from '../../src/adapters/index.js';
import { auction, bid, FIELDS, httpBuyer, makePlan, ping, post, routerFor, startServer, template, type TestServer } from './helpers.js';

const lead = {
  id: 'L1',
  state: 'CA',
  zip: '94107',
  credit_score: 720,
  email: 'Jane.Doe@Example.com',
  phone: '(415) 555-0142',
  first_name: 'Jane',
};

describe('the PII guard', () => {
  const ok = (body: string, url = 'http://127.0.0.1/ping') => piiViolation(FIELDS, lead, body, url);

  it('lets a clean ping through', () => {
    expect(ok(JSON.stringify({ state: 'CA', zip3: '941', credit_score: 720, ping_id: 'a-1' }))).toBeNull();
  });

  it('finds PII values however they are written', () => {
    expect(ok('{"x": "jane.doe@example.com"}')).toBe("contains the value of PII field 'email'");
    expect(ok('{"x": "JANE.DOE@EXAMPLE.COM"}')).toMatch(/'email'/);
    expect(ok('x=jane.doe%40example.com')).toMatch(/'email'/);
    expect(ok('{"x": "jane.doe\\u0040example.com"}')).toMatch(/'email'/); // JSON escape
    expect(ok('<x>Jane&#46;Doe@Example.com</x>')).toMatch(/'email'/); // XML character reference
    expect(ok('{"x": "415.555.0142"}')).toMatch(/'phone'/); // reformatted digits
    expect(ok('{"x": 4155550142}')).toMatch(/'phone'/);
    expect(ok('{}', 'http://127.0.0.1/ping?who=jane')).toMatch(/'first_name'/);
  });

  it('finds PII field names used as keys', () => {
    expect(ok('{"contact": {"Email": null}}')).toBe("names PII field 'email'");
    expect(ok('first_name=&state=CA')).toBe("names PII field 'first_name'");
    expect(ok('<lead><phone/></lead>')).toBe("names PII field 'phone'");
    expect(ok('{}', 'http://127.0.0.1/ping?lead.email=x')).toBe("names PII field 'email'");
    // a value that merely spells a field name is fine
    expect(ok('{"note": "email"}')).toBeNull();
  });

  it('does not search values shorter than 3 characters', () => {
    expect(piiViolation(FIELDS, { ...lead, first_name: 'Al' }, '{"note": "always"}', 'http://x/')).toBeNull();
  });

  it('buildPing sends only declared non-PII fields, derives zip3 and drops PII names', () => {
    const p = ping('http://127.0.0.1:1/ping', { fields: ['state', 'zip3', 'email', 'undeclared'] });
    const b = httpBuyer('A', { ping: p });
    const out = buildPing(FIELDS, b, lead, 'ping-1', new TemplateSet(), '2026-01-01T00:00:00Z');
    expect(JSON.parse(out.body)).toEqual({ state: 'CA', zip3: '941', ping_id: 'ping-1' });
    expect(out.dropped).toEqual(['email', 'undeclared']);
    expect(publicLead(FIELDS, lead)).toEqual({ id: 'L1', state: 'CA', zip: '94107', credit_score: 720, zip3: '941' });
  });
});

describe('PiiGuard (one per lead, shared by its pings)', () => {
  const body = (id: string) => JSON.stringify({ state: 'CA', zip3: '941', ping_id: id });

  it('masks the ids it is given, and says when only an id spelled a PII value', () => {
    const g = new PiiGuard(FIELDS, { ...lead, first_name: 'Abe' });
    const id = '0d1abe42-7c1f-4e55-9a2b-3c4d5e6f7a8b';
    expect(piiViolation(FIELDS, { ...lead, first_name: 'Abe' }, body(id), 'http://x/')).toMatch(/'first_name'/);
    expect(g.check(body(id), 'http://x/', [id])).toEqual({ cause: 'id', reason: "ping id happens to spell the value of PII field 'first_name'" });
    expect(g.check(body('0d1cde42-7c1f-4e55-9a2b-3c4d5e6f7a8b'), 'http://x/', ['0d1cde42-7c1f-4e55-9a2b-3c4d5e6f7a8b'])).toBeNull();
  });

  it('an id that spells a PII value together with an escaped character next to it is caught', () => {
    const id = 'ab012345-6789-4abc-8def-0123456789ab';
    const g = new PiiGuard(FIELDS, { ...lead, first_name: 'q"ab' });
    expect(g.check(JSON.stringify({ x: `q"${id}` }), 'http://x/', [id])?.cause).toBe('id');
  });

  it('an id never hides lead data: a value next to or around the id is still found', () => {
    const g = new PiiGuard(FIELDS, lead);
    const id = '11111111-2222-3333-4444-555555555555';
    expect(g.check(`{"p": "${id}", "x": "jane.doe@example.com"}`, 'http://x/', [id])).toEqual({ cause: 'lead', reason: "contains the value of PII field 'email'" });
    expect(g.check(`{"p": "jane.doe@example.com${id}"}`, 'http://x/', [id])?.cause).toBe('lead');
  });

  it('gives the same answer for a body it has searched before, and searches URLs on their own', () => {
    const g = new PiiGuard(FIELDS, lead);
    for (const id of ['a-1', 'a-2', 'a-3']) expect(g.check(body(id), `http://127.0.0.1:${id.length}/ping`, [id])).toBeNull();
    expect(g.check(body('a-4'), 'http://127.0.0.1/ping?who=jane', ['a-4'])?.reason).toBe("contains the value of PII field 'first_name'");
    expect(g.check(body('a-5'), 'http://127.0.0.1/ping?lead.email=x', ['a-5'])?.reason).toBe("names PII field 'email'");
  });

  it('pings of one shape are searched again only around their id, which still finds values spelled across its edges', () => {
    const g = new PiiGuard(FIELDS, { ...lead, first_name: 'Abe' });
    const form = (id: string) => `state=CA&code=ab${id}&n=1`;
    expect(g.check(form('e0000000-1111'), 'http://x/', ['e0000000-1111'])?.cause).toBe('id');
    expect(g.check(form('10000000-1111'), 'http://x/', ['10000000-1111'])).toBeNull();
    // '+' is a space once decoded: "jo+" before an id starting "ann" spells "jo ann"
    const g2 = new PiiGuard(FIELDS, { ...lead, first_name: 'Jo Ann' });
    expect(g2.check('n=jo+ann01', 'http://x/', ['ann01'])?.cause).toBe('id');
    expect(g2.check('n=jo+bnn01', 'http://x/', ['bnn01'])).toBeNull();
  });

  it('searching around the id gives the verdict the full search gives', () => {
    // Small alphabets make values, ids and their surroundings collide often; one
    // value is cut from the body across the id's position, the case that matters.
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'e', '1', '-', '+', '%', '2', '0', '"', '\\', ' ', '=', '&', '{', '}', ':', 'É'), maxLength: 12 });
    const idText = fc.string({ unit: fc.constantFrom('a', 'b', 'e', '1', '-', '+'), minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(text, text, idText, idText, fc.array(text, { maxLength: 3 }), fc.nat(30), fc.nat(30), (before, after, id, id2, values, cutFrom, cutLength) => {
        const body = before + id + after;
        const from = Math.min(before.length, cutFrom);
        const across = body.slice(from, Math.max(before.length + 1, from + cutLength));
        const [first, second, third] = [across, ...values];
        const l = { ...lead, first_name: first, email: second ?? null, phone: third ?? null };
        const guard = new PiiGuard(FIELDS, l);
        // the second body has the first one's shape: searched only around its id
        for (const [b, i] of [[body, id], [before + id2 + after, id2]] as const) {
          const full = new PiiGuard(FIELDS, l).check(b, 'http://x/p', [i, '\u0000not-in-the-body']); // two ids: the full search
          expect(guard.check(b, 'http://x/p', [i])).toEqual(full);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('searches the plan\'s ping URLs together, and URL by URL only when a value is among them', () => {
    const urls = ['http://127.0.0.1:1/ping', 'http://127.0.0.1:2/ping?who=jane', 'http://127.0.0.1:3/ping?lead.email=x'];
    const together = new PingUrls(FIELDS, urls);
    const g = new PiiGuard(FIELDS, lead, together);
    expect(g.check(body('a-1'), urls[0]!, ['a-1'])).toBeNull();
    expect(g.check(body('a-2'), urls[1]!, ['a-2'])?.reason).toBe("contains the value of PII field 'first_name'");
    expect(g.check(body('a-3'), urls[2]!, ['a-3'])?.reason).toBe("names PII field 'email'");
    expect(g.check(body('a-4'), 'http://127.0.0.1:4/jane', ['a-4'])?.reason).toBe("contains the value of PII field 'first_name'"); // not in the set
    const other = new PiiGuard(FIELDS, { ...lead, first_name: 'Zed' }, together);
    expect(urls.map((u, i) => other.check(body(`b-${i}`), u, [`b-${i}`])?.reason ?? null)).toEqual([null, null, "names PII field 'email'"]);
  });

  it('finds a value a JSON body holds only escaped or reformatted', () => {
    const l = { ...lead, first_name: 'Jo "JJ" Ann', phone: '1000200' };
    expect(piiViolation(FIELDS, l, '{"note":"Jo \\"JJ\\" Ann"}', 'http://x/')).toMatch(/'first_name'/); // only unescaped
    expect(piiViolation(FIELDS, l, '{"n":1.0002e6}', 'http://x/')).toMatch(/'phone'/); // only as the number it writes
    expect(piiViolation(FIELDS, l, '{"n":1000201}', 'http://x/')).toBeNull();
  });

  it('a value inside any leaf of a JSON body is found, however the body writes it', () => {
    const leaf = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', '1', '2', '-', ' ', '"', '\\', '/', '(', 'é', '\u00a0'), minLength: 1, maxLength: 10 }),
      fc.integer({ min: 1000, max: 99_999_999 }),
      fc.double({ min: 1, max: 1e9, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'state'), leaf, { minKeys: 1 }), fc.nat(), fc.nat(), fc.nat(), (obj, pick, from, len) => {
        const values = Object.values(obj).map(String);
        const text = values[pick % values.length]!;
        const start = from % text.length;
        const value = text.slice(start, start + 3 + (len % 8)).trim();
        fc.pre(value.length >= 3);
        expect(piiViolation(FIELDS, { ...lead, email: null, phone: null, first_name: value }, JSON.stringify(obj), 'http://x/')).toMatch(/'first_name'/);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a value percent-encoded over an XML character reference', () => {
    expect(piiViolation(FIELDS, lead, 'x=jane.doe%26%2364%3Bexample.com', 'http://x/')).toMatch(/'email'/);
  });

  it('PingBuilder shares one public view of the lead among buyers', () => {
    const builder = new PingBuilder(FIELDS, lead, new TemplateSet(), '2026-01-01T00:00:00Z');
    const a = builder.build(httpBuyer('A', { ping: ping('http://127.0.0.1:1/ping', { fields: ['state', 'email'] }) }), 'p-1');
    const b = builder.build(httpBuyer('B', { ping: ping('http://127.0.0.1:2/ping', { fields: null }) }), 'p-2');
    expect(JSON.parse(a.body)).toEqual({ state: 'CA', ping_id: 'p-1' });
    expect(a.dropped).toEqual(['email']);
    expect(JSON.parse(b.body)).toEqual({ id: 'L1', state: 'CA', zip: '94107', credit_score: 720, zip3: '941', ping_id: 'p-2' });
    expect(b.dropped).toEqual([]);
  });

  it('PingBuilder bodies are exactly the JSON of the fields plus ping_id, shared field lists or not', () => {
    const builder = new PingBuilder(FIELDS, { ...lead, ping_id: 'the-lead-s-own' }, new TemplateSet(), '2026-01-01T00:00:00Z');
    const withFields = (name: string, fields: string[] | null) => builder.build(httpBuyer(name, { ping: ping(`http://127.0.0.1:1/${name}`, { fields }) }), `id-${name}"\\`);
    const cases: [string, string[] | null, Record<string, unknown>][] = [
      ['A', ['credit_score', 'state'], { credit_score: 720, state: 'CA' }],
      ['B', ['credit_score', 'state'], { credit_score: 720, state: 'CA' }], // the same list, its JSON reused
      ['C', ['state', 'homeowner'], { state: 'CA' }], // a field the lead lacks is left out
      ['D', [], {}],
      ['E', ['email'], {}], // PII only: dropped
      ['F', ['ping_id', 'state'], { state: 'CA' }], // ping_id is always ours, and last
    ];
    for (const [name, fields, expected] of cases) {
      const body = withFields(name, fields).body;
      expect(body).toBe(JSON.stringify({ ...expected, ping_id: `id-${name}"\\` }));
    }
  });
});

describe('pings over HTTP never carry PII', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer((req) => (req.url.startsWith('/ping') ? bid(10) : { json: { result: 'success' } }));
  });
  afterAll(() => srv.close());

  it('a ping template that reads a PII field is refused with the plan, before anything is sent', () => {
    const plan = makePlan(
      [
        httpBuyer('T', {
          ping: ping(`${srv.url}/ping`, { fields: null, template: template('json', '{"e": {{json lead.email}} }') }),
          post: post(`${srv.url}/post`),
        }),
      ],
      auction({ tiers: [{ buyers: ['T'] }] }),
    );
    expect(() => routerFor(plan)).toThrow(/buyers\/0\/ping\/template\/source: the ping template reads personal data: lead\.email/);
  });

  it('a non-PII field holding a PII value is caught by the guard', async () => {
    const fields: PlanField[] = [...FIELDS, { name: 'notes', type: { kind: 'string' }, pii: false, optional: true }];
    const plan = makePlan(
      [httpBuyer('N', { ping: ping(`${srv.url}/ping`, { fields: ['state', 'notes'] }), post: post(`${srv.url}/post`) })],
      auction({ tiers: [{ buyers: ['N'] }] }),
      fields,
    );
    const journal = new MemoryJournal();
    const s = new Seller(routerFor(plan), { journal });
    const before = srv.received.length;
    const sale = await s.sell({ ...lead, id: 'N1', notes: 'call 415-555-0142 after 5' });
    await s.close();
    expect(srv.received.length).toBe(before);
    expect(sale.auction!.bids[0]!.reason).toBe("PII guard: the ping contains the value of PII field 'phone'; not sent");
    expect(journal.attempts()[0]).toMatchObject({ kind: 'ping', outcome: 'refused' });
    expect(JSON.stringify(journal.attempts())).not.toMatch(/555-0142|5550142/);
  });

  // ---- the property

  const NAMES = ['alpha', 'bravo', 'city', 'delta', 'email2', 'fname', 'gamma', 'home', 'income', 'notes', 'ssn', 'street', 'zip', 'dob', 'age'];
  const TYPES: FieldType[] = [{ kind: 'string' }, { kind: 'int' }, { kind: 'email' }, { kind: 'phone' }, { kind: 'zip' }, { kind: 'bool' }];
  const CHARS = 'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 @.-_+/&=?%#"\\<>éü'.split('');
  const text = (min: number) => fc.string({ unit: fc.constantFrom(...CHARS), minLength: min, maxLength: 24 });

  const valueFor = (t: FieldType, pii: boolean): fc.Arbitrary<unknown> => {
    switch (t.kind) {
      case 'int':
        return pii ? fc.integer({ min: 100, max: 99_999_999 }) : fc.integer({ min: 0, max: 99_999_999 });
      case 'bool':
        return fc.boolean();
      case 'email':
        return fc.tuple(text(1), text(1)).map(([a, b]) => `${a.replace(/[^a-z0-9]/gi, 'x')}@${b.replace(/[^a-z0-9]/gi, 'y')}.com`);
      case 'phone':
        return fc.tuple(fc.integer({ min: 200, max: 999 }), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 }), fc.constantFrom('({a}) {b}-{c}', '{a}.{b}.{c}', '{a}{b}{c}', '+1 {a} {b} {c}')).map(
          ([a, b, c, fmt]) => fmt.replace('{a}', String(a)).replace('{b}', String(b)).replace('{c}', String(c).padStart(4, '0')),
        );
      case 'zip':
        return fc.integer({ min: 10000, max: 99999 }).map(String);
      default:
        return pii ? text(3) : text(0);
    }
  };

  const schemaArb = fc
    .uniqueArray(fc.constantFrom(...NAMES), { minLength: 2, maxLength: 8 })
    .chain((names) =>
      fc.tuple(
        fc.constant(names),
        fc.array(fc.constantFrom(...TYPES), { minLength: names.length, maxLength: names.length }),
        fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length }),
      ),
    )
    .map(([names, types, pii]) => {
      const fields: PlanField[] = [{ name: 'id', type: { kind: 'string' }, pii: false, optional: false }];
      names.forEach((n, i) => fields.push({ name: n, type: types[i]!, pii: pii[i]!, optional: true }));
      if (!fields.some((x) => x.pii)) fields[1]!.pii = true;
      return fields;
    });

  const caseArb = schemaArb.chain((fields) => {
    const piiFields = fields.filter((x) => x.pii);
    const plain = fields.filter((x) => !x.pii && x.name !== 'id');
    const values = fc.tuple(...fields.slice(1).map((x) => fc.option(valueFor(x.type, x.pii), { nil: undefined, freq: 5 })));
    // sometimes copy a PII value into (or around) a non-PII string field
    const leak = fc.option(
      fc.tuple(fc.constantFrom(...piiFields.map((x) => x.name)), fc.constantFrom(...(plain.length ? plain : fields).map((x) => x.name)), fc.constantFrom('same', 'upper', 'wrapped')),
      { nil: null },
    );
    const names = fields.map((x) => x.name);
    const pingShape = fc.oneof(
      fc.constant<{ fields: string[] | null; tpl: string | null }>({ fields: null, tpl: null }),
      fc.subarray([...names, 'zip3']).map((fs) => ({ fields: fs, tpl: null })),
      fc.subarray(names, { minLength: 1 }).map((fs) => ({
        fields: null,
        tpl: `{ ${fs.map((n) => `"${n}": {{json lead.${n}}}`).join(', ')}, "p": {{json ping.id}} }`,
      })),
      fc.constant({ fields: null, tpl: '{"all": {{json lead}} }' }),
    );
    return fc.record({ fields: fc.constant(fields), values, leak, pingShape });
  });

  /** The router, or null when the plan verifier refused the plan for reading personal data (and for nothing else). */
  const refusedOrRouter = (plan: Plan): Router | null => {
    try {
      return routerFor(plan);
    } catch (err) {
      expect(err).toBeInstanceOf(PlanError);
      expect((err as PlanError).problems.every((p) => p.message.includes('reads personal data'))).toBe(true);
      return null;
    }
  };

  const norm = (s: string) => s.normalize('NFKC').trim().toLowerCase();
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  const leaves = (s: string): string => {
    try {
      const out: string[] = [];
      const walk = (v: unknown): void => {
        if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.push(k), walk(x));
        else out.push(String(v));
      };
      walk(JSON.parse(s));
      return out.join('\u0000');
    } catch {
      return '';
    }
  };

  const jsonKeys = (s: string): string[] => {
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.push(k), walk(x));
    };
    try {
      walk(JSON.parse(s));
    } catch {
      // not JSON
    }
    return out;
  };

  it('for random leads and schemas, no PII value appears in any ping body or URL the buyer receives', async () => {
    let sent = 0;
    let refused = 0;
    let guarded = 0;
    let atLoad = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ fields, values, leak, pingShape }) => {
        const l: Record<string, unknown> = { id: `P${Math.random().toString(36).slice(2, 8)}` };
        fields.slice(1).forEach((x, i) => {
          if (values[i] !== undefined) l[x.name] = values[i];
        });
        if (leak) {
          const [from, to, how] = leak;
          const v = l[from];
          const target = fields.find((x) => x.name === to)!;
          if (v !== undefined && target.type.kind === 'string' && !target.pii) {
            const s = String(v);
            l[to] = how === 'same' ? s : how === 'upper' ? s.toUpperCase() : `<<${s}>>`;
          }
        }
        const p: PlanPing = ping(`${srv.url}/ping?src=prop`, {
          fields: pingShape.fields,
          template: pingShape.tpl ? template('json', pingShape.tpl) : null,
        });
        const plan = makePlan([httpBuyer('B', { ping: p, post: post(`${srv.url}/post`) })], auction({ tiers: [{ buyers: ['B'] }] }), fields);
        const router = refusedOrRouter(plan);
        if (router === null) return void atLoad++;
        const seller = new Seller(router, { journal: new MemoryJournal() });
        const start = srv.received.length;
        try {
          const sale = await seller.sell(l);
          if (sale.decision.status === 'rejected') return; // the lead failed the schema
          const b = sale.auction!.bids[0]!;
          if (b.outcome === 'refused') {
            refused++;
            if (b.reason?.startsWith('PII guard')) guarded++;
          }
          else sent++;
        } finally {
          await seller.close();
        }
        const pingsGot = srv.received.slice(start).filter((r) => r.url.startsWith('/ping'));
        for (const r of pingsGot) {
          const hay = [r.body, decode(r.body), leaves(r.body), r.url, decode(r.url)].map(norm);
          for (const x of fields) {
            if (!x.pii || l[x.name] === undefined || typeof l[x.name] === 'boolean') continue;
            const v = norm(String(l[x.name]));
            if (v.length < 3) continue;
            for (const h of hay) expect(h.includes(v), `PII field ${x.name} leaked in ${r.url} ${r.body}`).toBe(false);
          }
          const keys = jsonKeys(r.body).map((k) => k.toLowerCase());
          for (const x of fields) if (x.pii) expect(keys).not.toContain(x.name.toLowerCase());
        }
      }),
      // ~7% of runs are refused by the guard: 200 runs make "none refused" a
      // one-in-a-million draw (60 runs failed about one CI run in fifty).
      { numRuns: 200 },
    );
    // both paths were exercised
    expect(sent).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(guarded).toBeGreaterThan(0); // the runtime guard itself stopped some
    expect(atLoad).toBeGreaterThan(0); // and the plan verifier refused some plans outright
  });

  // A fallback rewrite is the third way a value moves: a copy of personal data
  // into a field that is not PII is stopped by the checker (LR708), in a plan
  // edited by hand by the verifier, and a value that got in anyway by the guard.
  it('for random fallback rewrites, no PII value reaches a ping', async () => {
    const counts = { checker: 0, verifier: 0, sold: 0 };
    const LEAD = 'lead { id: string\n  email: email pii optional\n  name: string pii optional\n  tier: string optional\n  note: string optional\n  contact: string pii optional }';
    const caseArb = fc.record({
      source: fc.constantFrom('email', 'name', 'tier', 'literal'),
      target: fc.constantFrom('tier', 'note', 'contact'),
      pinged: fc.subarray(['id', 'tier', 'note'], { minLength: 1 }),
      edited: fc.boolean(),
      email: fc.tuple(fc.stringMatching(/^[a-z]{3,8}$/), fc.stringMatching(/^[a-z]{3,8}$/)).map(([a, b]) => `${a}@${b}.com`),
      name: fc.stringMatching(/^[A-Z][a-z]{3,9}$/),
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ source, target, pinged, edited, email, name }) => {
        const value = source === 'literal' ? '"C"' : source;
        const text = (rewrite: string) =>
          `${LEAD}
buyer Nobody { accepts id == "-" price $1 }
buyer B { ping "${srv.url}/ping" timeout 2s fields ${pinged.join(', ')}
  bid price "bid.amount"
  post "${srv.url}/post" accepted "result" == "success" }
flow main { fallback a -> b with ${rewrite} }
flow a { route Nobody }
flow b { auction { B } timeout 3s }`;
        const compiled = compile(text(`${target} = ${edited ? '"C"' : value}`), { file: 'p.route' });
        if (compiled.diagnostics.some((d) => d.code === 'LR708')) return void counts.checker++;
        expect(compiled.plan).not.toBeNull();
        const plan = compiled.plan!;
        if (edited && source !== 'literal') {
          const steps = (plan.flows[0]!.rules[0]!.action as { steps: { rewrites: { value: unknown }[] }[] }).steps;
          steps[1]!.rewrites[0]!.value = { op: 'field', name: source };
        }
        let router: Router;
        try {
          router = new Router(plan);
        } catch (err) {
          expect((err as PlanError).problems.some((p) => p.message.includes('is not personal data'))).toBe(true);
          return void counts.verifier++;
        }
        const seller = new Seller(router, { journal: new MemoryJournal() });
        const start = srv.received.length;
        const l = { id: `R${Math.random().toString(36).slice(2, 8)}`, email, name, tier: 'A', note: 'n', contact: 'x' };
        try {
          const sale = await seller.sell(l);
          if (sale.decision.status === 'routed') counts.sold++;
        } finally {
          await seller.close();
        }
        for (const r of srv.received.slice(start).filter((x) => x.url.startsWith('/ping'))) {
          const hay = norm(`${r.url} ${r.body} ${decode(r.body)}`);
          expect(hay.includes(norm(email)), `e-mail leaked in ${r.body}`).toBe(false);
          expect(hay.includes(norm(name)), `name leaked in ${r.body}`).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
    expect(counts.checker).toBeGreaterThan(0);
    expect(counts.verifier).toBeGreaterThan(0);
    expect(counts.sold).toBeGreaterThan(0);
  });

  // Pixels go to third-party trackers: a PII value reaches none, whether the URL
  // was checked or hand-written into a plan; a digest of one may go.
  it('for random leads and pixel URLs, no PII value appears in any pixel URL the tracker receives', async () => {
    let fired = 0;
    let atLoad = 0;
    const pixelArb = caseArb.chain((c) =>
      fc.record({
        c: fc.constant(c),
        // personal data mostly hashed (else the plan is refused at load and nothing is fired)
        refs: fc.subarray(c.fields, { minLength: 1 }).chain((fs) =>
          fc.tuple(
            ...fs.map((x) =>
              fc.tuple(
                fc.constant(x.name),
                x.pii
                  ? fc.oneof({ arbitrary: fc.constant('hash'), weight: 8 }, { arbitrary: fc.constantFrom('plain', 'lower'), weight: 2 })
                  : fc.constantFrom('plain', 'hash', 'lower'),
              ),
            ),
          ),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(pixelArb, async ({ c: { fields, values, leak }, refs }) => {
        const l: Record<string, unknown> = { id: `X${Math.random().toString(36).slice(2, 8)}` };
        fields.slice(1).forEach((x, i) => {
          if (values[i] !== undefined) l[x.name] = values[i];
        });
        if (leak) {
          // a PII value copied into a field that is not PII: only the runtime guard can see it
          const [from, to] = leak;
          const target = fields.find((x) => x.name === to)!;
          if (l[from] !== undefined && target.type.kind === 'string' && !target.pii) l[to] = String(l[from]);
        }
        // the copy's field is always in the URL, so the guard has something to stop
        if (leak) refs.push([leak[1], 'plain']);
        const query = refs.map(([n, how]) => `${n}=${how === 'plain' ? `{{lead.${n}}}` : `{{${how} lead.${n}}}`}`).join('&');
        const buyer = { ...httpBuyer('B', { post: post(`${srv.url}/post`) }), pixels: [{ url: `${srv.url}/px?${query}`, on: ['sold' as const], when: null }] };
        const plan = makePlan([buyer], { kind: 'route', buyer: 'B', caps: [], overflow: null }, fields);
        const router = refusedOrRouter(plan);
        if (router === null) return void atLoad++;
        const records: string[] = [];
        const seller = new Seller(router, { journal: new MemoryJournal(), onPixel: (r) => records.push(r.outcome) });
        const start = srv.received.length;
        try {
          const sale = await seller.sell(l);
          if (sale.decision.status !== 'routed') return; // the lead failed the schema
        } finally {
          await seller.close();
        }
        expect(records).toHaveLength(1);
        if (records[0] === 'fired') fired++;
        for (const r of srv.received.slice(start).filter((x) => x.url.startsWith('/px'))) {
          const hay = [r.url, decode(r.url)].map(norm);
          for (const x of fields) {
            if (!x.pii || l[x.name] === undefined || typeof l[x.name] === 'boolean') continue;
            const v = norm(String(l[x.name]));
            if (v.length < 3) continue;
            for (const h of hay) expect(h.includes(v), `PII field ${x.name} leaked in ${r.url}`).toBe(false);
          }
        }
      }),
      { numRuns: 60 },
    );
    expect(fired).toBeGreaterThan(0);
    expect(atLoad).toBeGreaterThan(0); // the plan verifier refused the plans that read PII unhashed
    // A copied PII value reaches the URL in a few cases a run (about 4 in 60):
    // those are the runtime guard's, and the no-leak check above covers them;
    // test/deliver's hand-written case shows the guard stopping one every time.
  });
});
