// What `check` does with arguments that are not rule files: a compiled plan is
// verified (as `route plan.json` loads it), and a folder is named as one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { ROOT, runCli, scratchDir } from './helpers.js';

describe('leadroute check', () => {
  it('verifies a compiled plan.json: ok when it loads, the verifier\'s problems when not', async () => {
    const dir = scratchDir();
    const plan = join(dir, 'plan.json');
    expect((await runCli(['compile', 'rules/solar.route', '-o', plan])).code).toBe(0);
    const ok = await runCli(['check', plan]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('ok: 0 errors, 0 warnings in 1 file');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ leadroute: 'plan', version: 1, nonsense: true }));
    const r = await runCli(['check', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.json: error: /);
    expect(r.err).not.toContain('LR100'); // not parsed as a rule file

    writeFileSync(bad, '{ not json');
    const garbled = await runCli(['check', bad]);
    expect(garbled.code).toBe(1);
    expect(garbled.err).toContain('not valid JSON');
  });

  it('names a folder as a folder (no EISDIR), exit 2', async () => {
    for (const command of [['check', 'rules'], ['route', 'rules', '--lead', '{}']]) {
      const r = await runCli(command);
      expect(r.code, command.join(' ')).toBe(2);
      expect(r.err).toContain('`rules` is a folder');
      expect(r.err).not.toContain('EISDIR');
    }
  });
});

describe('leadroute route --leads with lines that are not JSON', () => {
  it('reports each such line, routes the rest, and exits 1', async () => {
    const dir = scratchDir();
    const leads = join(dir, 'leads.jsonl');
    writeFileSync(leads, '{"id":"L1","state":"CA"}\nthis is not a lead\n{"id":"L2","state":"TX"}\n');
    const r = await runCli(['route', 'rules/solar.route', '--leads', leads, '--at', '2026-11-23T15:00:00Z']);
    expect(r.out).toContain('line 2: rejected: line 2 of');
    expect(r.out).toMatch(/^L1 /m);
    expect(r.out).toMatch(/^L2 /m);
    expect(r.code).toBe(1);
  });
});

describe('--no-color before the command', () => {
  it('is taken as the option, not as an unknown command', async () => {
    const r = await runCli(['--no-color', 'check', 'rules/solar.route']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok: ');
    expect(r.out).not.toContain('\u001b[');
  });

  it('is taken after the command and after its file too, and turns colour off', async () => {
    for (const args of [['check', '--no-color', 'rules/solar.route'], ['check', 'rules/solar.route', '--no-color']]) {
      let out = '';
      const io = { out: (t: string) => (out += t), err: () => undefined, color: true, cwd: ROOT };
      expect(await main(args, io), args.join(' ')).toBe(0);
      expect(io.color).toBe(false);
      expect(out).toBe('ok: 0 errors, 0 warnings in 1 file');
    }
  });
});
