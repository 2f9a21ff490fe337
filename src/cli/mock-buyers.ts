// `leadroute mock-buyers CONFIG`: start the mock buyers of a JSON configuration
// on 127.0.0.1, print their URLs, run until SIGINT/SIGTERM, print what they saw.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  describeAnswers,
  describeBuyer,
  MockBuyersError,
  MockConfigError,
  parseMockConfig,
  startMockBuyers,
  withEphemeralPorts,
  type MockBuyers,
  type MockBuyersConfig,
  type MockBuyersStats,
} from '../mock/index.js';
import type { MockBuyersOptions } from './commands.js';
import { UsageError, paint, type Io } from './io.js';
import { alignedRow, columnWidths, widest } from '../core/text-table.js';

export interface MockBuyersCommandOptions {
  /** Stop when this settles instead of on SIGINT/SIGTERM (tests). */
  until?: Promise<unknown>;
  /** Called once the servers listen (tests). */
  onReady?: (buyers: MockBuyers) => void;
}

/** Read and validate a mock buyer configuration file; config problems are reported and give null. */
export function loadMockConfig(file: string, io: Io): MockBuyersConfig | null {
  const path = resolve(io.cwd, file);
  if (!existsSync(path)) throw new UsageError(`cannot read \`${file}\``);
  try {
    return parseMockConfig(readFileSync(path, 'utf8'), file);
  } catch (err) {
    if (err instanceof MockConfigError) {
      io.err(`${file}: ${err.message}`);
      return null;
    }
    throw err;
  }
}

/** Start the servers; a port that is taken is reported plainly and gives null. */
export async function startOrReport(config: MockBuyersConfig, io: Io): Promise<MockBuyers | null> {
  try {
    return await startMockBuyers(config);
  } catch (err) {
    if (err instanceof MockBuyersError) {
      io.err(`leadroute: ${err.message}`);
      return null;
    }
    throw err;
  }
}

export async function mockBuyersCommand([file]: string[], options: MockBuyersOptions, io: Io, opts: MockBuyersCommandOptions = {}): Promise<number> {
  if (file === undefined) throw new UsageError('`mock-buyers` takes exactly one configuration file (e.g. examples/mock-buyers.json)');
  let config = loadMockConfig(file, io);
  if (!config) return 1;
  const seed = options.seed;
  if (seed !== undefined) config = { ...config, seed };
  if (options.ephemeral) config = withEphemeralPorts(config);

  const mock = await startOrReport(config, io);
  if (!mock) return 1;
  const c = paint(io.color);
  io.out(c.bold(`leadroute mock buyers (${file}, seed ${String(config.seed ?? 1)}), on ${mock.buyers.length} port(s):`));
  io.out(describeMockBuyers(config, mock, io.color, true));
  io.out(c.dim('Ctrl-C to stop and print what they saw.'));
  opts.onReady?.(mock);

  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    opts.until?.then(stop, stop);
  });
  const stats = mock.stats();
  await mock.close();
  io.out(`\n${formatMockStats(stats, io.color)}`);
  return 0;
}

/**
 * The startup banner: each buyer's URL and what it will do, every default
 * included. `full` (the mock-buyers command) adds a line each and example
 * answers; otherwise (sell's header) one line a buyer.
 */
export function describeMockBuyers(config: MockBuyersConfig, mock: MockBuyers, color: boolean, full = false): string {
  const c = paint(color);
  const width = widest(mock.buyers.map((b) => b.name));
  return config.buyers
    .map((b, i) => {
      const a = mock.buyers[i]!;
      const head = `  ${a.name.padEnd(width)}  ${a.url}`;
      if (!full) return `${head}  ${c.dim(describeBuyer(b).join(' | '))}`;
      const pad = ' '.repeat(width + 6);
      return [`${head}  /ping /post /pixel`, ...describeBuyer(b).map((l) => `${pad}${l}`), ...describeAnswers(b).map((l) => c.dim(`${pad}${l}`))].join('\n');
    })
    .join('\n');
}

/** A table of what each mock buyer saw. */
export function formatMockStats(stats: MockBuyersStats, color: boolean): string {
  const c = paint(color);
  const ms = (n: number, count: number) => (count === 0 ? '-' : n < 10 ? n.toFixed(1) : n.toFixed(0));
  const rows: string[][] = [
    ['buyer', 'requests', 'pings', 'bids', 'excl', 'no-bid', 'dup', '401', '500', 'hang', 'garbage', 'reset', 'posts', 'ok', 'rejected', 'pixels', 'ping p50/p95 ms'],
  ];
  for (const b of stats.buyers) {
    const p = b.pings;
    const q = b.posts;
    rows.push([
      b.name,
      String(b.requests),
      String(p.total),
      String(p.bids),
      String(p.exclusiveBids),
      String(p.noBids),
      String(p.duplicates + q.duplicates),
      String(p.unauthorized + q.unauthorized),
      String(p.errors + q.errors),
      String(p.timeouts + q.timeouts),
      String(p.garbage + q.garbage),
      String(p.resets + q.resets),
      String(q.total),
      String(q.accepted),
      String(q.rejected),
      String(b.pixels),
      `${ms(b.pingLatency.p50, b.pingLatency.count)}/${ms(b.pingLatency.p95, b.pingLatency.count)}`,
    ]);
  }
  const widths = columnWidths(rows);
  const lines = rows.map((r, ri) => {
    const text = alignedRow(r, widths);
    return ri === 0 ? c.bold(text) : text;
  });
  const pii = stats.buyers.reduce((n, b) => n + b.pings.withPii, 0);
  lines.push(c.bold(`${stats.requests} requests`) + (pii > 0 ? c.red(`; ${pii} ping(s) looked like they carried PII`) : ''));
  return lines.join('\n');
}
