// The vendor tests' tools: a mock of a vendor's API (node:http on 127.0.0.1,
// an ephemeral port) that checks each request against what the vendor's
// documentation asks for and answers in the vendor's own format; the fixture
// rule files of test/buyers/<vendor>/, compiled with their templates from disk
// and pointed at the mock; and a Seller with the secrets the rule file names.
//
// A fixture rule file keeps the vendor's real URLs: a test replaces the
// vendor's origin (`https://leadapi.px.com`) by the mock's, so the file reads
// as a buyer would write it.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Seller, type SellerOptions } from '../../src/auction/index.js';
import { MemoryJournal } from '../../src/adapters/index.js';
import { compile } from '../../src/compile/index.js';
import { formatDiagnostics, hasErrors, type Diagnostic } from '../../src/lang/index.js';
import type { Plan } from '../../src/models/plan.js';
import { Router } from '../../src/runtime/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The folder of a vendor's fixture: test/buyers/<vendor>/. */
export const fixtureDir = (vendor: string): string => join(HERE, vendor);

// ---------------------------------------------------------------- the mock vendor

/** A request as the mock vendor received it. */
export interface VendorRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The Content-Type without parameters (`application/json`), '' when absent. */
  contentType: string;
  body: string;
}

/** What the mock vendor answers: a status, a Content-Type, a body, all as the vendor documents them. */
export interface VendorAnswer {
  status?: number;
  contentType: string;
  body: string;
}

/**
 * One endpoint of the vendor. `problem` records a way the request differs
 * from the vendor's documentation; a test asserts there are none.
 */
export type VendorRoute = (req: VendorRequest, problem: (what: string) => void) => VendorAnswer;

export interface VendorServer {
  /** `http://127.0.0.1:PORT`, to put in place of the vendor's origin. */
  readonly url: string;
  readonly requests: VendorRequest[];
  /** Every way a request broke the vendor's documentation, as `METHOD /path: what`. */
  readonly problems: string[];
  close(): Promise<void>;
}

/**
 * Starts a mock vendor. `routes` are keyed `METHOD /path`; a request to
 * anything else is a problem and gets a 404.
 */
export async function startVendor(routes: Record<string, VendorRoute>): Promise<VendorServer> {
  const requests: VendorRequest[] = [];
  const problems: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://vendor.invalid');
      const request: VendorRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        contentType: (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const key = `${request.method} ${request.path}`;
      const route = routes[key];
      let answer: VendorAnswer;
      if (route === undefined) {
        problems.push(`${key}: no such endpoint`);
        answer = { status: 404, contentType: 'text/plain', body: 'not found' };
      } else {
        try {
          answer = route(request, (what) => problems.push(`${key}: ${what}`));
        } catch (e) {
          problems.push(`${key}: the mock failed: ${(e as Error).message}`);
          answer = { status: 500, contentType: 'text/plain', body: 'mock failure' };
        }
      }
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType });
      res.end(answer.body);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    problems,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------- request checks

/** Records a problem unless the header has exactly this value. */
export function expectHeader(req: VendorRequest, name: string, value: string, problem: (what: string) => void): void {
  const got = req.headers[name.toLowerCase()];
  if (got !== value) problem(`header ${name} is ${JSON.stringify(got)}, not ${JSON.stringify(value)}`);
}

/** Records a problem unless the request's Content-Type is this one. */
export function expectContentType(req: VendorRequest, type: string, problem: (what: string) => void): void {
  if (req.contentType !== type) problem(`Content-Type is ${JSON.stringify(req.contentType)}, not ${type}`);
}

/** Records a problem for each expected parameter that is missing or has another value. */
export function expectParams(params: URLSearchParams, expected: Record<string, string>, where: string, problem: (what: string) => void): void {
  for (const [name, value] of Object.entries(expected)) {
    const all = params.getAll(name);
    if (all.length !== 1) problem(`${where} has ${all.length} ${name} parameters, not 1`);
    else if (all[0] !== value) problem(`${where} ${name} is ${JSON.stringify(all[0])}, not ${JSON.stringify(value)}`);
  }
}

