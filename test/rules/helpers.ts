import { readFileSync } from 'node:fs';
import { compile, MemoryStore, Router, type Decision, type RouterOptions } from '../../src/index.js';

export const MONDAY_10AM_NY = Date.parse('2026-11-23T15:00:00Z');

/** Compile a shipped rule file (it must be clean) and make a router over a fresh memory store. */
export function routerFor(file: string, options: Partial<RouterOptions> = {}): Router {
  const path = new URL(`../../rules/${file}`, import.meta.url).pathname;
  const { plan, diagnostics } = compile(readFileSync(path, 'utf8'), { file: path });
  if (!plan || diagnostics.length > 0) throw new Error(`${file}: ${diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return new Router(plan, { store: new MemoryStore(), seed: 1, trace: true, ...options });
}

/** "Buyer $price" for each buyer sold to, or the status. */
export function sold(d: Decision): string {
  if (d.status !== 'routed') return d.status;
  return d.buyers.map((b) => `${b.name} $${b.price}`).join(', ');
}

export const traceText = (d: Decision): string => d.trace.map((t) => t.message).join('\n');
