// The command line built from the declarations (src/cli/commands.ts): help
// that fits 80 columns, usage errors with exit 2, completion scripts, check's
// JSON output and capped diagnostics, demo --limit, and the progress bar.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { progressBar } from '../../src/cli/progress.js';
import { MAX_DIAGNOSTICS_SHOWN } from '../../src/core/limits.js';
import { fakeTerminal, runCli, scratchDir } from './helpers.js';

const NAMES = COMMANDS.map((c) => c.name);

describe('help', () => {
  it('every line of every help output is at most 80 columns', async () => {
    const outputs = [await runCli(['--help']), await runCli([]), await runCli(['help']), ...(await Promise.all(NAMES.map((n) => runCli([n, '--help'])))), ...(await Promise.all(NAMES.map((n) => runCli(['help', n]))))];
    for (const r of outputs) {
      expect(r.out.length).toBeGreaterThan(0);
      for (const line of r.out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    }
  });

  it('lists every declared command, and each command\'s help names each of its options', async () => {
    const top = await runCli(['--help']);
    for (const spec of COMMANDS) {
      expect(top.out).toMatch(new RegExp(`^ {2}${spec.name}\\b`, 'm'));
      const own = await runCli([spec.name, '--help']);
      for (const key of Object.keys(spec.options)) expect(own.out).toContain(`--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`);
    }
  });

  it('shows demo --limit N', async () => {
    expect((await runCli(['demo', '--help'])).out).toMatch(/--limit <N>/);
  });

  it('prints the overview with exit 2 when no command is given', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('Commands:');
  });
});

describe('usage errors', () => {
  it('an unknown option or command exits 2 with a did-you-mean', async () => {
    const option = await runCli(['route', 'rules/solar.route', '--lead', '{}', '--jsno']);
    expect(option.code).toBe(2);
    expect(option.err).toContain("unknown option '--jsno'");
    expect(option.err).toContain('--json');
    const command = await runCli(['chekc', 'rules/solar.route']);
    expect(command.code).toBe(2);
    expect(command.err).toContain("unknown command 'chekc'");
    expect(command.err).toContain('check');
    const value = await runCli(['check', '--format', 'yaml', 'rules/solar.route']);
    expect(value.code).toBe(2);
    expect(value.err).toContain('text, json');
    expect((await runCli(['sell', 'rules/solar.route', '--leads', 'examples/leads.jsonl', '--limit', 'many'])).code).toBe(2);
  });
});

