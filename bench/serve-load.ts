// Load benchmark for `leadroute serve` (autocannon against a real child process).
//
//   npm run bench:serve               (this part alone; `npm run bench` prints it last)
//   npx tsx bench/serve-load.ts [seconds] [--cpu-prof DIR] [--built]
//
// By default the children run the TypeScript source under tsx (as the crash
// test does). --built first runs `tsc -p tsconfig.build.json` and runs
// bin/leadroute.js (dist/), what an installed package runs.
//
// --cpu-prof DIR runs each `leadroute serve` child under `node --cpu-prof`,
// writing a .cpuprofile per child into DIR (open it in Chrome DevTools).
//
// Every server runs in its own child process, so autocannon (here) and the
// server under test do not share an event loop; the mock buyers, when used,
// are a third process (`leadroute mock-buyers`), as real buyers would be
// elsewhere. Three setups, the same autocannon settings for each:
//
//   (a) floor: a bare Fastify 5 app answering POST /leads/:flow with a fixed
//       JSON body after parsing the JSON request. What any Fastify service
//       pays on this machine for HTTP and JSON alone.
//   (b) leadroute, routing only: `leadroute serve` on a SQLite file (WAL,
//       group commit, synchronous=NORMAL: the defaults) with a flow of
//       fixed-price buyers that have no post. Each answer comes after the lead
//       was committed to the inbox, routed (caps counted, decision journalled)
//       and finished in the inbox.
//   (b') the same without --store (MemoryStore, MemoryInbox): not durable, so
//       not a candidate for the target; it prices the SQLite journal.
//   (c) leadroute with posts: the same flow, each buyer posting to a mock
//       buyer on 127.0.0.1 (0 ms latency). The answer waits for the post's
//       answer too (Seller.sell delivers immediate posts before it resolves),
//       and each attempt is journalled.
//
// The leads are varied (state, credit score, homeowner, zip) and each has a
// new id: a repeated id would be answered 409 (duplicate) without routing.
// The service runs with one API key whose rate limit is far above the load, so
// the key check and the rate limiter are in the path, as in production.
//
// The target (issue 16): at least 5,000 leads/s acknowledged durably for plain
// routing flows, p99 under 25 ms, on a 2-core machine. Only 2xx answers count
// as leads; any other answer is printed as an error.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_LEADS_PER_S = 5000;
const TARGET_P99_MS = 25;
const CONNECTIONS = 50;
const DEFAULT_SECONDS = 10;
const API_KEY = 'bench-load-key-0123456789';
const CLI_ENTRY = "import('./src/cli/index.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })";

/** Node arguments that run the leadroute CLI: from source under tsx, or the built bin/leadroute.js. */
function cliArgs(built: boolean): string[] {
  return built ? [join(ROOT, 'bin/leadroute.js')] : ['--import', 'tsx', '--input-type=module', '-e', CLI_ENTRY];
}

const LEAD_SCHEMA = `lead {
  id: string
  state: state
  zip: zip
  homeowner: bool
  credit_score: int 300..850
  email: email pii
  phone: phone pii
}`;

/** A plain routing flow: filters, a cap with overflow, a random share, a catch-all. */
function rulesText(posts: Map<string, string> | null): string {
  const post = (name: string): string => (posts ? `\n  post "${posts.get(name)!}/post" timeout 5s accepted "result" == "success"` : '');
  return `${LEAD_SCHEMA}

buyer Premium {
  accepts state in [CA, TX, FL, NY, AZ] and credit_score >= 680 and homeowner
  price $40
  cap 100000/day
  overflow Standard${post('Premium')}
}

buyer Standard {
  accepts credit_score >= 600
  price $22${post('Standard')}
}

buyer Budget {
  price $8${post('Budget')}
}

flow solar {
  when homeowner route Premium
  when random <= 70 route Standard
  otherwise route Budget
}
`;
}

const BUYER_NAMES = ['Premium', 'Standard', 'Budget'];
const STATES = ['CA', 'TX', 'FL', 'NY', 'AZ', 'OH', 'WA', 'GA', 'NC', 'CO'];

