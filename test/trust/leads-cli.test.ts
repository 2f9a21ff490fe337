// `leadroute route --leads`: one lead the router fails on (a leadroute bug or a
// failing store, never a bad lead: those are rejected by the router) is
// reported on its line, the batch goes on, and the exit code says it happened.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Router } from '../../src/runtime/index.js';
import { runCli, scratchDir, writeScratch } from '../cli/helpers.js';

const RULES = `lead {
  id: string
}

buyer B {
  price $5
}

flow default {
  route B
}
`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('route --leads goes on past a lead it cannot route', () => {
  it('reports the line, routes the rest and exits 1', async () => {
    const route = Router.prototype.route;
    vi.spyOn(Router.prototype, 'route').mockImplementation(function (this: Router, lead, opts) {
      if ((lead as { id?: string }).id === 'boom') throw new Error('the store is locked');
      return route.call(this, lead, opts);
    });
    const dir = scratchDir();
    const rules = writeScratch(dir, 'b.route', RULES);
    const leads = writeScratch(dir, 'leads.jsonl', '{"id":"one"}\n{"id":"boom"}\n{"id":"three"}\n');
    const r = await runCli(['route', rules, '--leads', leads, '--at', '2026-11-23T15:00:00Z']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('line 2: rejected: could not be routed: the store is locked');
    expect(r.out).toContain('three    random');
    expect(r.out).toContain('3 leads, 2 routed');
  });
});
