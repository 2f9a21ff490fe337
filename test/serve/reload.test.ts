// Hot reload: the rule file is watched; a new plan replaces the old one only
// when it compiles without errors, else the old plan keeps serving and the
// errors are shown by GET /plan.
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { get, lead, post, rulesFor, startHarness, type Harness } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('hot reload', () => {
  it('keeps the old plan on a broken file (errors in GET /plan, with file:line:col) and takes the fixed one', async () => {
    const lines: string[] = [];
    h = await startHarness({ server: { watch: true }, logLines: lines });
    const plan0 = (await get(`${h.url}/plan`)).json;
    expect(plan0).toMatchObject({ flows: ['solar'], buyers: ['Alpha', 'Beta'], reloads: 0, lastReload: null });

    // Broken: an unknown buyer.
    writeFileSync(h.rules, rulesFor(h.mock).replace('when state in [CA] route Alpha', 'when state in [CA] route Alpah'));
    await until('the broken file to be refused', async () => (await get(`${h!.url}/plan`)).json.reloads === 1);
    const refused = (await get(`${h.url}/plan`)).json as { lastReload: { ok: boolean; errors: string[] } };
    expect(refused.lastReload.ok).toBe(false);
    expect(refused.lastReload.errors.join('\n')).toMatch(/solar\.route:\d+:\d+.*LR\d{3}.*Alpah/s);
    // The old plan still routes.
    expect((await post(`${h.url}/leads/solar`, lead('R1'))).json).toMatchObject({ status: 'routed', buyers: [{ name: 'Alpha' }] });
    expect(lines.join('')).toMatch(/reload refused: the previous plan keeps serving/);

    // Fixed, and changed: CA now goes to Beta.
    writeFileSync(h.rules, rulesFor(h.mock).replace('when state in [CA] route Alpha', 'when state in [CA] route Beta'));
    await until('the fixed file to be taken', async () => (await get(`${h!.url}/plan`)).json.reloads === 2);
    expect((await get(`${h.url}/plan`)).json).toMatchObject({ reloads: 2, lastReload: { ok: true, errors: [] } });
    expect((await post(`${h.url}/leads/solar`, lead('R2'))).json).toMatchObject({ status: 'routed', buyers: [{ name: 'Beta' }] });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/leadroute_plan_reloads_total\{result="refused"\} 1/);
    expect(metrics).toMatch(/leadroute_plan_reloads_total\{result="taken"\} 1/);
  });
});
