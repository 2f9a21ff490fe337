// The CLI's manners: `CMD --help` and `help CMD` print that command's usage
// and exit 0, `--version` prints the package's version, and a reader that
// closes the pipe early (`leadroute route … | head -1`) ends the run quietly.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers.js';

describe('help and version', () => {
  it('`CMD --help` and `help CMD` print the usage of that command, exit 0', async () => {
    for (const args of [['check', '--help'], ['sell', '-h'], ['help', 'route'], ['fmt', 'rules/', '--help']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: leadroute ${args[0] === 'help' ? args[1] : args[0]} `));
      expect(r.out).not.toContain('leadroute compile'); // only that command's lines
      expect(r.err).toBe('');
    }
  });

  it('`help` on no such command exits 2 naming the commands', async () => {
    const r = await runCli(['help', 'sel']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no command `sel`');
    expect(r.err).toContain('sell');
  });

  it('`--version` prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.out.trim()).toBe(version);
    }
  });
});

describe('a closed pipe', () => {
  it('ends `route` quietly with exit 0 when the reader stops after one line', async () => {
    const script = "import('./src/cli/index.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })";
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'route', 'rules/solar.route', '--leads', 'examples/leads.jsonl'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let first = '';
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString();
      child.stdout.destroy(); // what `head -1` does once it has its line
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(first).toMatch(/^L00001 /);
    expect(err).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(0);
  }, 60_000);
});
