// `sell --buyers CONFIG` (and `demo`): start the mock buyers of a configuration
// on 127.0.0.1 and point the rule file's buyer URLs at the ports they got.

import type { Plan } from '../compile/index.js';
import { MockBuyersError, startMockBuyers, withEphemeralPorts, MOCK_HOST, type MockBuyers, type MockBuyersConfig } from '../mock/index.js';
import { loadMockConfig } from './mock-buyers.js';
import type { Io } from './io.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Point the plan's URLs at the mock buyers that actually listen: a URL on
 * 127.0.0.1:P where the configuration put a buyer on port P goes to the port
 * that buyer got. Returns the plan and any URL that leaves the machine.
 */
export function redirectPlan(plan: Plan, ports: Map<number, number>): { plan: Plan; external: string[] } {
  const external: string[] = [];
  const fix = (url: string, where: string): string => {
    const m = /^(https?):\/\/([^/:?#]+|\[[^\]]+\])(?::(\d+))?(.*)$/s.exec(url);
    if (!m) return url;
    const [, scheme, host, portText, rest] = m;
    if (!LOOPBACK.has(host!.toLowerCase())) {
      external.push(`${where}: ${url}`);
      return url;
    }
    const port = portText === undefined ? (scheme === 'https' ? 443 : 80) : Number(portText);
    const to = ports.get(port);
    return to === undefined ? url : `${scheme}://${MOCK_HOST}:${to}${rest}`;
  };
  const copy = structuredClone(plan);
  for (const b of copy.buyers) {
    if (b.ping) b.ping.url = fix(b.ping.url, `${b.name} ping`);
    if (b.post) b.post.url = fix(b.post.url, `${b.name} post`);
    if (b.backupPost) b.backupPost.url = fix(b.backupPost.url, `${b.name} backup post`);
    for (const p of b.pixels ?? []) p.url = fix(p.url, `${b.name} pixel`);
    const batch = b.delivery?.batch;
    if (batch && /^https?:/.test(batch.to)) batch.to = fix(batch.to, `${b.name} batch`);
  }
  return { plan: copy, external };
}

/** `ports`: each configured port to the port its buyer got (for plans loaded later: `serve` reloads). */
export type StartedBuyers = { ok: true; mock: MockBuyers; plan: Plan; config: MockBuyersConfig; ports: Map<number, number> } | { ok: false; code: 1 | 2 };

/**
 * Start the buyers of `configFile` and redirect `plan` to them. Problems are
 * reported on io.err: an invalid configuration or a busy port gives 1 (the
 * environment), rules that name a host off the machine give 2 (rules and
 * configuration do not go together: a test configuration never sends a lead
 * to a real buyer).
 */
export async function startBuyersFor(plan: Plan, configFile: string, io: Io, opts: { ephemeral: boolean; command: string }): Promise<StartedBuyers> {
  const loaded = loadMockConfig(configFile, io);
  if (!loaded) return { ok: false, code: 1 };
  const config = opts.ephemeral ? withEphemeralPorts(loaded) : loaded;
  let mock: MockBuyers;
  try {
    mock = await startMockBuyers(config);
  } catch (err) {
    if (err instanceof MockBuyersError && err.code === 'EADDRINUSE') {
      io.err(`leadroute ${opts.command}: port ${err.port} (mock buyer ${err.buyer}) is already in use on ${MOCK_HOST}.`);
      io.err(`  Another \`leadroute mock-buyers\` or demo may be running: stop it, or run \`leadroute ${opts.command} --ephemeral\``);
      io.err('  (the mock buyers then take free ports, and the rules are pointed at them).');
      return { ok: false, code: 1 };
    }
    if (err instanceof MockBuyersError) {
      io.err(`leadroute ${opts.command}: ${err.message}`);
      return { ok: false, code: 1 };
    }
    throw err;
  }
  const ports = new Map<number, number>();
  loaded.buyers.forEach((b, i) => {
    if (b.port) ports.set(b.port, mock.buyers[i]!.port);
  });
  const { plan: redirected, external } = redirectPlan(plan, ports);
  if (external.length > 0) {
    await mock.close();
    io.err(`leadroute ${opts.command}: with --buyers every request goes to the mock buyers on ${MOCK_HOST}, but the rules name other hosts:\n${external.map((e) => `  ${e}`).join('\n')}`);
    return { ok: false, code: 2 };
  }
  return { ok: true, mock, plan: redirected, config, ports };
}
