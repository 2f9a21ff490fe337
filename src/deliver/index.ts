// Delivery: payload templates, HTTP, posts with retries/failover/breaker,
// delayed and batch delivery, pixels, the attempt journal's interface and
// metrics. The journals themselves (MemoryJournal, SqliteJournal) are adapters.
export {
  compileTemplate,
  checkTemplate,
  parseTemplate,
  templateVariables,
  contentTypeOf,
  templateKey,
  TemplateSet,
  TemplateError,
  TemplateSetError,
  TEMPLATE_HELPERS,
  CONTEXT_ROOTS,
} from './templates.js';
export type { CompiledTemplate, TemplateContext, TemplateFormat, TemplateVariable } from './templates.js';
export { Deadline, HttpClient } from './http.js';
export type { HttpClientOptions, HttpRequest, HttpResult, HttpErrorKind } from './http.js';
export { RecordingHttpClient, NOT_SENT_DETAIL, type RecordedHttpRequest } from './recording-http.js';
export { redactUrl } from './journal.js';
export { Secrets, MissingSecretError, secretsUsed } from './secrets.js';
export type { SecretSource, SecretUse } from './secrets.js';
export type { Attempt, AttemptRow, AttemptKind, AttemptOutcome, AttemptFilter, Journal } from './journal.js';
export { computeMetrics, summarize, percentile } from './metrics.js';
export type { MetricsReport, SellMetrics, LatencyStats, MetricsOptions } from './metrics.js';
export { CircuitBreaker } from './breaker.js';
export type { BreakerState } from './breaker.js';
export { Poster, Breakers, judgePost, defaultPostBody, backoffDelay, triesLeft, FIRST_TRY, DEFAULT_POST_TIMEOUT_MS } from './post.js';
export type { PostPosition, PostStep } from './post.js';
export { Batcher, toCsv, batchRows, batchTriesOf } from './batch.js';
export type { BatchConfig, BatchItem, BatchTry } from './batch.js';
export { inProcessDeliveries } from './scheduler.js';
export type { Delivery, DeliveryRunner, DeliveryScheduler, DeliverySchedulerFactory, FinalPostOutcome } from './scheduler.js';
export { DelayQueue } from './delay.js';
export { Limiter } from './limiter.js';
export { PixelFirer, DEFAULT_PIXEL_TIMEOUT_MS } from './pixels.js';
export type { PixelRecord } from './pixels.js';
export type { DeliveryRecord, DeliveryStatus, PostAttemptRecord, SaleContext } from './types.js';
