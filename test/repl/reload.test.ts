// Reloading: the file compiled again when it changes; on errors the last good
// plan stays and the diagnostics are shown. The watcher only calls the hook
// (fileChanged), which the tests call themselves; one test waits on a real
// change event, with a generous bound and no assertion on how long it took.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRepl, watchFile, type Repl } from '../../src/repl/index.js';
import { ROOT, scratchDir, writeScratch } from '../cli/helpers.js';
import { MONDAY } from './helpers.js';

const RULES = (price: number) => `lead {
  state: state
  credit_score: int optional
}

buyer Acme {
  accepts state in [CA, TX]
  price $${price}
}

flow main {
  route Acme
}
`;

let repl: Repl | null = null;
afterEach(async () => {
  await repl?.close();
  repl = null;
});

async function start(text: string): Promise<{ repl: Repl; file: string }> {
  const dir = scratchDir();
  const file = writeScratch(dir, 'rules.route', text);
  repl = await createRepl({ file: 'rules.route', cwd: dir, clock: () => MONDAY });
  return { repl, file };
}

describe('reload', () => {
  it('routes with the new version once the file changed', async () => {
    const { repl, file } = await start(RULES(10));
    expect(await repl.evaluate('state=CA')).toMatch(/→ Acme \$10\.00/);
    writeFileSync(file, RULES(12));
    expect(await repl.fileChanged()).toBe('reloaded rules.route (1 buyer, 1 flow)');
    expect(await repl.evaluate('state=CA')).toMatch(/→ Acme \$12\.00/);
  });

  it('keeps the old plan on errors and shows the diagnostics with file:line:col and code', async () => {
    const { repl, file } = await start(RULES(10));
    writeFileSync(file, RULES(10).replace('route Acme', 'route Acmee'));
    const out = await repl.fileChanged();
    expect(out).toMatch(/LR\d{3}/);
    expect(out).toContain('rules.route:12:9');
    expect(out).toContain('Acmee');
    expect(out).toMatch(/kept the last good plan$/);
    expect(await repl.evaluate('state=CA')).toMatch(/→ Acme \$10\.00/);
    // A syntax error too.
    writeFileSync(file, 'buyer {');
    expect(await repl.evaluate(':reload')).toMatch(/rules\.route:1:\d+[\s\S]*LR1\d\d[\s\S]*kept the last good plan$/);
    expect(await repl.evaluate('state=TX')).toMatch(/→ Acme \$10\.00/);
  });

  it('keeps the cap counters, and says when the chosen flow is gone', async () => {
    const capped = RULES(10).replace('price $10', 'price $10\n  cap 5/day');
    const { repl, file } = await start(`${capped}\nflow extra {\n  route Acme\n}\n`);
    expect(await repl.evaluate(':flow extra')).toBe('flow extra');
    await repl.evaluate('state=CA');
    writeFileSync(file, capped);
    expect(await repl.fileChanged()).toBe('reloaded rules.route (1 buyer, 1 flow)\nflow `extra` is gone; back to the default flow `main`');
    expect(await repl.evaluate(':caps')).toMatch(/Acme +5\/day +1 used of 5/);
  });

  it('a file that does not compile at the start is refused with its diagnostics', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'bad.route', 'buyer {');
    await expect(createRepl({ file: 'bad.route', cwd: dir })).rejects.toThrow(/bad\.route:1:\d+/);
    await expect(createRepl({ file: 'missing.route', cwd: ROOT })).rejects.toThrow(/cannot read `missing\.route`/);
  });
});

describe('the watcher', () => {
  it('calls its hook once after a real change to the file', async () => {
    const dir = scratchDir();
    const file = writeScratch(dir, 'rules.route', RULES(10));
    let calls = 0;
    const changed = new Promise<void>((done) => {
      const w = watchFile(file, () => {
        calls++;
        w.close();
        done();
      }, 50);
      // Another file in the folder is not the rule file.
      writeScratch(dir, 'other.txt', 'x');
      writeFileSync(file, readFileSync(file, 'utf8') + '\n# edited\n');
    });
    const timeout = new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 20_000).unref());
    expect(await Promise.race([changed.then(() => 'changed'), timeout])).toBe('changed');
    expect(calls).toBe(1);
  });
});
