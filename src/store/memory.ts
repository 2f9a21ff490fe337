// An in-memory CapStore: a Map from counter key to value and expiry. Expired
// counters are dropped lazily: when read with a `now` past their expiry, and by
// an occasional sweep as counters are added.

import type { CapStore } from '../runtime/index.js';

interface Bucket {
  value: number;
  expiresAt: number;
}

/** Sweep expired buckets after this many adds (amortised O(1) per add). */
const SWEEP_EVERY = 4096;

export class MemoryStore implements CapStore {
  private readonly buckets = new Map<string, Bucket>();
  /** The latest routing time seen, used by the sweep. */
  private clock = -Infinity;
  private addsSinceSweep = 0;

  get(key: string, now?: number): number {
    if (now !== undefined && now > this.clock) this.clock = now;
    const b = this.buckets.get(key);
    if (b === undefined) return 0;
    if (now !== undefined) {
      if (b.expiresAt <= now) {
        this.buckets.delete(key);
        return 0;
      }
    }
    return b.value;
  }

  add(key: string, amount: number, expiresAt: number): void {
    const b = this.buckets.get(key);
    if (b === undefined || b.expiresAt <= this.clock) {
      this.buckets.set(key, { value: amount, expiresAt });
    } else {
      b.value += amount;
      if (expiresAt > b.expiresAt) b.expiresAt = expiresAt;
    }
    if (++this.addsSinceSweep >= SWEEP_EVERY) {
      this.addsSinceSweep = 0;
      this.sweep(this.clock);
    }
  }

  /** Drop every bucket that expired at or before `now`. */
  sweep(now: number): void {
    for (const [k, b] of this.buckets) if (b.expiresAt <= now) this.buckets.delete(k);
  }

  /** Number of buckets held (expired ones included until dropped). */
  get size(): number {
    return this.buckets.size;
  }

  clear(): void {
    this.buckets.clear();
    this.clock = -Infinity;
    this.addsSinceSweep = 0;
  }
}
