// `pixel "https://…/{{lead.id}}" on sold, returned [when <condition>]`: a
// tracking URL fetched on sale events (src/deliver/pixels.ts).

import { didYouMean } from '../lang/diagnostics.js';
import { listText } from '../check/context.js';
import { checkUrl } from '../check/http.js';
import type { PixelEvent } from '../plan/index.js';
import { loadsNothing, type ClauseModule } from './types.js';

export const PIXEL_EVENTS: readonly string[] = ['sold', 'delivered', 'rejected', 'returned'];

export const pixelClause: ClauseModule<'pixel'> = {
  kind: 'pixel',
  check(ctx, exprs, c, buyer) {
    const pixel = c.pixel;
    if (!pixel || typeof pixel !== 'object') return;
    checkUrl(ctx, pixel.url, 'the pixel URL');
    buyer.templates.inline(pixel.url, { kind: 'pixel', hasPing: buyer.hasPing, hasPost: buyer.hasPost }, 'the pixel URL');
    for (const ev of Array.isArray(pixel.on) ? pixel.on : []) {
      if (!ev || typeof ev.name !== 'string' || ev.name === '') continue;
      if (!PIXEL_EVENTS.includes(ev.name)) {
        const best = didYouMean(ev.name, PIXEL_EVENTS);
        if (best !== undefined) ctx.report('LR212.pixelEvent', ev.span, ev.name, best);
        else ctx.report('LR212.pixelEventList', ev.span, ev.name, listText(PIXEL_EVENTS.map((k) => `\`${k}\``)));
      }
    }
    if (pixel.condition) exprs.condition(pixel.condition, 'the pixel condition');
  },
  emit(c, draft, env) {
    draft.plan.pixels.push({
      url: c.pixel.url.value,
      on: c.pixel.on.map((e) => e.name as PixelEvent),
      when: c.pixel.condition ? env.expr(c.pixel.condition) : null,
    });
  },
  load: loadsNothing,
  refusal: null,
  traits: { canRefuse: false, selling: true, perBuyer: 'many' },
};
