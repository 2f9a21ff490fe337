import { describe, it, expect } from 'vitest';
import { MemoryStore } from '../../src/adapters/index.js';
import type { CapStore } from '../../src/adapters/index.js';
import { MemoryState, Router } from '../../src/runtime/index.js';
import { contractPlan, storeContract } from './contract.js';

storeContract('MemoryStore', () => new MemoryStore());
// The Router's default store: the runtime's own in-memory state, which MemoryStore extends.
storeContract('MemoryState', () => new MemoryState());

describe('the Router without a store', () => {
  it('keeps its state in a fresh MemoryState, and journals decisions there', () => {
    const a = new Router(contractPlan());
    const b = new Router(contractPlan());
    expect(a.store).toBeInstanceOf(MemoryState);
    expect(a.store).not.toBe(b.store);
    a.route({ id: 'D1', homeowner: true }, { now: Date.UTC(2026, 0, 5, 12) });
    expect((a.store as MemoryState).decisions().map((d) => d.leadId)).toEqual(['D1']);
    expect((b.store as MemoryState).decisions()).toEqual([]);
  });
});

describe('MemoryStore', () => {
  it('implements CapStore: absent counters are 0, adds accumulate', () => {
    const s: CapStore = new MemoryStore();
    expect(s.get('a')).toBe(0);
    s.add('a', 1, 1000);
    s.add('a', 2.5, 1000);
    s.add('b', 7, 1000);
    expect(s.get('a')).toBe(3.5);
    expect(s.get('b')).toBe(7);
    expect(s.get('a', 999)).toBe(3.5);
  });

  it('drops an expired counter lazily when read with a later now', () => {
    const s = new MemoryStore();
    s.add('a', 5, 1000);
    expect(s.size).toBe(1);
    expect(s.get('a', 1000)).toBe(0);
    expect(s.size).toBe(0);
  });

  it('without a now, expiry is not judged (routing time is the caller’s, not the wall clock)', () => {
    const s = new MemoryStore();
    s.add('old', 5, Date.parse('2001-01-01T00:00:00Z'));
    expect(s.get('old')).toBe(5);
  });

  it('an add after expiry starts the counter again', () => {
    const s = new MemoryStore();
    s.add('a', 5, 1000);
    expect(s.get('other', 2000)).toBe(0); // advances the store's clock
    s.add('a', 1, 3000);
    expect(s.get('a', 2500)).toBe(1);
  });

  it('sweeps expired buckets as counters are added', () => {
    const s = new MemoryStore();
    for (let i = 0; i < 100; i++) s.add(`old${i}`, 1, 1000);
    s.get('x', 5000);
    for (let i = 0; i < 5000; i++) s.add(`new${i}`, 1, 10_000);
    expect(s.size).toBeLessThanOrEqual(5000);
    s.sweep(20_000);
    expect(s.size).toBe(0);
  });

  it('clear empties the store', () => {
    const s = new MemoryStore();
    s.add('a', 1, 10);
    s.clear();
    expect(s.get('a')).toBe(0);
    expect(s.size).toBe(0);
  });
});

describe('MemoryStore journal limit', () => {
  it('keeps only the most recent decisions when a limit is set', async () => {
    const { Router } = await import('../../src/index.js');
    const { contractPlan } = await import('./contract.js');
    const s = new MemoryStore({ decisionLimit: 3 });
    const r = new Router(contractPlan(), { store: new MemoryStore() });
    for (let i = 0; i < 10; i++) s.recordDecision(r.route({ id: `M${i}`, homeowner: true }, { now: 0 }));
    expect(s.decisions().map((d) => d.leadId)).toEqual(['M7', 'M8', 'M9']);
    expect(s.stats().decisions).toBe(3);
  });
});
