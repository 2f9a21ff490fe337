// `leadroute fmt`, run in-process: --check over files and directories, rewriting
// in place, stdin to stdout, and files with syntax errors left untouched. The
// first test is CI's layout check: every shipped rule file is formatted.

import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/index.js';
import { runCli, scratchDir, writeScratch } from '../cli/helpers.js';

const MESSY = 'buyer A{price $5   # five\n}\n\n\n\nflow f{route A}';
const TIDY = 'buyer A { price $5 # five\n}\n\nflow f { route A }\n';
const BROKEN = 'buyer A {\n  price $5 +\n}\n';

/** The CLI with `input` on its stdin. */
async function runWithStdin(args: string[], input: string, cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += `${t}\n`), color: false, cwd, stdin: () => input };
  const code = await main(args, io);
  return { code, out, err };
}

describe('leadroute fmt --check', () => {
  it('passes every rule file under rules/ (CI runs this: the shipped files stay formatted)', async () => {
    const r = await runCli(['fmt', '--check', 'rules/']);
    expect(r.out + r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('exits 1 naming each unformatted file with its first differing line, and changes nothing', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'messy.route', MESSY);
    writeScratch(dir, 'tidy.route', TIDY);
    const r = await runCli(['fmt', '--check', 'messy.route', 'tidy.route'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toBe('messy.route:1: not formatted\n  - buyer A{price $5   # five\n  + buyer A { price $5 # five\n');
    expect(r.err).toContain('1 of 2 files not formatted');
    expect(readFileSync(join(dir, 'messy.route'), 'utf8')).toBe(MESSY);
  });

  it('exits 0 when every file is formatted', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'tidy.route', TIDY);
    expect(await runCli(['fmt', '--check', 'tidy.route'], dir)).toEqual({ code: 0, out: '', err: '' });
  });

  it('checks every .route file under a directory, and only those', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
    writeScratch(dir, 'sub/a.route', TIDY);
    writeScratch(dir, 'sub/deeper/b.route', MESSY);
    writeScratch(dir, 'sub/notes.txt', MESSY);
    const r = await runCli(['fmt', '--check', 'sub'], dir);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').filter((l) => l.includes('not formatted'))).toEqual(['sub/deeper/b.route:1: not formatted']);
  });

  it('names the end of the file when that is the first difference', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'a.route', 'flow f { route A }');
    const r = await runCli(['fmt', '--check', 'a.route'], dir);
    expect(r.out).toBe('a.route:1: not formatted: no newline at the end of the file\n');
    writeScratch(dir, 'b.route', 'flow f { route A }\n\n\n');
    expect((await runCli(['fmt', '--check', 'b.route'], dir)).out).toBe('b.route:3: not formatted\n  - \n  + (end of file)\n');
  });
});

describe('leadroute fmt', () => {
  it('rewrites unformatted files in place, keeps their mode, and leaves no temporary file', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'messy.route', MESSY);
    writeScratch(dir, 'tidy.route', TIDY);
    chmodSync(join(dir, 'messy.route'), 0o640);
    const r = await runCli(['fmt', '.'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toBe('formatted messy.route\n');
    expect(readFileSync(join(dir, 'messy.route'), 'utf8')).toBe(TIDY);
    expect(statSync(join(dir, 'messy.route')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(['messy.route', 'tidy.route']);
    expect(await runCli(['fmt', '--check', '.'], dir)).toEqual({ code: 0, out: '', err: '' });
  });

  it('leaves a file with syntax errors untouched, prints its diagnostics (file:line:col, code) and exits 1', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'bad.route', BROKEN);
    writeScratch(dir, 'messy.route', MESSY);
    for (const args of [['fmt', 'bad.route', 'messy.route'], ['fmt', '--check', 'bad.route']]) {
      const r = await runCli(args, dir);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^bad\.route:3:1: error LR100: /m);
      expect(r.err).toContain('1 file with syntax errors left as it was');
      expect(readFileSync(join(dir, 'bad.route'), 'utf8')).toBe(BROKEN);
    }
    // The good file beside it was still formatted.
    expect(readFileSync(join(dir, 'messy.route'), 'utf8')).toBe(TIDY);
  });

  it('reads stdin and writes stdout when given no file', async () => {
    const dir = scratchDir();
    expect(await runWithStdin(['fmt'], MESSY, dir)).toEqual({ code: 0, out: TIDY, err: '' });
    expect((await runWithStdin(['fmt', '--check'], MESSY, dir)).code).toBe(1);
    expect((await runWithStdin(['fmt', '--check'], MESSY, dir)).out).toContain('<stdin>:1: not formatted');
    expect(await runWithStdin(['fmt', '--check'], TIDY, dir)).toEqual({ code: 0, out: '', err: '' });
    const broken = await runWithStdin(['fmt'], BROKEN, dir);
    expect(broken.code).toBe(1);
    expect(broken.out).toBe('');
    expect(broken.err).toMatch(/^<stdin>:3:1: error LR100: /m);
  });

  it('exits 2 on a path that does not exist or an unknown option', async () => {
    expect((await runCli(['fmt', 'no/such/file.route'])).code).toBe(2);
    expect((await runCli(['fmt', '--bogus', 'rules/'])).code).toBe(2);
  });

  it('is listed in the help', async () => {
    expect((await runCli(['help'])).out).toMatch(/^ {2}fmt \[FILE\|DIR\.\.\.\] +rewrite rule files/m);
  });
});