/** The n-th lead of a run: a new id each time, values varied over a cycle. */
function leadBody(run: string, n: number): string {
  return JSON.stringify({
    id: `${run}-${n}`,
    state: STATES[n % STATES.length],
    zip: String(10000 + ((n * 7919) % 89999)).padStart(5, '0'),
    homeowner: n % 3 !== 0,
    credit_score: 520 + ((n * 37) % 330),
    email: `lead${n}@example.com`,
    phone: `555${String(1000000 + (n % 8999999))}`,
  });
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

interface Child {
  child: ChildProcess;
  output: () => string;
}

/** Spawn node with `args` in the repository root; resolves once `ready` matches its stdout. */
function startChild(args: string[], ready: RegExp, what: string): Promise<Child> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((res, rej) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (ready.test(out)) res({ child, output: () => out });
    });
    child.on('exit', (code) => rej(new Error(`${what} exited (${code}) before it was ready:\n${out}`)));
  });
}

function stopChild(c: Child): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => c.child.kill('SIGKILL'), 10_000);
    c.child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    c.child.kill('SIGTERM');
  });
}

/** The floor: Fastify with JSON parsing and a fixed answer, nothing else. */
const FLOOR_SOURCE = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
const answer = { leadId: 'x', flow: 'solar', status: 'routed', buyers: ['Standard'], price: 22 };
app.post('/leads/:flow', async () => answer);
await app.listen({ port: Number(process.argv[1]), host: '127.0.0.1' });
console.log('floor listening');
`;

interface Measured {
  name: string;
  leadsPerS: number;
  p50: number;
  p975: number;
  p99: number;
  ok: number;
  errors: number;
  non2xx: number;
}

async function load(name: string, url: string, seconds: number, run: string): Promise<Measured> {
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/leads/solar',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        setupRequest: (req) => ({ ...req, body: leadBody(run, n++) }),
      },
    ],
  });
  const ok = result['2xx'];
  return {
    name,
    leadsPerS: ok / (result.duration || seconds),
    p50: result.latency.p50,
    p975: result.latency.p97_5,
    p99: result.latency.p99,
    ok,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** One lead posted by hand before the load: the service must route it (and, with posts, deliver it), else the figures would time refusals. */
async function checkRouted(url: string, withPosts: boolean): Promise<void> {
  const res = await fetch(`${url}/leads/solar`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: leadBody('check', 1),
  });
  const answer = (await res.json()) as { status?: string; buyers?: unknown[]; deliveries?: { status?: string }[] };
  const delivered = !withPosts || (answer.deliveries?.length ?? 0) > 0 && answer.deliveries!.every((d) => d.status === 'accepted');
  if (res.status !== 200 || answer.status !== 'routed' || !delivered) {
    throw new Error(`${url}: a check lead was not ${withPosts ? 'routed and delivered' : 'routed'}: ${res.status} ${JSON.stringify(answer).slice(0, 400)}`);
  }
}

/** Run autocannon briefly first (JIT, SQLite pages, connection pools), then measure. */
async function warmAndLoad(name: string, url: string, seconds: number, run: string): Promise<Measured> {
  await load(name, url, 2, `${run}-warm`);
  return load(name, url, seconds, run);
}

async function leadrouteServe(dir: string, rules: string, store: string | null, profileDir: string | null, built: boolean): Promise<{ c: Child; url: string }> {
  const port = await freePort();
  const prof = profileDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const c = await startChild(
    [...prof, ...cliArgs(built), 'serve', rules, '--port', String(port), ...(store === null ? [] : ['--store', store]),
      '--keys', join(dir, 'keys.json'), '--log-level', 'silent', '--no-watch'],
    /listening on http:\/\/127\.0\.0\.1:\d+/,
    'leadroute serve',
  );
  return { c, url: `http://127.0.0.1:${port}` };
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

