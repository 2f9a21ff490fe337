// Completion candidates, and the readline shell: history kept across runs in the
// file the environment names, lines run in order, `:quit` ends it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_ENV, historyPath, readHistory, runShell, type Repl } from '../../src/repl/index.js';
import { scratchDir } from '../cli/helpers.js';
import { replOn } from './helpers.js';

let repl: Repl;
beforeEach(async () => {
  repl = await replOn('rules/solar.route');
});
afterEach(async () => {
  await repl.close();
});

describe('completion', () => {
  it('completes commands', () => {
    expect(repl.complete(':')).toEqual([expect.arrayContaining([':help', ':flow ', ':explain ', ':quit']), ':']);
    expect(repl.complete(':ca')).toEqual([[':caps', ':cap '], ':ca']);
    expect(repl.complete(':zz')).toEqual([[], ':zz']);
  });

  it('completes buyers, flows, cap units and files after their commands', () => {
    expect(repl.complete(':explain ')).toEqual([['Premium ', 'Standard ', 'CatchAll '], '']);
    expect(repl.complete(':explain St')).toEqual([['Standard '], 'St']);
    expect(repl.complete(':cap Pre')).toEqual([['Premium '], 'Pre']);
    expect(repl.complete(':cap Premium 100')).toEqual([['100/min ', '100/minute ', '100/h ', '100/hour ', '100/day ', '100/week ', '100/month '], '100']);
    expect(repl.complete(':cap Premium 100/h')).toEqual([['100/h ', '100/hour '], '100/h']);
    expect(repl.complete(':flow ')).toEqual([['solar '], '']);
    expect(repl.complete(':load examples/lea')).toEqual([['examples/leads.jsonl '], 'examples/lea']);
    expect(repl.complete(':load exam')).toEqual([['examples/'], 'exam']);
    expect(repl.complete(':at now ')[0]).toContain('America/New_York ');
  });

  it('completes field names (not those already typed) and enum, bool and state values', () => {
    expect(repl.complete('cred')).toEqual([['credit_score='], 'cred']);
    const [fields] = repl.complete('state=CA ');
    expect(fields).toContain('homeowner=');
    expect(fields).not.toContain('state=');
    expect(repl.complete('state=CA electric_bill=')).toEqual([['electric_bill=0-100 ', 'electric_bill=100-200 ', 'electric_bill=200-300 ', 'electric_bill=300+ '], 'electric_bill=']);
    expect(repl.complete('homeowner=t')).toEqual([['homeowner=true '], 'homeowner=t']);
    expect(repl.complete('source=fa')).toEqual([['source=facebook '], 'source=fa']);
    expect(repl.complete('state=N')[0]).toEqual(expect.arrayContaining(['state=NY ', 'state=NJ ']));
    expect(repl.complete('credit_score=7')).toEqual([[], 'credit_score=7']);
    expect(repl.complete('{"state":')).toEqual([[], '']);
  });
});

describe('the shell', () => {
  /** Run a shell on a fake terminal with `lines` typed; what it printed. */
  async function type(historyFile: string, lines: string[]): Promise<string> {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (b: Buffer) => (printed += b.toString()));
    const done = runShell(repl, { input, output, terminal: true, historyFile });
    for (const line of lines) input.write(`${line}\r`);
    await done;
    return printed;
  }

  it('keeps the history in its file across runs', async () => {
    const file = join(scratchDir(), 'state', 'history');
    const printed = await type(file, [':seed 5', ':flow solar', ':quit']);
    expect(printed).toContain('seed 5');
    expect(printed).toContain('flow solar');
    expect(readFileSync(file, 'utf8')).toBe(':seed 5\n:flow solar\n:quit\n');
    expect(readHistory(file)).toEqual([':quit', ':flow solar', ':seed 5']);

    // The next run starts with it: four arrow-ups go past `:seed 7` back to the first run's `:seed 5`.
    await type(file, [':seed 7', '\u001b[A'.repeat(4), ':quit']);
    expect(repl.session.seed).toBe('5');
    expect(readFileSync(file, 'utf8')).toBe(':flow solar\n:seed 7\n:seed 5\n:quit\n');
  });

  it('leaves on a second Ctrl-C on an empty line', async () => {
    const file = join(scratchDir(), 'history');
    const printed = await type(file, [':seed 4', '\u0003\u0003']);
    expect(printed).toContain('(Ctrl-C again, Ctrl-D or :quit to leave)');
    expect(repl.session.seed).toBe('4');
  });

  it('runs the lines in order, a lead after the command before it', async () => {
    const file = join(scratchDir(), 'history');
    writeFileSync(file, '');
    const printed = await type(file, [':seed 3', 'state=CA homeowner=x', ':quit']);
    expect(printed.indexOf('seed 3')).toBeLessThan(printed.indexOf('homeowner: `x` is not true or false'));
  });

  it('puts the history in the state folder unless the environment names a file', () => {
    expect(historyPath({ [HISTORY_ENV]: '/tmp/h' })).toBe('/tmp/h');
    expect(historyPath({ XDG_STATE_HOME: '/s' })).toBe('/s/leadroute/repl_history');
    expect(historyPath({})).toMatch(/\/\.local\/state\/leadroute\/repl_history$/);
  });
});

describe('leadroute repl', () => {
  it('is a command of the CLI, listed in its help', async () => {
    const { runCli } = await import('../cli/helpers.js');
    expect((await runCli(['help'])).out).toMatch(/^ {2}repl FILE +try leads by hand/m);
    const noFile = await runCli(['repl']);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain("missing required argument 'FILE'");
    const bad = await runCli(['repl', 'rules/solar.route', '--flow', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--flow: no flow `nope`');
  });
});

describe('completion in a list field', () => {
  it('completes the item after the last comma, quoting a value with a space', async () => {
    const { createRepl } = await import('../../src/repl/index.js');
    const { writeScratch } = await import('../cli/helpers.js');
    const dir = scratchDir();
    writeScratch(dir, 'r.route', 'lead {\n  colors: list "red" | "dark blue"\n}\nbuyer A {\n  price $1\n}\nflow f {\n  route A\n}\n');
    const r = await createRepl({ file: 'r.route', cwd: dir });
    try {
      expect(r.complete('colors=red,d')).toEqual([['colors=red,"dark blue"'], 'colors=red,d']);
      expect(await r.evaluate('colors=red,"dark blue"')).toMatch(/→ A \$1\.00/);
      expect(await r.evaluate('colors=green')).toMatch(/rejected: colors\[0\]/);
    } finally {
      await r.close();
    }
  });
});
