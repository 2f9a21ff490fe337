// Where the CLI writes, and whether it may colour. Injected so tests can capture output.

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import picocolors from 'picocolors';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
  cwd: string;
  /** Draws a progress line in place on stderr; present only when stderr is a
   *  terminal, so a piped or captured run never gets one. */
  progress?: (text: string) => void;
  /** What the process reads on stdin (`fmt` with no file); the process's own stdin when absent. */
  stdin?: () => string;
}

/** A reader that closed the pipe (`leadroute route … | head -1`) has all it wants: stop quietly, exit 0. */
function stopOnClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
}

/**
 * Whether a stream gets colour: FORCE_COLOR (other than `0`/`false`) forces it,
 * then NO_COLOR (any non-empty value) and TERM=dumb turn it off; otherwise only
 * a terminal gets it.
 */
export function colorWanted(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

const ANSI_STYLE = /\u001b\[[0-9;]*m/g;

/** Text without its colour codes. */
export const withoutColor = (text: string): string => text.replace(ANSI_STYLE, '');

export function processIo(): Io {
  process.stdout.once('error', stopOnClosedPipe);
  const outColor = colorWanted(process.env, Boolean(process.stdout.isTTY));
  const errColor = colorWanted(process.env, Boolean(process.stderr.isTTY));
  // One `color` for both streams; a stream that wants none (redirected stderr,
  // say) gets the text with the codes taken out.
  const line = (t: string, keepColor: boolean) => {
    const text = keepColor ? t : withoutColor(t);
    return text.endsWith('\n') ? text : `${text}\n`;
  };
  return {
    out: (t) => process.stdout.write(line(t, outColor)),
    err: (t) => process.stderr.write(line(t, errColor)),
    color: outColor || errColor,
    cwd: process.cwd(),
    ...(process.stderr.isTTY ? { progress: (t: string) => void process.stderr.write(t === '' ? '\r\u001b[K' : `\r${t}\u001b[K`) } : {}),
  };
}

/**
 * A progress bar drawn with io.progress (a terminal on stderr only), at most
 * every 100 ms. `hide` clears it before a line is printed (stdout and stderr
 * may share the terminal); the next update draws it again.
 */
export function progressBar(io: Io, label: string, total: number, unit: string): { update: (done: number) => void; hide: () => void; done: () => void } {
  const draw = io.progress;
  let last = 0;
  let shown = false;
  const hide = () => {
    if (draw && shown) draw('');
    shown = false;
  };
  return {
    update(done) {
      if (!draw) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const fill = Math.round(frac * width);
      draw(`${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}`);
      shown = true;
    },
    hide,
    done: hide,
  };
}

/** One line of a JSON Lines file of leads: null for a blank line; a byte-order mark on the first line is dropped. */
export function parseLeadLine(text: string, n: number, label: string): { line: number; lead: unknown } | { line: number; error: string } | null {
  const line = n === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (line.trim() === '') return null;
  try {
    return { line: n, lead: JSON.parse(line) };
  } catch {
    return { line: n, error: `line ${n} of ${label} is not valid JSON` };
  }
}

export class UsageError extends Error {}

export interface ParsedOptions {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** node:util parseArgs, with its errors turned into usage errors (exit 2). */
export function parseOptions(args: string[], options: NonNullable<ParseArgsConfig['options']>): ParsedOptions {
  try {
    const { positionals, values } = parseArgs({
      args,
      options: { ...options, 'no-color': { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    return { positionals, values: values as ParsedOptions['values'] };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

/** An ISO 8601 time option (`--at`, `--from`) in ms; `fallback` when the option is absent. */
export function isoTimeOption(name: string, text: string | undefined, fallback: number, example = '2026-11-23T15:00:00Z'): number {
  if (text === undefined) return fallback;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--${name} \`${text}\` is not an ISO 8601 time (e.g. ${example})`);
  return t;
}

/** A string option's value, or undefined. */
export const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** The colours of one stream (picocolors): plain text when `on` is false. */
export const paint = (on: boolean): Colors => picocolors.createColors(on);
export type Colors = ReturnType<typeof picocolors.createColors>;

/** The package's root folder (holds package.json), from src/cli or dist/src/cli: where the demo's files are. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
