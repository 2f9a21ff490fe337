// `leadroute fmt [--check] [FILE|DIR…]`: rule files in their canonical layout
// (src/fmt). Files are rewritten in place, each through a temporary file
// beside it renamed over it, so a file is never left half written; `--check`
// rewrites nothing and lists the files that are not formatted. A directory
// stands for every rule file under it; no argument reads stdin and writes
// stdout. A file with a syntax error is never touched: its diagnostics are
// printed and the exit code is 1.

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { format } from '../fmt/index.js';
import { readSource, reportDiagnostics } from './check.js';
import type { FmtOptions } from './commands.js';
import { UsageError, errPaint, type Io } from './io.js';

/** The rule files' extension, as in rules/ and test/corpus/. */
const RULE_FILE_EXTENSION = '.route';
const STDIN_NAME = '<stdin>';

type Outcome = 'formatted' | 'changed' | 'errors';

export function fmtCommand(paths: string[], options: FmtOptions, io: Io): number {
  const { check, maxErrors } = options;
  if (paths.length === 0) return fmtStdin(check, maxErrors, io);

  const files = paths.flatMap((p) => ruleFilesAt(p, io));
  const outcomes = files.map((file) => fmtFile(file, check, maxErrors, io));
  const changed = outcomes.filter((o) => o === 'changed').length;
  const broken = outcomes.filter((o) => o === 'errors').length;
  if (check && changed > 0) {
    const c = errPaint(io);
    io.err(c.red(`${changed} of ${plural(files.length, 'file')} not formatted: run \`leadroute fmt\` on ${changed === 1 ? 'it' : 'them'}`));
  }
  if (broken > 0) io.err(`${plural(broken, 'file')} with syntax errors left as ${broken === 1 ? 'it was' : 'they were'}`);
  return broken > 0 || (check && changed > 0) ? 1 : 0;
}

function fmtStdin(check: boolean, maxErrors: number, io: Io): number {
  const source = io.stdin ? io.stdin() : readFileSync(0, 'utf8');
  const result = format(source, STDIN_NAME);
  if (!result.ok) {
    reportDiagnostics(result.diagnostics, { [STDIN_NAME]: source }, io, maxErrors);
    return 1;
  }
  if (!check) {
    io.out(result.text);
    return 0;
  }
  if (result.text === source) return 0;
  io.out(notFormatted(STDIN_NAME, source, result.text));
  return 1;
}

function fmtFile(file: string, check: boolean, maxErrors: number, io: Io): Outcome {
  const source = readSource(file, io);
  const result = format(source, file);
  if (!result.ok) {
    reportDiagnostics(result.diagnostics, { [file]: source }, io, maxErrors);
    return 'errors';
  }
  if (result.text === source) return 'formatted';
  if (check) io.out(notFormatted(file, source, result.text));
  else {
    writeAtomically(resolve(io.cwd, file), result.text);
    io.out(`formatted ${file}`);
  }
  return 'changed';
}

/** `file:line: not formatted`, then the first line that differs, as it is and as it would be. */
function notFormatted(file: string, before: string, after: string): string {
  const was = before.split(/\r?\n/);
  const will = after.split('\n');
  let line = 0;
  while (line < Math.max(was.length, will.length) && was[line] === will[line]) line++;
  if (was[line] === undefined && line === will.length - 1) return `${file}:${line}: not formatted: no newline at the end of the file`;
  const show = (text: string | undefined) => (text === undefined ? '(end of file)' : JSON.stringify(text).slice(1, -1));
  return `${file}:${line + 1}: not formatted\n  - ${show(was[line])}\n  + ${show(will[line])}`;
}

/** The rule files a path names: the file itself, or every rule file under a directory (sorted). */
function ruleFilesAt(path: string, io: Io): string[] {
  const full = resolve(io.cwd, path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(full).isDirectory();
  } catch {
    throw new UsageError(`cannot read \`${path}\``);
  }
  if (!isDirectory) return [path];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = join(dir, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && entry.name.endsWith(RULE_FILE_EXTENSION)) found.push(join(path, relative(full, child)));
    }
  };
  walk(full);
  return found;
}

/** Write `text` over `path` through a temporary file beside it, keeping the file's mode. */
function writeAtomically(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, text, { mode: statSync(path).mode, flag: 'wx' });
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
