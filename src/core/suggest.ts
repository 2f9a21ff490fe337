// "Did you mean": the closest known name to a misspelt one. Bounded so that a
// huge name (a 1 MB time-zone string) costs nothing: names longer than
// MAX_SUGGESTION_NAME_LENGTH get no suggestion, candidates whose length alone
// puts them out of reach are skipped, and a distance stops once it passes the limit.

import { MAX_SUGGESTION_NAME_LENGTH } from './limits.js';

/** Levenshtein distance, or `limit + 1` as soon as it is known to exceed `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (row[j]! < rowMin) rowMin = row[j]!;
      prev = tmp;
    }
    if (rowMin > limit) return limit + 1;
  }
  return row[b.length]!;
}

/** The closest candidate within a distance that scales with the name's length. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length === 0 || name.length > MAX_SUGGESTION_NAME_LENGTH) return undefined;
  const lower = name.toLowerCase();
  let best: string | undefined;
  let limit = Math.max(1, Math.floor(name.length / 3));
  for (const c of candidates) {
    if (c.length > MAX_SUGGESTION_NAME_LENGTH || Math.abs(c.length - name.length) > limit) continue;
    const d = editDistance(lower, c.toLowerCase(), limit);
    if (d <= limit) {
      best = c;
      if (d === 0) break;
      // Only a strictly closer candidate can replace this one.
      limit = d - 1;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const best = closestName(name, candidates);
  return best === undefined ? undefined : `did you mean \`${best}\`?`;
}
