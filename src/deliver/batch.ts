// Batch delivery: sold leads collect per buyer and go out together, when the
// batch reaches maxCount leads or maxWaitMs after its first lead (or on flush),
// as CSV or a JSON array, to an http(s) URL (POST, with the buyer's post retry
// policy) or a `file:` path.
//
// File targets: `file:///abs/dir/` or an existing directory gets one new file a
// batch (batch-<buyer>-<time>-<n>.csv|json); any other path is one file that
// grows: CSV rows are appended (header written once), a JSON array is rewritten
// with the new items (written to a temporary file, then renamed).
//
// A row is the lead's fields followed by sale_buyer, sale_price, sale_post_id,
// sale_at. CSV cells are RFC 4180 quoted; text starting with = + - @ (a formula
// to a spreadsheet) is prefixed with a single quote.

import { appendFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanBuyer, PlanDelivery } from '../plan/index.js';
import type { HttpClient } from './http.js';
import type { Journal } from './journal.js';
import { sleep } from './limiter.js';
import { backoffDelay, judgePost, saleRulesOf } from './post.js';
import type { DeliveryRecord, PostAttemptRecord, SaleContext } from './types.js';

export type BatchConfig = NonNullable<PlanDelivery['batch']>;

export interface BatchItem {
  sale: SaleContext;
  record: DeliveryRecord;
}

export interface BatcherOptions {
  http: HttpClient;
  journal: Journal;
  /** Base directory for relative `file:` paths. Default: the working directory. */
  baseDir?: string;
  signal?: AbortSignal;
  /** Called once a batch has been delivered or has failed (records already updated). */
  onSent?: (buyer: PlanBuyer, items: BatchItem[], ok: boolean) => void;
  /** Who sends a full batch: a delivery queue (./scheduler.ts). Default: this Batcher, in process (`deliver`). */
  dispatch?: (buyer: PlanBuyer, cfg: BatchConfig, items: BatchItem[]) => Promise<void>;
}

/** One try at a batch: delivered, worth another try after `waitMs`, or not. */
export interface BatchTry {
  ok: boolean;
  retry: boolean;
  detail: string | null;
  waitMs: number;
}

/** Wait after a batch POST's first failed try when the buyer has no post policy. */
const DEFAULT_BATCH_BACKOFF_MS = 1000;

/** How many tries a batch gets: one for a file; a POST, its buyer's post retries plus one (default 2 retries). */
export function batchTriesOf(buyer: PlanBuyer, cfg: BatchConfig): number {
  return cfg.to.startsWith('file:') ? 1 : (buyer.post?.retries ?? 2) + 1;
}

interface Pending {
  buyer: PlanBuyer;
  cfg: BatchConfig;
  items: BatchItem[];
  timer: NodeJS.Timeout | null;
}

