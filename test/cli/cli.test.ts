import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, scratchDir, writeScratch } from './helpers.js';

const rules = readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.route')).map((f) => `rules/${f}`);

const FIVE_MISTAKES = `lead {
  state: state
  credit_score: int 300..850
}
buyer Premium {
  accepts credit_scor >= 700
  hours Mon-Fri 09:00-18:00 "America/New_Yrok"
}
flow solar {
  when random <= 160 route Premium
  split { Premium 60%, Standrd 30% }
}
`;

describe('leadroute check', () => {
  it('passes every shipped rule file with exit 0', async () => {
    const r = await runCli(['check', ...rules]);
    expect(r.err).toBe('');
    expect(r.out).toContain(`ok: 0 errors, 0 warnings in ${rules.length} files`);
    expect(r.code).toBe(0);
  });

  it('reports all five mistakes with positions, codes and suggestions, exit 1, no stack trace', async () => {
    const dir = scratchDir();
    const file = writeScratch(dir, 'bad.route', FIVE_MISTAKES);
    const r = await runCli(['check', 'bad.route'], dir);
    expect(r.code).toBe(1);
    const heads = r.err.split('\n').filter((l) => l.startsWith('bad.route:'));
    expect(heads.map((h) => h.replace(/: .*?(LR\d+).*/, ' $1'))).toEqual([
      'bad.route:6:11 LR200',
      'bad.route:7:29 LR500',
      'bad.route:10:18 LR303',
      'bad.route:11:3 LR400',
      'bad.route:11:24 LR201',
    ]);
    expect(r.err).toContain('did you mean `credit_score`?');
    expect(r.err).toContain('America/New_York');
    expect(r.err).toContain('unknown buyer `Standrd`');
    expect(r.err).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(r.out).toContain('5 errors');
    expect(file).toBeTruthy();
  });

  it('exits 2 on usage errors', async () => {
    expect((await runCli(['check'])).code).toBe(2);
    expect((await runCli(['check', 'no/such/file.route'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['route', 'rules/solar.route'])).code).toBe(2);
    expect((await runCli(['route', 'rules/solar.route', '--leads', 'x', '--bogus'])).code).toBe(2);
  });
});

describe('leadroute compile and route', () => {
  it('routes the sample leads the same from source and from a compiled plan', async () => {
    const dir = scratchDir();
    const plan = join(dir, 'plan.json');
    const c = await runCli(['compile', 'rules/solar.route', '-o', plan]);
    expect(c.code).toBe(0);
    expect(JSON.parse(readFileSync(plan, 'utf8'))).toMatchObject({ leadroute: 'plan', version: 1 });
    const args = ['--leads', 'examples/leads.jsonl', '--at', '2026-11-23T15:00:00Z', '--seed', '3', '--json'];
    const fromSource = await runCli(['route', 'rules/solar.route', ...args]);
    const fromPlan = await runCli(['route', plan, ...args]);
    expect(fromSource.code).toBe(0);
    const strip = (s: string) => s.split('\n').filter(Boolean).map((l) => { const d = JSON.parse(l); delete d.at; return d; });
    expect(strip(fromPlan.out)).toEqual(strip(fromSource.out));
    expect(strip(fromSource.out)).toHaveLength(1000);
  });

  it('prints one JSON object a lead in the documented shape', async () => {
    const lead = readFileSync(join(ROOT, 'examples/leads.jsonl'), 'utf8').split('\n')[0]!;
    const r = await runCli(['route', 'rules/solar.route', '--lead', lead, '--json', '--at', '2026-11-23T15:00:00Z']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d).toMatchObject({ lead: 'L00001', flow: 'solar', status: 'routed' });
    expect(d.buyers).toHaveLength(1);
    expect(d.buyers[0]).toEqual({ name: expect.any(String), price: expect.any(Number) });
    expect(d.trace.length).toBeGreaterThan(0);
    expect(d.trace[0]).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('prints an auction lead with its bidders, a fixed-price bidder with its price', async () => {
    const dir = scratchDir();
    writeScratch(
      dir,
      'a.route',
      'lead { id: string }\nbuyer P { ping "https://p.example/ping" bid price "amount" }\nbuyer F { price $30 }\nbuyer C { price $5 }\nflow f { auction { P, F } then { C } }\n',
    );
    const r = await runCli(['route', 'a.route', '--lead', '{"id":"a1"}'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('auction: P, F at $30.00 then C at $5.00 (sell with a Seller to run it)');
  });

  it('gives an unrouted lead empty buyers and a reason, and a bad lead a field-named rejection', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'r.route', 'lead { id: string\n score: int 0..100 }\nbuyer A { accepts score > 50 }\nflow f { route A }\n');
    const leads = writeScratch(dir, 'l.jsonl', '{"id":"a","score":10}\n{"id":"b","score":500}\nnot json\n{"id":"c","score":90}\n');
    const r = await runCli(['route', 'r.route', '--leads', leads, '--json'], dir);
    const out = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(out.map((d) => d.status)).toEqual(['unrouted', 'rejected', 'rejected', 'routed']);
    expect(out[0].buyers).toEqual([]);
    expect(out[0].reason).toBeTruthy();
    expect(out[1].errors).toEqual([{ field: 'score', message: expect.stringContaining('100') }]);
    expect(out[2].reason).toContain('line 3');
  });

  it('prints readable decisions, traces and a per-buyer summary', async () => {
    const r = await runCli(['route', 'rules/solar.route', '--leads', 'examples/leads.jsonl', '--at', '2026-11-23T15:00:00Z', '--trace']);
    expect(r.out).toMatch(/L00001 .*→ \w+ \$\d+\.\d\d exclusive/);
    expect(r.out).toMatch(/\n {4}· /);
    expect(r.out).toMatch(/buyer\s+leads\s+share\s+revenue/);
    expect(r.out).toContain('1000 leads');
  });

  it('names the flows when --flow is wrong', async () => {
    const r = await runCli(['route', 'rules/solar.route', '--leads', 'examples/leads.jsonl', '--flow', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('`solar`');
  });
});
