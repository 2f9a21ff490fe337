// Dotted paths into parsed JSON answers: "bid.price", "result.0.status".
// Own properties only (a buyer's `__proto__` key reads as a plain key, never the prototype).

/** A path's segments, split once per path: mapping paths repeat on every answer. */
const segmentCache = new Map<string, readonly string[]>();
const SEGMENT_CACHE_SIZE = 1024;

function segmentsOf(path: string): readonly string[] {
  let segs = segmentCache.get(path);
  if (segs === undefined) {
    if (segmentCache.size >= SEGMENT_CACHE_SIZE) segmentCache.clear();
    segmentCache.set(path, (segs = path.split('.')));
  }
  return segs;
}

export function getPath(value: unknown, path: string): unknown {
  if (path === '' || path === '.') return value;
  let cur: unknown = value;
  for (const seg of segmentsOf(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}

/** Parse JSON; undefined when it is not JSON. */
export function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A value as a short reason fragment. */
export function brief(v: unknown, max = 40): string {
  const s = v === undefined ? 'missing' : JSON.stringify(v) ?? String(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