export async function serveLoadBench(seconds = DEFAULT_SECONDS, profileDir: string | null = null, built = false): Promise<void> {
  const started = Date.now();
  console.log('');
  console.log(
    `serve load bench — node ${process.version}, ${cpus().length} CPU(s); autocannon ${CONNECTIONS} connections, ${seconds} s each after a 2 s warm-up; ` +
      `each server in its own child process, leadroute ${built ? 'built (bin/leadroute.js, dist/)' : 'from source under tsx'}, SQLite file journal (WAL, group commit, synchronous=NORMAL)`,
  );
  if (built) execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'leadroute-load-'));
  writeFileSync(join(dir, 'keys.json'), JSON.stringify({ sources: [{ name: 'bench', key: API_KEY, rate: { max: 1_000_000_000, window: '1 minute' } }] }));
  const children: Child[] = [];
  const rows: Measured[] = [];
  try {
    // (a) floor
    const floorPort = await freePort();
    const floor = await startChild(['--input-type=module', '-e', FLOOR_SOURCE, String(floorPort)], /floor listening/, 'the Fastify floor');
    children.push(floor);
    rows.push(await warmAndLoad('floor: bare Fastify, fixed JSON answer', `http://127.0.0.1:${floorPort}`, seconds, 'floor'));
    await stopChild(floor);

    // (b) routing only
    const routingRules = join(dir, 'routing.route');
    writeFileSync(routingRules, rulesText(null));
    const routing = await leadrouteServe(dir, routingRules, join(dir, 'routing.db'), profileDir, built);
    children.push(routing.c);
    await checkRouted(routing.url, false);
    rows.push(await warmAndLoad('leadroute serve: routing only, journal on', routing.url, seconds, 'routing'));
    await stopChild(routing.c);

    // (b') the same without --store: not durable, shown to price the SQLite journal
    const memory = await leadrouteServe(dir, routingRules, null, profileDir, built);
    children.push(memory.c);
    await checkRouted(memory.url, false);
    rows.push(await warmAndLoad('(routing only, in memory: not durable)', memory.url, seconds, 'memory'));
    await stopChild(memory.c);

    // (c) with posts to mock buyers in a third process
    const ports = await Promise.all(BUYER_NAMES.map(() => freePort()));
    const mockConfig = join(dir, 'buyers.json');
    writeFileSync(mockConfig, JSON.stringify({ seed: 1, keep: 10, buyers: BUYER_NAMES.map((name, i) => ({ name, port: ports[i] })) }));
    const mock = await startChild([...cliArgs(built), 'mock-buyers', mockConfig], /Ctrl-C to stop/, 'mock buyers');
    children.push(mock);
    const postRules = join(dir, 'posts.route');
    writeFileSync(postRules, rulesText(new Map(BUYER_NAMES.map((name, i) => [name, `http://127.0.0.1:${ports[i]}`]))));
    const posting = await leadrouteServe(dir, postRules, join(dir, 'posts.db'), profileDir, built);
    children.push(posting.c);
    await checkRouted(posting.url, true);
    rows.push(await warmAndLoad('leadroute serve: + post to a mock buyer', posting.url, seconds, 'posts'));
    await stopChild(posting.c);
    await stopChild(mock);
  } finally {
    for (const c of children) await stopChild(c);
    rmSync(dir, { recursive: true, force: true });
  }

  const floorRate = rows[0]!.leadsPerS;
  const header = ['setup', 'leads/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'errors', 'non-2xx', '×floor', '×target'];
  const body = rows.map((r) => [
    r.name, fmtInt(r.leadsPerS), String(r.p50), String(r.p975), String(r.p99), String(r.errors), String(r.non2xx),
    (r.leadsPerS / floorRate).toFixed(2) + '×', (r.leadsPerS / TARGET_LEADS_PER_S).toFixed(2) + '×',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  console.log('');
  console.log(line(header));
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const row of body) console.log(line(row));
  console.log('');
  for (const r of rows.slice(1).filter((row) => !row.name.startsWith('('))) {
    const meets = r.leadsPerS >= TARGET_LEADS_PER_S && r.p99 < TARGET_P99_MS && r.errors === 0 && r.non2xx === 0;
    console.log(`${r.name}: ${meets ? 'meets' : 'BELOW'} the target of ${fmtInt(TARGET_LEADS_PER_S)} leads/s with p99 < ${TARGET_P99_MS} ms (${fmtInt(r.ok)} leads answered 2xx)`);
  }
  console.log('leads/s counts 2xx answers only; the floor answers without parsing rules, journalling or routing. Latency is autocannon\'s, from request sent to answer read.');
  console.log(`serve load total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const profAt = args.indexOf('--cpu-prof');
  const profileDir = profAt >= 0 ? resolve(args[profAt + 1] ?? 'profiles') : null;
  const seconds = Number(args.find((a, i) => /^\d+(\.\d+)?$/.test(a) && (profAt < 0 || i !== profAt + 1)) ?? DEFAULT_SECONDS);
  serveLoadBench(seconds > 0 ? seconds : DEFAULT_SECONDS, profileDir, args.includes('--built')).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