/** Records a problem for each parameter not in `allowed` (a vendor's documented field list). */
export function expectOnlyParams(params: URLSearchParams, allowed: readonly string[], where: string, problem: (what: string) => void): void {
  for (const name of new Set(params.keys())) if (!allowed.includes(name)) problem(`${where} has an undocumented parameter ${name}`);
}

/** Records a problem for each text (a lead's personal data) that appears in the request. */
export function expectNone(req: VendorRequest, texts: readonly string[], problem: (what: string) => void): void {
  const whole = `${req.path}?${req.query.toString()}\n${decodeURIComponent(req.query.toString())}\n${req.body}`;
  for (const t of texts) if (whole.includes(t)) problem(`carries ${JSON.stringify(t)}`);
}

/** The body as JSON, or a problem and null. */
export function jsonBody(req: VendorRequest, problem: (what: string) => void): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(req.body);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    problem('the body is JSON but not an object');
  } catch {
    problem('the body is not JSON');
  }
  return null;
}

// ---------------------------------------------------------------- fixtures

export interface Fixture {
  plan: Plan;
  /** Warnings (a fixture compiles without errors). */
  diagnostics: Diagnostic[];
}

/**
 * Compiles test/buyers/<vendor>/<vendor>.route with its templates, each
 * vendor origin in `origins` replaced by a mock's. Throws with the formatted
 * diagnostics when it does not compile.
 */
export function compileFixture(vendor: string, origins: Record<string, string>): Fixture {
  const file = join(fixtureDir(vendor), `${vendor}.route`);
  let text = readFileSync(file, 'utf8');
  for (const [origin, mock] of Object.entries(origins)) {
    if (!text.includes(origin)) throw new Error(`${vendor}.route does not name ${origin}`);
    text = text.split(origin).join(mock);
  }
  const { plan, diagnostics } = compile(text, { file });
  if (plan === null || hasErrors(diagnostics)) {
    throw new Error(`${vendor}.route does not compile:\n${formatDiagnostics(diagnostics, { [file]: text })}`);
  }
  return { plan, diagnostics };
}

/** A sample lead of the fixture (test/buyers/<vendor>/<name>.json). */
export function fixtureLead(vendor: string, name = 'lead'): Record<string, unknown> {
  return JSON.parse(readFileSync(join(fixtureDir(vendor), `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/**
 * A Seller over the fixture's plan, its secrets given as an embedder would
 * (not through the environment, so tests running side by side do not share them).
 */
export function sellerFor(plan: Plan, secrets: Record<string, string>): { seller: Seller; journal: MemoryJournal } {
  const journal = new MemoryJournal();
  const options: SellerOptions & { secrets: Record<string, string> } = { journal, secrets };
  return { seller: new Seller(new Router(plan), options), journal };
}

/** A vendor mock, the fixture pointed at it, and a Seller over that plan: one vendor test's whole setup. */
export interface VendorSale {
  vendor: VendorServer;
  seller: Seller;
  journal: MemoryJournal;
  /** The fixture's warnings (it compiles without errors). */
  diagnostics: Diagnostic[];
  close(): Promise<void>;
}

/**
 * Start a mock of `vendor`'s API answering on `routes`, compile the vendor's
 * fixture with its `origin` replaced by the mock's, and sell through it with
 * `secrets`. `close` stops the seller, then the mock.
 */
export async function openVendorSale(vendor: string, origin: string, routes: Record<string, VendorRoute>, secrets: Record<string, string>): Promise<VendorSale> {
  const server = await startVendor(routes);
  const { plan, diagnostics } = compileFixture(vendor, { [origin]: server.url });
  const { seller, journal } = sellerFor(plan, secrets);
  return {
    vendor: server,
    seller,
    journal,
    diagnostics,
    async close() {
      await seller.close();
      await server.close();
    },
  };
}
