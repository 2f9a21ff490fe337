// Tracking pixels: a GET to a templated URL (every value URL-encoded), fired on
// sale events (sold, delivered, rejected, returned) when the pixel's condition
// holds. Fire-and-forget: `fire` returns at once and never throws; the outcome
// goes to the journal (the URL without its query: the values may be personal).

import type { PixelEvent, PlanBuyer, PlanPixel } from '../plan/index.js';
import { predicateFor } from '../runtime/index.js';
import type { HttpClient } from './http.js';
import { redactUrl, type Journal } from './journal.js';
import { compileTemplate, templateKey, TemplateError, type CompiledTemplate, type TemplateSet } from './templates.js';
import type { SaleContext } from './types.js';

export const DEFAULT_PIXEL_TIMEOUT_MS = 2_000;

export interface PixelRecord {
  buyer: string;
  event: PixelEvent;
  index: number;
  outcome: 'fired' | 'error' | 'timeout' | 'skipped';
  status: number | null;
  detail: string | null;
}

export interface PixelFirerOptions {
  http: HttpClient;
  journal: Journal;
  templates: TemplateSet;
  timeoutMs?: number;
  /** Called with every pixel's outcome. */
  onPixel?: (r: PixelRecord) => void;
  /** Why a rendered URL may not go (it holds personal data), or null: the
   *  runtime's second line behind the checker's LR708. */
  refuseUrl?: (lead: Record<string, unknown>, url: string) => string | null;
}

export class PixelFirer {
  private readonly pending = new Set<Promise<void>>();
  private readonly adHoc = new Map<PlanPixel, CompiledTemplate>();

  constructor(private readonly o: PixelFirerOptions) {}

  /** Pixels in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Fire the buyer's pixels for an event. Returns how many were started. */
  fire(buyer: PlanBuyer, event: PixelEvent, sale: SaleContext): number {
    const pixels = buyer.pixels ?? [];
    let started = 0;
    pixels.forEach((px, i) => {
      if (!px.on.includes(event)) return;
      try {
        if (px.when && !predicateFor(px.when)({ lead: sale.lead, random: sale.random, now: sale.routedAt })) return;
      } catch {
        return;
      }
      let url: string;
      try {
        url = this.template(buyer, px, i).render({
          lead: sale.lead,
          ping: { id: sale.pingId ?? '' },
          post: { id: sale.postId },
          sale: { price: sale.price, buyer: sale.buyer, exclusive: sale.exclusive },
          now: new Date().toISOString(),
          event,
        });
      } catch (err) {
        const detail = err instanceof TemplateError ? `template: ${err.message}` : String(err);
        this.record(buyer.name, event, i, sale, redactUrl(px.url), 'error', null, detail, Date.now(), 0);
        return;
      }
      const refusal = this.o.refuseUrl?.(sale.lead, url) ?? null;
      if (refusal !== null) {
        this.record(buyer.name, event, i, sale, redactUrl(px.url), 'skipped', null, `not sent: the URL ${refusal}`, Date.now(), 0);
        return;
      }
      started++;
      const p = this.send(buyer.name, event, i, sale, url);
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    });
    return started;
  }

  private template(buyer: PlanBuyer, px: PlanPixel, i: number): CompiledTemplate {
    const t = this.o.templates.get(templateKey.pixel(buyer.name, i));
    if (t) return t;
    let c = this.adHoc.get(px);
    if (!c) this.adHoc.set(px, (c = compileTemplate(px.url, 'url', `${buyer.name} pixel ${i + 1}`)));
    return c;
  }

  private async send(buyer: string, event: PixelEvent, i: number, sale: SaleContext, url: string): Promise<void> {
    try {
      const res = await this.o.http.request({
        url,
        method: 'GET',
        headers: { 'user-agent': 'leadroute' },
        timeoutMs: this.o.timeoutMs ?? DEFAULT_PIXEL_TIMEOUT_MS,
        maxBytes: 64 * 1024,
      });
      if (res.ok) {
        const ok = res.status < 400;
        this.record(buyer, event, i, sale, redactUrl(url), ok ? 'fired' : 'error', res.status, ok ? null : `HTTP ${res.status}`, res.startedAt, res.durationMs);
      } else {
        this.record(buyer, event, i, sale, redactUrl(url), res.error === 'timeout' ? 'timeout' : 'error', res.status, res.detail, res.startedAt, res.durationMs);
      }
    } catch (err) {
      this.record(buyer, event, i, sale, redactUrl(url), 'error', null, String(err), Date.now(), 0);
    }
  }

  private record(
    buyer: string,
    event: PixelEvent,
    index: number,
    sale: SaleContext,
    url: string,
    outcome: PixelRecord['outcome'],
    status: number | null,
    detail: string | null,
    startedAt: number,
    durationMs: number,
  ): void {
    try {
      this.o.journal.recordAttempt({
        leadId: sale.leadId,
        buyer,
        kind: 'pixel',
        url,
        startedAt,
        durationMs,
        outcome: outcome === 'skipped' ? 'skipped' : outcome,
        status,
        detail: detail === null ? `on ${event}` : `on ${event}: ${detail}`,
        price: null,
      });
      this.o.onPixel?.({ buyer, event, index, outcome, status, detail });
    } catch {
      // a journal or callback failure must not surface from a fire-and-forget pixel
    }
  }

  /** Wait for every pixel in flight. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