describe('demo --plain --limit', () => {
  it('routes only the first N sample leads', async () => {
    const r = await runCli(['demo', '--plain', '--limit', '5']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => /^L\d{5} /.test(l))).toHaveLength(5);
    expect(r.out).toMatch(/^5 leads, \d+ routed/m);
  });

  it('refuses selling options that --plain has no use for', async () => {
    const r = await runCli(['demo', '--plain', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--dry-run is for the selling demo');
  });
});

describe('leadroute completion', () => {
  it('prints a bash script that bash parses and that names every command', async () => {
    const r = await runCli(['completion', 'bash']);
    expect(r.code).toBe(0);
    const dir = scratchDir();
    writeFileSync(join(dir, 'c.bash'), r.out);
    const check = spawnSync('bash', ['-n', join(dir, 'c.bash')], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    for (const name of NAMES) expect(r.out).toMatch(new RegExp(`^ {4}${name}\\)`, 'm'));
    expect(r.out).toContain("compgen -W 'text json'");
  });

  it('completes in bash: commands, options, choices', async () => {
    const script = (await runCli(['completion', 'bash'])).out;
    const complete = (...words: string[]) => {
      const run = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _leadroute; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return spawnSync('bash', ['-c', run], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    };
    expect(complete('leadroute', 'ch')).toEqual(['check']);
    expect(complete('leadroute', 'check', '--f')).toEqual(['--format']);
    expect(complete('leadroute', 'check', '--format', 'j')).toEqual(['json']);
    expect(complete('leadroute', 'sell', 'x.route', '--dry')).toEqual(['--dry-run']);
  });

  it('prints zsh and fish scripts naming every command, and refuses other shells', async () => {
    for (const shell of ['zsh', 'fish']) {
      const r = await runCli(['completion', shell]);
      expect(r.code).toBe(0);
      for (const name of NAMES) expect(r.out).toContain(name);
    }
    expect((await runCli(['completion', 'tcsh'])).code).toBe(2);
  });
});

describe('check: capped output and --format json', () => {
  it('prints the first diagnostics of a file full of errors and counts the rest on one line', async () => {
    const r = await runCli(['check', 'README.md']);
    expect(r.code).toBe(1);
    expect(r.err.match(/^README\.md:\d+:\d+: error/gm)).toHaveLength(MAX_DIAGNOSTICS_SHOWN);
    expect(r.err.trimEnd().split('\n').at(-1)).toMatch(/^… and [\d,]+ more errors \(0 warnings\)$/);
    expect(r.err.split('\n').length).toBeLessThan(150);
  });

  it('a file of 200,000 bad lines gets its first errors and a count of all of them', async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'bad.route'), '€\n'.repeat(100_000) + '"open\n'.repeat(100_000));
    const r = await runCli(['check', 'bad.route'], dir);
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('call stack');
    expect(r.err.match(/^bad\.route:\d+:\d+: error/gm)).toHaveLength(MAX_DIAGNOSTICS_SHOWN);
    expect(r.out).toMatch(/^200,?00\d errors, 0 warnings in 1 file/m);
  });

  it('--max-errors N shows N, and 0 shows them all', async () => {
    const dir = scratchDir();
    // 30 unknown buyers: 30 errors, each with a did-you-mean.
    const flows = Array.from({ length: 30 }, (_, i) => `flow f${i} {\n  route Premiun\n}\n`).join('');
    writeFileSync(join(dir, 'many.route'), `lead {\n  id: string\n}\nbuyer Premium {\n  price $5\n}\n${flows}`);
    const heads = (text: string) => text.match(/^many\.route:\d+:\d+: error/gm) ?? [];
    const capped = await runCli(['check', 'many.route'], dir);
    expect(capped.code).toBe(1);
    expect(heads(capped.err)).toHaveLength(MAX_DIAGNOSTICS_SHOWN);
    expect(capped.err.trimEnd().split('\n').at(-1)).toBe(`… and ${30 - MAX_DIAGNOSTICS_SHOWN} more errors (0 warnings)`);
    const few = await runCli(['check', 'many.route', '--max-errors', '2'], dir);
    expect(heads(few.err)).toHaveLength(2);
    expect(few.err.trimEnd().split('\n').at(-1)).toBe('… and 28 more errors (0 warnings)');
    const all = await runCli(['check', 'many.route', '--max-errors', '0'], dir);
    expect(heads(all.err)).toHaveLength(30);
    expect(all.err).not.toContain('… and');
    expect(all.out).toContain('30 errors');
    // The same cap where a command compiles before it runs.
    const routed = await runCli(['route', 'many.route', '--lead', '{}', '--max-errors', '3'], dir);
    expect(heads(routed.err)).toHaveLength(3);
  });

  it('prints one JSON document with every diagnostic in the documented shape; exit codes unchanged', async () => {
    const r = await runCli(['check', '--format', 'json', 'README.md']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    const doc = JSON.parse(r.out) as { files: number; errors: number; warnings: number; diagnostics: unknown[] };
    expect(doc.files).toBe(1);
    expect(doc.diagnostics).toHaveLength(doc.errors + doc.warnings);
    expect(doc.diagnostics[0]).toEqual({
      code: expect.stringMatching(/^LR\d+$/),
      severity: 'error',
      message: expect.any(String),
      suggestion: null,
      file: 'README.md',
      span: { start: { line: expect.any(Number), col: expect.any(Number), offset: expect.any(Number) }, end: { line: expect.any(Number), col: expect.any(Number), offset: expect.any(Number) } },
    });
    const ok = await runCli(['check', '--format', 'json', 'rules/solar.route']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual({ files: 1, errors: 0, warnings: 0, diagnostics: [] });
  });

  it('gives a plan.json problem code PLAN, its JSON path and no span', async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    const r = await runCli(['check', '--format', 'json', join(dir, 'bad.json')]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).diagnostics[0]).toMatchObject({ code: 'PLAN', severity: 'error', span: null });
  });
});

describe('progress bar', () => {
  it('draws from the start, with count, rate and ETA, cut to a narrow terminal, with no new line per redraw', async () => {
    const terminal = fakeTerminal(40);
    const io = { out: () => undefined, err: () => undefined, color: false, cwd: '.', progressStream: terminal };
    const bar = progressBar(io, 'selling', 1000, 'leads');
    expect(terminal.frames().length).toBeGreaterThan(0); // drawn at once, before any lead
    for (let i = 1; i <= 1000; i += 1) {
      bar.update(i);
      if (i % 250 === 0) await new Promise((r) => setTimeout(r, 120)); // let the timer redraw
    }
    bar.done();
    const frames = terminal.frames();
    expect(frames.length).toBeGreaterThan(2);
    expect(terminal.text).not.toContain('\n');
    for (const f of frames) expect(f.length).toBeLessThan(40);
    expect(frames.some((f) => f.startsWith('selling ['))).toBe(true);
  });

  it('shows count, rate and ETA where the terminal is wide enough', async () => {
    const terminal = fakeTerminal(120);
    const io = { out: () => undefined, err: () => undefined, color: false, cwd: '.', progressStream: terminal };
    const bar = progressBar(io, 'simulating', 2000, 'leads');
    bar.update(500);
    await new Promise((r) => setTimeout(r, 250));
    bar.update(600);
    bar.done();
    expect(terminal.frames().some((f) => /simulating \[#+-+\] +\d+% 6?[05]00\/2,000 leads [\d,]+\/s ETA \S+/.test(f))).toBe(true);
  });

  it('draws nothing when the stream is not a terminal', () => {
    const pipe = { ...fakeTerminal(80), isTTY: false };
    const bar = progressBar({ out: () => undefined, err: () => undefined, color: false, cwd: '.', progressStream: pipe }, 'x', 10, 'leads');
    bar.update(5);
    bar.done();
    expect(pipe.text).toBe('');
  });
});
