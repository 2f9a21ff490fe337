// Writes deterministic sample leads (src/sim/sample-leads.ts) as JSON lines.
//
//   npm run leads                                   # writes examples/leads.jsonl (1,000 leads, seed 2026)
//   npx tsx examples/make-leads.ts --count 100000 --out /tmp/leads.jsonl --seed 7

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_COUNT, DEFAULT_SEED, makeLeads, toJsonl } from '../src/sim/sample-leads.js';

function parseArgs(argv: string[]): { count: number; out: string; seed: number } {
  const here = dirname(fileURLToPath(import.meta.url));
  const opts = { count: DEFAULT_COUNT, out: join(here, 'leads.jsonl'), seed: DEFAULT_SEED };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const int = (s: string): number => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a non-negative integer, got "${s}"`);
      return n;
    };
    if (arg === '--count' || arg === '-n') opts.count = int(value());
    else if (arg === '--out' || arg === '-o') opts.out = value();
    else if (arg === '--seed' || arg === '-s') opts.seed = int(value());
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: tsx examples/make-leads.ts [--count N] [--out FILE] [--seed S]');
      process.exit(0);
    } else throw new Error(`unknown argument "${arg}" (try --help)`);
  }
  return opts;
}

try {
  const { count, out, seed } = parseArgs(process.argv.slice(2));
  writeFileSync(out, toJsonl(makeLeads(count, seed)));
  console.log(`wrote ${count} leads (seed ${seed}) to ${out}`);
} catch (err) {
  console.error(`make-leads: ${(err as Error).message}`);
  process.exitCode = 2;
}