const FORMULA = /^[=+\-@\t\r]/;

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s: string;
  if (typeof v === 'string') {
    s = FORMULA.test(v) && !/^-?\d+(\.\d+)?$/.test(v) ? `'${v}` : v;
  } else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
  else s = JSON.stringify(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function batchRows(items: BatchItem[]): Record<string, unknown>[] {
  return items.map(({ sale }) => ({
    ...sale.lead,
    sale_buyer: sale.buyer,
    sale_price: sale.price,
    sale_post_id: sale.postId,
    sale_at: new Date(sale.routedAt).toISOString(),
  }));
}

export function toCsv(rows: Record<string, unknown>[], columns?: string[], header = true): string {
  const cols = columns ?? csvColumns(rows);
  const lines = header ? [cols.map(cell).join(',')] : [];
  for (const r of rows) lines.push(cols.map((c) => cell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

function csvColumns(rows: Record<string, unknown>[]): string[] {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), cols.push(k));
  // sale_* last
  return [...cols.filter((c) => !c.startsWith('sale_')), ...cols.filter((c) => c.startsWith('sale_'))];
}

/** Parse the header line of an existing CSV file (our own output: simple quoting). */
function parseHeader(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') (out.push(cur), (cur = ''));
    else cur += c;
  }
  out.push(cur);
  return out;
}

export function filePathOf(to: string, baseDir: string): string {
  if (to.startsWith('file://')) return fileURLToPath(to);
  const p = to.slice('file:'.length);
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

let fileSeq = 0;

export class Batcher {
  private readonly pending = new Map<string, Pending>();
  private readonly sending = new Set<Promise<void>>();
  /** Serialises writes to one file. */
  private readonly fileLocks = new Map<string, Promise<void>>();

  constructor(private readonly o: BatcherOptions) {}

  /** Leads waiting in batches. */
  get size(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.items.length;
    return n;
  }

  add(buyer: PlanBuyer, cfg: BatchConfig, item: BatchItem): void {
    let p = this.pending.get(buyer.name);
    if (!p) this.pending.set(buyer.name, (p = { buyer, cfg, items: [], timer: null }));
    p.items.push(item);
    item.record.mode = 'batch';
    item.record.status = 'queued';
    if (cfg.maxCount !== null && p.items.length >= cfg.maxCount) {
      this.send(buyer.name);
      return;
    }
    if (p.timer === null && cfg.maxWaitMs !== null) {
      p.timer = setTimeout(() => this.send(buyer.name), Math.max(0, cfg.maxWaitMs));
    }
  }

  private send(name: string): void {
    const p = this.pending.get(name);
    if (!p || p.items.length === 0) return;
    this.pending.delete(name);
    if (p.timer) clearTimeout(p.timer);
    const sending = this.o.dispatch ? this.o.dispatch(p.buyer, p.cfg, p.items) : this.deliver(p.buyer, p.cfg, p.items);
    const job = sending.catch(() => undefined);
    this.sending.add(job);
    void job.finally(() => this.sending.delete(job));
  }

  /** Send a batch in process: its tries with the buyer's retry policy, then its records settled. */
  async deliver(buyer: PlanBuyer, cfg: BatchConfig, items: BatchItem[]): Promise<void> {
    const tries = batchTriesOf(buyer, cfg);
    let last: BatchTry;
    for (let attempt = 1; ; attempt++) {
      last = await this.tryOnce(buyer, cfg, items, attempt);
      if (!last.retry || attempt >= tries || this.o.signal?.aborted) break;
      if (last.waitMs > 0 && !(await sleep(last.waitMs, this.o.signal))) break;
    }
    this.settle(buyer, items, last);
  }

  /**
   * One try at sending a batch: the file written, or one POST. Journalled per
   * lead, and the attempt added to every item's record. A delivery queue
   * (./scheduler.ts) calls it once per job attempt and waits between tries itself.
   */
  async tryOnce(buyer: PlanBuyer, cfg: BatchConfig, items: BatchItem[], attempt: number): Promise<BatchTry> {
    const rows = batchRows(items);
    const note = (a: PostAttemptRecord, price: (i: BatchItem) => number | null) => {
      for (const it of items) {
        it.record.attempts.push(a);
        this.o.journal.recordAttempt({
          leadId: it.sale.leadId,
          buyer: buyer.name,
          kind: 'post',
          url: a.url,
          startedAt: a.startedAt,
          durationMs: a.durationMs,
          outcome: a.outcome,
          status: a.status,
          detail: `batch of ${items.length}${a.detail ? `: ${a.detail}` : ''}`,
          price: price(it),
        });
      }
    };
    if (cfg.to.startsWith('file:')) {
      const startedAt = Date.now();
      const t0 = performance.now();
      let ok = false;
      let detail: string | null = null;
      try {
        await this.writeFile(buyer.name, cfg, rows);
        ok = true;
      } catch (err) {
        detail = `write failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      }
      const durationMs = Math.round((performance.now() - t0) * 100) / 100;
      note(
        { endpoint: 'batch', url: cfg.to, attempt, outcome: ok ? 'accepted' : 'error', status: null, detail, startedAt, durationMs },
        (it) => (ok ? it.sale.price : null),
      );
      return { ok, retry: false, detail, waitMs: 0 };
    }
    const body = cfg.format === 'csv' ? toCsv(rows) : JSON.stringify(rows);
    const type = cfg.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json';
    const res = await this.o.http.request({
      url: cfg.to,
      method: 'POST',
      headers: { 'content-type': type, 'user-agent': 'leadroute' },
      body,
      timeoutMs: buyer.post?.timeoutMs ?? 30_000,
      signal: this.o.signal,
    });
    // One answer for the whole batch: its accept rule counts, per-lead parts (price, redirect) do not.
    const v = judgePost(res, buyer.post ? saleRulesOf(buyer.post, buyer.sale) : null);
    const ok = v.outcome === 'accepted';
    note(
      { endpoint: 'batch', url: cfg.to, attempt, outcome: v.outcome, status: res.status, detail: v.detail, startedAt: res.startedAt, durationMs: res.durationMs },
      (it) => (ok ? it.sale.price : null),
    );
    return { ok, retry: !ok && v.failure, detail: v.detail, waitMs: backoffDelay(buyer.post?.backoffMs ?? DEFAULT_BATCH_BACKOFF_MS, attempt) };
  }

  /** A batch is done after its last try: each record's status and detail, then onSent. */
  settle(buyer: PlanBuyer, items: BatchItem[], last: BatchTry): void {
    const { ok, detail } = last;
    const status = batchStatusOf(items, last);
    for (const it of items) {
      it.record.status = status;
      it.record.endpoint = 'batch';
      it.record.detail = ok ? `delivered in a batch of ${items.length}` : detail;
    }
    this.o.onSent?.(buyer, items, ok);
  }

  private async writeFile(buyer: string, cfg: BatchConfig, rows: Record<string, unknown>[]): Promise<void> {
    const path = filePathOf(cfg.to, this.o.baseDir ?? process.cwd());
    const ext = cfg.format === 'csv' ? 'csv' : 'json';
    let isDir = cfg.to.endsWith('/');
    if (!isDir) {
      try {
        isDir = (await stat(path)).isDirectory();
      } catch {
        isDir = false;
      }
    }
    if (isDir) {
      await mkdir(path, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const safe = buyer.replace(/[^A-Za-z0-9_-]/g, '_');
      const file = join(path, `batch-${safe}-${stamp}-${++fileSeq}.${ext}`);
      await writeFile(file, cfg.format === 'csv' ? toCsv(rows) : JSON.stringify(rows, null, 2) + '\n', { flag: 'wx' });
      return;
    }
    // One growing file: serialise writers.
    const prev = this.fileLocks.get(path) ?? Promise.resolve();
    const run = prev.then(async () => {
      await mkdir(dirname(path), { recursive: true });
      let existing: string | null = null;
      try {
        existing = await readFile(path, 'utf8');
      } catch {
        existing = null;
      }
      if (cfg.format === 'csv') {
        if (existing === null || existing.trim() === '') {
          await writeFile(path, toCsv(rows));
        } else {
          const header = parseHeader(existing.split(/\r?\n/, 1)[0]!);
          await appendFile(path, toCsv(rows, header, false));
        }
      } else {
        let arr: unknown[] = [];
        if (existing !== null && existing.trim() !== '') {
          const parsed = JSON.parse(existing) as unknown;
          if (!Array.isArray(parsed)) throw new Error(`${path} does not hold a JSON array`);
          arr = parsed;
        }
        const tmp = `${path}.${process.pid}.${++fileSeq}.tmp`;
        await writeFile(tmp, JSON.stringify([...arr, ...rows], null, 2) + '\n');
        await rename(tmp, path);
      }
    });
    const settled = run.catch(() => undefined);
    this.fileLocks.set(path, settled);
    try {
      await run;
    } finally {
      if (this.fileLocks.get(path) === settled) this.fileLocks.delete(path);
    }
  }

  /** Send every waiting batch now and wait for all batches in flight. */
  async flush(): Promise<void> {
    for (const name of [...this.pending.keys()]) this.send(name);
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }
}

/** What a batch's last try makes of each of its leads. Rejected only when every
 *  try had an answer that said no; a try with no answer makes it failed. */
export function batchStatusOf(items: readonly BatchItem[], last: BatchTry): 'accepted' | 'rejected' | 'failed' {
  if (last.ok) return 'accepted';
  const unanswered = items[0]?.record.attempts.some((a) => a.endpoint === 'batch' && (a.outcome === 'error' || a.outcome === 'timeout')) ?? false;
  return last.detail && !unanswered ? 'rejected' : 'failed';
}
