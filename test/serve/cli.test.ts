// `leadroute serve` on the command line: what it refuses before it listens, and a clean stop.
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/index.js';
import { runCli, scratchDir, writeScratch } from '../cli/helpers.js';
import { SERVE_LEAD } from './helpers.js';

describe('leadroute serve (CLI)', () => {
  it('refuses a rule file with errors (file:line:col), a bad keys file and bad options with exit 2', async () => {
    const dir = scratchDir();
    const broken = writeScratch(dir, 'broken.route', `${SERVE_LEAD}\nflow f {\n  otherwise route Nobody\n}\n`);
    const r = await runCli(['serve', broken, '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\.route:\d+:\d+.*Nobody/s);
    const ok = writeScratch(dir, 'ok.route', `${SERVE_LEAD}\nbuyer A {\n  price $1\n}\nflow f {\n  otherwise route A\n}\n`);
    const keys = writeScratch(dir, 'keys.json', JSON.stringify({ sources: [{ name: 'a', keyEnv: 'LEADROUTE_TEST_UNSET_KEY' }] }));
    const k = await runCli(['serve', ok, '--keys', keys]);
    expect(k.code).toBe(2);
    expect(k.err).toMatch(/LEADROUTE_TEST_UNSET_KEY is not set/);
    expect((await runCli(['serve', ok, '--port', 'x'])).err).toMatch(/--port <PORT>' argument 'x' is invalid. must be a whole number/);
    expect((await runCli(['serve', ok, '--return-window', 'soon'])).err).toMatch(/--return-window/);
    const every = await runCli(['serve', ok, '--alert-every', '0']);
    expect(every.code).toBe(2);
    expect(every.err).toMatch(/--alert-every/);
    expect((await runCli(['serve'])).code).toBe(2);
  });

  it('refuses --journal and --redis-prefix without a redis:// store (exit 2), and an unreachable Redis (exit 1, password hidden)', async () => {
    const dir = scratchDir();
    const ok = writeScratch(dir, 'ok.route', `${SERVE_LEAD}\nbuyer A {\n  price $1\n}\nflow f {\n  otherwise route A\n}\n`);
    const j = await runCli(['serve', ok, '--journal', 'a.db']);
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/--journal DB keeps the journals of an instance whose --store is redis/);
    expect((await runCli(['serve', ok, '--store', 'x.db', '--redis-prefix', 'p:'])).err).toMatch(/--redis-prefix needs a redis:\/\/… --store/);
    const down = await runCli(['serve', ok, '--port', '0', '--store', 'redis://app:hunter2@127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/cannot use Redis at redis:\/\/app:\*\*\*@127\.0\.0\.1:1: connect ECONNREFUSED/);
    expect(down.err).not.toContain('hunter2');
  });

  it('listens, answers, and stops cleanly on a signal', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'ok.route', `${SERVE_LEAD}\nbuyer A {\n  price $1\n}\nflow f {\n  otherwise route A\n}\n`);
    let out = '';
    let listening!: (url: string) => void;
    const url = new Promise<string>((res) => (listening = res));
    const io: Io = {
      out: (t) => {
        out += `${t}\n`;
        const m = /listening on (http:\S+)/.exec(t);
        if (m) listening(m[1]!);
      },
      err: (t) => (out += `${t}\n`),
      color: false,
      cwd: dir,
    };
    let stop!: (sig: string) => void;
    const { serveCommand } = await import('../../src/cli/serve.js');
    const { COMMANDS } = await import('../../src/cli/commands.js');
    const { runProgram } = await import('../../src/cli/program.js');
    const { optionValues } = await import('../../src/cli/options.js');
    // The declared command, parsed by the real program, with a stop the test controls.
    const declared = COMMANDS.find((c) => c.name === 'serve')!;
    const stopped = new Promise<string>((res) => (stop = res));
    let parsed: Record<string, unknown> = {};
    const serve = { ...declared, run: (args: string[], o: never, io2: Io) => ((parsed = o), serveCommand(args, o, io2, stopped)) };
    const running = runProgram(['serve', 'ok.route', '--port', '0', '--store', 'serve.db', '--no-watch', '--log-level', 'silent'], io, [serve]);
    const base = await url;
    const res = await fetch(`${base}/leads/f`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'C1', state: 'CA', email: 'c1@example.com' }) });
    expect(await res.json()).toMatchObject({ status: 'routed', buyers: [{ name: 'A' }] });
    stop('SIGTERM');
    expect(await running).toBe(0);
    expect(parsed).toMatchObject({ port: 0, store: 'serve.db', noWatch: true, logLevel: 'silent', fsync: false, alertEvery: 30 });
    expect(optionValues(declared.options, {})).toMatchObject({ noWatch: false });
    expect(out).toMatch(/no API keys: any caller may post/);
    expect(out).toMatch(/SIGTERM: finishing sales/);
  });
});
