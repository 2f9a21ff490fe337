// `batch 100 every 1h as csv to "https://…" | "file:…"`: deliver sold leads
// in batches (src/deliver/batch.ts).

import { didYouMean } from '../lang/diagnostics.js';
import { headSpan, isSpan } from '../check/context.js';
import { checkUrl, positiveDuration, wholeCount } from '../check/http.js';
import { durationMs, loadsNothing, type ClauseModule } from './types.js';

export const BATCH_FORMATS: readonly string[] = ['csv', 'json'];

export const batchClause: ClauseModule<'batch'> = {
  kind: 'batch',
  check(ctx, exprs, c) {
    const batch = c.batch;
    if (!batch || typeof batch !== 'object') return;
    const span = isSpan(batch.span) ? batch.span : ctx.fileStart();
    if (typeof batch.count === 'number') wholeCount(ctx, batch.count, headSpan(span, 'batch'.length), 'a batch size', 1, 'batch 100');
    if (batch.every) positiveDuration(ctx, exprs, batch.every, 'a batch interval', 'would send every lead at once');
    const format = batch.format?.name;
    if (typeof format === 'string' && format !== '' && !BATCH_FORMATS.includes(format)) {
      const best = didYouMean(format, BATCH_FORMATS);
      if (best !== undefined) ctx.report('LR212.batchFormat', batch.format.span ?? span, format, best);
      else ctx.report('LR212.batchFormatList', batch.format.span ?? span, format);
    }
    checkUrl(ctx, batch.to, 'the batch destination', { file: true });
  },
  emit(c, draft) {
    draft.plan.delivery.batch = {
      maxCount: c.batch.count ?? null,
      maxWaitMs: c.batch.every ? durationMs(c.batch.every) : null,
      format: c.batch.format.name === 'json' ? 'json' : 'csv',
      to: c.batch.to.value,
    };
  },
  load: loadsNothing,
  refusal: null,
  traits: { canRefuse: false, selling: true, perBuyer: 'once' },
};
