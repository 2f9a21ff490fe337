import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/index.js';
import { runCli, scratchDir, writeScratch } from './helpers.js';

const SPLIT = `
lead {
  id: string
  state: state
  homeowner: bool
}
buyer A { price $10 }
buyer B { price $8 }
buyer C { price $5 }
flow main {
  split { A 60%, B 30%, C 10% }
}
`;

const CAPPED = `
lead {
  id: string
}
buyer Daily {
  price $40
  cap 100/day
  overflow Spare
}
buyer Spare { price $2 }
flow main { route Daily }
`;

describe('leadroute simulate', () => {
  it('a 60/30/10 split over 10,000 simulated leads lands within 2 points of target (--json)', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'split.route', SPLIT);
    const r = await runCli(['simulate', 'split.route', '--count', '10000', '--seed', '42', '--json'], dir);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({ leads: 10000, routed: 10000, flow: 'main', ratePerHour: 600, from: '2026-11-23T14:00:00.000Z' });
    expect(s.buyers.map((b: { name: string; target: number }) => [b.name, b.target])).toEqual([
      ['A', 60],
      ['B', 30],
      ['C', 10],
    ]);
    for (const b of s.buyers) expect(Math.abs(b.share - b.target)).toBeLessThanOrEqual(2);
    expect(s.accuracy.maxDeviation).toBeLessThanOrEqual(2);
    // lead i arrives at from + i/rate: 10,000 leads at 600/h take 16h40m
    expect(s.to).toBe('2026-11-24T06:39:54.000Z');
  });

  it('exits 0 and prints the table per buyer, wastage and accuracy', async () => {
    const r = await runCli(['simulate', 'rules/solar.route', '--count', '3000', '--rate', '300/h', '--from', '2026-11-24T13:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines.find((l) => l.startsWith('buyer'))).toMatch(/^buyer\s+leads\s+share\s+target\s+Δ pts\s+revenue\s+cap hits/);
    expect(lines.find((l) => l.startsWith('Premium'))).toMatch(/^Premium\s+[\d,]+\s+[\d.]+%\s+60\.0%/);
    expect(lines.find((l) => l.startsWith('CatchAll'))).toMatch(/^CatchAll\s+[\d,]+\s+[\d.]+%\s+–/);
    expect(r.out).toContain('(unrouted)');
    expect(r.out).toMatch(/distribution accuracy: max \|share − target\| [\d.]+ points/);
    expect(r.out).toMatch(/lead wastage: /);
    expect(r.out).toContain('2026-11-24T13:00:00.000Z');
  });

  it('writes a self-contained HTML report with SVG charts', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'split.route', SPLIT);
    const r = await runCli(['simulate', 'split.route', '--count', '2000', '--report', 'report.html'], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain('wrote report.html');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
    expect(html).toContain('<table>');
  });

  it('routes leads from a JSONL file', async () => {
    const r = await runCli(['simulate', 'rules/solar.route', '--leads', 'examples/leads.jsonl', '--json', '--seed', '7']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.leads).toBe(1000);
    expect(s.rejected).toBe(0);
    expect(s.seed).toBe('7');
  });

  it('caps hold across runs against the same SQLite store (--store)', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'capped.route', CAPPED);
    const run = async () => {
      const r = await runCli(['simulate', 'capped.route', '--count', '150', '--store', 'state.sqlite', '--json'], dir);
      expect(r.code).toBe(0);
      return JSON.parse(r.out).buyers as { name: string; leads: number; capHits: number }[];
    };
    const first = await run();
    expect(first.map((b) => [b.name, b.leads])).toEqual([
      ['Daily', 100],
      ['Spare', 50],
    ]);
    const second = await run(); // same simulated day: Daily's 100/day is already used
    expect(second.map((b) => [b.name, b.leads])).toEqual([
      ['Daily', 0],
      ['Spare', 150],
    ]);
    expect(second[0]!.capHits).toBe(150);
    expect(existsSync(join(dir, 'state.sqlite'))).toBe(true);
    const store = new SqliteStore(join(dir, 'state.sqlite'));
    expect(store.stats().counters).toBeGreaterThan(0);
    store.close();
  });

  it('exits 2 on usage errors and 1 on a broken rule file', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'split.route', SPLIT);
    writeScratch(dir, 'bad.route', 'lead { x: int }\nflow f { route Nobody }\n');
    expect((await runCli(['simulate', 'split.route'], dir)).code).toBe(2);
    expect((await runCli(['simulate', 'split.route', '--count', '5', '--leads', 'x.jsonl'], dir)).code).toBe(2);
    expect((await runCli(['simulate', 'split.route', '--count', 'many'], dir)).code).toBe(2);
    expect((await runCli(['simulate', 'split.route', '--count', '5', '--rate', 'fast'], dir)).code).toBe(2);
    expect((await runCli(['simulate', 'split.route', '--count', '5', '--from', 'yesterday'], dir)).code).toBe(2);
    expect((await runCli(['simulate', 'split.route', '--count', '5', '--flow', 'nope'], dir)).code).toBe(2);
    expect((await runCli(['simulate', 'bad.route', '--count', '5'], dir)).code).toBe(1);
    expect((await runCli(['help'])).out).toMatch(/^ {2}simulate FILE +shares, caps/m);
  });
});
