// A service under test: mock buyers on 127.0.0.1, a rule file pointing at them,
// buildServer on port 0 with a SQLite file in a scratch folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startMockBuyers, type MockBuyers } from '../../src/mock/index.js';
import type { MockBuyerConfig } from '../../src/mock/config.js';
import { buildServer, type ServerOptions } from '../../src/serve/server.js';
import { ROOT, scratchDir } from '../cli/helpers.js';

export const SERVE_LEAD = `lead {
  id: string
  state: state
  zip: zip optional
  credit_score: int optional
  email: email pii
  phone: phone pii optional
}`;

/** Alpha takes CA (at $20, 10 a day), Beta the rest (at $12); both post to their mock buyer. */
export function rulesFor(mock: MockBuyers, extra = ''): string {
  const url = (name: string) => mock.buyers.find((b) => b.name === name)!.url;
  return `${SERVE_LEAD}

buyer Alpha {
  price $20
  cap 10/day
  post "${url('Alpha')}/post" timeout 10s accepted "result" == "success"
}

buyer Beta {
  price $12
  post "${url('Beta')}/post" timeout 10s accepted "result" == "success"
}
${extra}
flow solar {
  when state in [CA] route Alpha
  otherwise route Beta
}
`;
}

export interface Harness {
  dir: string;
  rules: string;
  store: string;
  mock: MockBuyers;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function startHarness(opts: { buyers?: Partial<MockBuyerConfig>; server?: Partial<ServerOptions>; logLines?: string[] } = {}): Promise<Harness> {
  const dir = scratchDir();
  const mock = await startMockBuyers({
    seed: 1,
    keep: 1000,
    buyers: [
      { name: 'Alpha', port: 0, ...opts.buyers },
      { name: 'Beta', port: 0, ...opts.buyers },
    ],
  });
  const rules = join(dir, 'solar.route');
  writeFileSync(rules, rulesFor(mock));
  const store = join(dir, 'serve.db');
  const lines = opts.logLines;
  const app = await buildServer({
    rules,
    store,
    watch: false,
    logger: lines ? { level: 'info', stream: { write: (l: string) => void lines.push(l) } } : false,
    ...opts.server,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return {
    dir,
    rules,
    store,
    mock,
    app,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await app.close();
      await mock.close();
    },
  };
}

export const lead = (id: string, o: Record<string, unknown> = {}) => ({ id, state: 'CA', zip: '94105', credit_score: 700, email: `${id.toLowerCase()}@example.com`, phone: '415-555-0100', ...o });

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export interface ServeChild {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/**
 * Start `leadroute serve ARGS` as a child process from the TypeScript source.
 * `child` at once (so a test can kill it whatever happens), `listening` once
 * it prints its URL.
 */
export function spawnServe(args: string[]): { child: ChildProcess; listening: Promise<ServeChild> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', "import('./src/cli/index.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })", 'serve', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const listening = new Promise<ServeChild>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, output: () => out });
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening:\n${out}`)));
  });
  return { child, listening };
}

/** Poll `ok` every 50 ms until it holds; fails after `tries`. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
