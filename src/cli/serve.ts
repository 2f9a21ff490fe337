// `leadroute serve RULES [--port N] [--host H] [--store DB] [--buyers CONFIG [--ephemeral]]
//                        [--keys FILE] [--body-limit BYTES] [--seed S] [--no-watch]
//                        [--return-window DURATION] [--return-reasons a,b,c] [--fsync]
//                        [--queue redis://host:port] [--log-level info]`: (pino's JSON log lines go to stdout)
// the HTTP service (src/serve) until SIGINT or SIGTERM. Keys come from --keys
// FILE or the LEADROUTE_API_KEYS environment variable; --buyers starts mock
// buyers first, as `sell` does. Exit codes: 0 stopped cleanly, 1 the port or
// the buyers could not be had, 2 usage, rule or key-file errors.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plan } from '../compile/index.js';
import type { MockBuyers } from '../mock/index.js';
import { isRedisUrl, redactUrl, RedisUnavailableError } from '../adapters/redis-store.js';
import { buildServer, PlanLoadError } from '../serve/server.js';
import { KEYS_ENV, KeysError, keysFromList, parseKeys, windowMsOf, type ApiKeys } from '../serve/keys.js';
import { loadPlanFile } from '../serve/plan-file.js';
import { redirectPlan, startBuyersFor } from './sell-buyers.js';
import type { ServeOptions } from './commands.js';
import { UsageError, packageRoot, type Io } from './io.js';

function readKeys(file: string | undefined, io: Io): ApiKeys | null {
  try {
    if (file !== undefined) {
      let text: string;
      try {
        text = readFileSync(resolve(io.cwd, file), 'utf8');
      } catch {
        throw new UsageError(`cannot read \`${file}\``);
      }
      return parseKeys(text, process.env);
    }
    const list = process.env[KEYS_ENV];
    return list !== undefined && list !== '' ? keysFromList(list) : null;
  } catch (err) {
    if (err instanceof KeysError) throw new UsageError(`${file ?? KEYS_ENV}: ${err.message}`);
    throw err;
  }
}

/** Resolves on SIGINT or SIGTERM. */
function stopSignal(): Promise<string> {
  return new Promise((res) => {
    const on = (sig: string) => () => res(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

export async function serveCommand([file]: string[], v: ServeOptions, io: Io, stop: Promise<string> = stopSignal()): Promise<number> {
  const rules = resolve(io.cwd, file!);
  const port = v.port;
  const host = v.host ?? '127.0.0.1';
  const bodyLimit = v.bodyLimit;
  const keys = readKeys(v.keys, io);
  const logLevel = v.logLevel;
  const windowText = v.returnWindow;
  const returnWindowMs = windowText === undefined ? undefined : windowMsOf(windowText);
  if (returnWindowMs === null) throw new UsageError(`--return-window must be a duration such as "7 days" or "48h" (got \`${windowText}\`)`);
  const reasonsText = v.returnReasons;
  const returnReasons = reasonsText?.split(',').map((r) => r.trim()).filter((r) => r !== '');
  if (returnReasons !== undefined && returnReasons.length === 0) throw new UsageError('--return-reasons must name at least one reason (a,b,c)');
  const buyersFile = v.buyers;
  if (v.queue !== undefined && !isRedisUrl(v.queue)) throw new UsageError(`--queue takes a Redis URL, redis://host:port (got \`${v.queue}\`)`);
  if (v.ephemeral && buyersFile === undefined) throw new UsageError('--ephemeral moves the mock buyers of --buyers CONFIG to free ports: it needs --buyers');

  const redis = v.store !== undefined && isRedisUrl(v.store);
  // Instances sharing state in Redis deliver on BullMQ there too, unless --queue names another.
  const queue = v.queue ?? (redis ? v.store : undefined);
  if (v.journal !== undefined && !redis) throw new UsageError('--journal DB keeps the journals of an instance whose --store is redis://…; with a SQLite --store they are in that file');
  if (v.redisPrefix !== undefined && !redis) throw new UsageError('--redis-prefix needs a redis://… --store');

  let mock: MockBuyers | null = null;
  let adaptPlan: ((plan: Plan) => Plan) | undefined;
  if (buyersFile !== undefined) {
    const first = loadPlanFile(rules);
    if (!first.ok) {
      io.err(first.errors.join('\n'));
      return 2;
    }
    const started = await startBuyersFor(first.plan, buyersFile, io, { ephemeral: v.ephemeral, command: 'serve' });
    if (!started.ok) return started.code;
    mock = started.mock;
    const ports = started.ports;
    adaptPlan = (plan) => redirectPlan(plan, ports).plan;
    io.out(`mock buyers: ${mock.buyers.map((b) => `${b.name} ${b.url}`).join(', ')}`);
  }

  let version = '0';
  try {
    version = (JSON.parse(readFileSync(resolve(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0';
  } catch {
    // no package.json beside the code: the OpenAPI document says version 0
  }
  let app;
  try {
    app = await buildServer({
      rules,
      ...(v.store !== undefined ? { store: isRedisUrl(v.store) ? v.store : resolve(io.cwd, v.store) } : {}),
      ...(v.journal !== undefined ? { journal: resolve(io.cwd, v.journal) } : {}),
      ...(v.redisPrefix !== undefined ? { redisPrefix: v.redisPrefix } : {}),
      ...(queue !== undefined ? { queue } : {}),
      keys,
      bodyLimit,
      ...(adaptPlan ? { adaptPlan } : {}),
      watch: !v.noWatch,
      logger: { level: logLevel },
      ...(v.fsync ? { synchronous: 'FULL' as const } : {}),
      ...(returnWindowMs !== undefined ? { returnWindowMs } : {}),
      ...(returnReasons !== undefined ? { returnReasons } : {}),
      ...(v.seed !== undefined ? { seed: v.seed } : {}),
      alertEveryMs: v.alertEvery * 1000,
      version,
    });
  } catch (err) {
    await mock?.close();
    if (err instanceof PlanLoadError) {
      io.err(err.errors.join('\n'));
      return 2;
    }
    if (err instanceof RedisUnavailableError) {
      io.err(`leadroute serve: ${err.message}`);
      return 1;
    }
    throw err;
  }
  try {
    await app.listen({ port, host });
  } catch (err) {
    await app.close();
    await mock?.close();
    io.err(`leadroute serve: cannot listen on ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return 1;
  }
  const address = app.server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  io.out(`leadroute serve: listening on http://${host}:${actual} (${storeLine(v.store, v.journal)}; ${keys ? `${keys.size} API key(s)` : 'no API keys: any caller may post'})`);
  const sig = await stop;
  io.out(`leadroute serve: ${sig}: finishing sales and deliveries in progress, then stopping`);
  await app.close();
  await mock?.close();
  return 0;
}

/** How the listening line describes where state and journals are kept. */
function storeLine(store: string | undefined, journal: string | undefined): string {
  if (store === undefined) return 'in memory: nothing survives a restart; --store DB keeps it';
  if (!isRedisUrl(store)) return `store ${store}`;
  return `shared state in Redis ${redactUrl(store)}; journal ${journal ?? 'in memory: --journal DB keeps it'}`;
}
