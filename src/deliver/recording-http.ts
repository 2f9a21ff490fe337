// An HttpClient that sends nothing: every request is written down and answered
// at once with a failure ("dry run: not sent"). `leadroute sell --dry-run` sells
// through one, so it can print every ping, post and pixel a real run would send
// while no buyer is contacted. No answer means no bid: an auction in a dry run
// ends after its pings, and a post counts as unanswered.

import { HttpClient, type HttpRequest, type HttpResult } from './http.js';

export interface RecordedHttpRequest {
  method: HttpRequest['method'];
  url: string;
  headers: Record<string, string>;
  /** Absent for a request without a body (GET). */
  body?: string;
}

/** The failure every recorded request gets back: never retried into a real send, never a bid. */
export const NOT_SENT_DETAIL = 'dry run: not sent';

export class RecordingHttpClient extends HttpClient {
  private readonly log: RecordedHttpRequest[] = [];

  /** Every request asked for so far, in order. */
  get requests(): readonly RecordedHttpRequest[] {
    return this.log;
  }

  /** The requests recorded since `from` (an earlier `requests.length`). */
  since(from: number): RecordedHttpRequest[] {
    return this.log.slice(from);
  }

  override send(req: HttpRequest, done: (result: HttpResult) => void): void {
    this.log.push({ method: req.method, url: req.url, headers: { ...(req.headers ?? {}) }, ...(req.body !== undefined ? { body: req.body } : {}) });
    done({ ok: false, error: 'error', detail: NOT_SENT_DETAIL, status: null, startedAt: Date.now(), durationMs: 0 });
  }
}
