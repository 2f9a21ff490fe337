// One scripted REPL session, start to end, as a user would type it (issue 15's
// "must show"): route a lead, move the clock across business hours, cap a
// buyer and see the overflow, break the file and keep the old plan, fix it and
// see the reload. Each step's output is asserted before the next is typed.
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRepl, type Repl } from '../../src/repl/index.js';
import { scratchDir, writeScratch } from '../cli/helpers.js';
import { MONDAY } from './helpers.js';

const RULES = (premiumPrice: number) => `lead {
  state: state
}

buyer Premium {
  accepts state in [CA, NY]
  price $${premiumPrice}
  hours Mon-Fri 09:00-17:00 "America/New_York"
}

buyer Standard {
  price $20
}

flow main {
  route Premium overflow Standard
  route Standard
}
`;

let repl: Repl | null = null;
afterEach(async () => {
  await repl?.close();
  repl = null;
});

describe('a scripted REPL session', () => {
  it('routes, crosses business hours, caps a buyer, keeps the old plan on a broken edit and reloads the fix', async () => {
    const dir = scratchDir();
    const file = writeScratch(dir, 'session.route', RULES(50));
    repl = await createRepl({ file: 'session.route', cwd: dir, clock: () => MONDAY });

    // 1. A lead, typed as field=value: Monday 10:00 in New York, Premium is open.
    expect(await repl.evaluate('state=CA')).toMatch(/→ Premium \$50\.00/);

    // 2. The clock before opening time: Premium is closed, the lead goes to Standard.
    expect(await repl.evaluate(':at 2026-11-24T08:59 America/New_York')).toContain('2026-11-24 08:59 America/New_York');
    expect(await repl.evaluate('state=CA')).toMatch(/→ Standard \$20\.00/);
    // One minute later it is open again.
    await repl.evaluate(':at 2026-11-24T09:01 America/New_York');
    expect(await repl.evaluate('state=CA')).toMatch(/→ Premium \$50\.00/);

    // 3. Premium capped and full: the lead overflows to Standard.
    expect(await repl.evaluate(':cap Premium 1/h 1')).toContain('Premium cap 1/hour');
    const capped = await repl.evaluate('state=CA');
    expect(capped).toMatch(/→ Standard \$20\.00/);
    expect(capped).toContain('Premium capped, overflow to Standard');
    await repl.evaluate(':cap Premium off');

    // 4. The file edited into an error: the diagnostics are shown and the old plan kept.
    writeFileSync(file, RULES(50).replace('route Premium overflow', 'route Premiun overflow'));
    const broken = await repl.fileChanged();
    expect(broken).toContain('session.route:');
    expect(broken).toMatch(/LR\d{3}/);
    expect(broken).toMatch(/kept the last good plan$/);
    expect(await repl.evaluate('state=CA')).toMatch(/→ Premium \$50\.00/);

    // 5. Fixed, with a new price: the REPL reloads and routes with it.
    writeFileSync(file, RULES(55));
    expect(await repl.fileChanged()).toMatch(/^reloaded session\.route/);
    expect(await repl.evaluate('state=CA')).toMatch(/→ Premium \$55\.00/);
  });
});
