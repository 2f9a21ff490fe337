import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, loadPlan, MemoryStore, Router, PLAN_JSON_SCHEMA } from '../../src/index.js';

const SOURCE = `
lead {
  id: string
  state: state
  credit_score: int 300..850
}
buyer Premium {
  accepts credit_score >= 300
  price $45
}
buyer Standard { price $20 }
flow solar {
  when random <= 60 route Premium cap 100/h overflow Standard
  otherwise route Standard
}
`;

const leads = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `L${i}`, state: 'CA', credit_score: 300 + (i % 500) }));

function compileOk(source: string) {
  const { plan, diagnostics } = compile(source, { file: 'test.route' });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return plan!;
}

describe('compile', () => {
  it('emits a versioned, JSON-serialisable plan', () => {
    const plan = compileOk(SOURCE);
    expect(plan).toMatchObject({ leadroute: 'plan', version: 1, file: 'test.route', defaultFlow: 'solar' });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(PLAN_JSON_SCHEMA).toHaveProperty('type', 'object');
  });

  it('returns no plan, and every diagnostic, for a broken file', () => {
    const { plan, diagnostics } = compile('flow f { route Nobody }\nbuyer A { accepts nope > 1 }', { file: 'x.route' });
    expect(plan).toBeNull();
    expect(diagnostics.map((d) => d.code).sort()).toEqual(['LR201', 'LR207']); // without a schema, unknown fields are not reported one by one
    for (const d of diagnostics) expect(d.span.file).toBe('x.route');
  });
});

describe('the canonical line, end to end', () => {
  it('splits 10,000 leads within 2 points of 60/40 when caps do not bite', () => {
    const router = new Router(compileOk(SOURCE.replace('cap 100/h ', '')), { store: new MemoryStore(), seed: 11 });
    const counts = { Premium: 0, Standard: 0 };
    leads(10_000).forEach((lead, i) => {
      const d = router.route(lead, { now: Date.UTC(2026, 10, 23, 0, 0) + i * 1000 });
      counts[d.buyers[0]!.name as keyof typeof counts]++;
    });
    expect(Math.abs(counts.Premium / 100 - 60)).toBeLessThanOrEqual(2);
    expect(counts.Premium + counts.Standard).toBe(10_000);
  });

  it('gives Premium exactly 100 of 10,000 leads in one hour with cap 100/h, the rest overflow to Standard', () => {
    const router = new Router(compileOk(SOURCE), { store: new MemoryStore(), seed: 11, trace: true });
    const now = Date.UTC(2026, 10, 23, 15, 0);
    const counts = { Premium: 0, Standard: 0 };
    let overflowed = 0;
    for (const lead of leads(10_000)) {
      const d = router.route(lead, { now: now + (Number(lead.id.slice(1)) % 3_600_000) / 10 });
      counts[d.buyers[0]!.name as keyof typeof counts]++;
      if (d.trace.some((t) => t.code === 'Overflow')) overflowed++;
    }
    expect(counts.Premium).toBe(100);
    expect(counts.Standard).toBe(9_900);
    expect(overflowed).toBeGreaterThan(5_000);
  });

  it('compile → JSON → load gives the same decisions as compiling directly', () => {
    const plan = compileOk(readFileSync(new URL('../../rules/solar.route', import.meta.url), 'utf8'));
    const direct = new Router(plan, { store: new MemoryStore(), seed: 5, trace: true });
    const loaded = new Router(loadPlan(JSON.parse(JSON.stringify(plan))), { store: new MemoryStore(), seed: 5, trace: true });
    const sample = readFileSync(new URL('../../examples/leads.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const now = Date.UTC(2026, 10, 23, 15, 0);
    for (const lead of sample) expect(loaded.route(lead, { now })).toEqual(direct.route(lead, { now }));
  });
});

describe('no rule text is ever executed as code', () => {
  const srcDir = new URL('../../src/', import.meta.url).pathname;
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

  it('the interpreter has no eval, new Function or vm', () => {
    for (const f of files(srcDir)) {
      const text = readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '');
      expect(text, f).not.toMatch(/\beval\s*\(|new\s+Function\s*\(|from\s+['"](node:)?vm['"]/);
    }
  });

  it('a rule file full of JavaScript stays data', () => {
    const evil = `lead { id: string\n name: string }
buyer A { accepts name == "\\"); process.exit(1); (\\"" }
flow f { when name == "constructor.constructor('return process')()" route A
 otherwise reject "x\`\${process.exit(1)}\`" }`;
    const plan = compileOk(evil);
    const d = new Router(loadPlan(JSON.parse(JSON.stringify(plan))), { store: new MemoryStore() }).route({ id: '1', name: '__proto__' });
    expect(d.status).toBe('unrouted');
    expect(d.reason).toBe('x`${process.exit(1)}`');
  });
});
