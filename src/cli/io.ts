// Where the CLI writes, and whether it may colour. Injected so tests can capture output.

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import picocolors from 'picocolors';

/** The part of a terminal stream a progress bar uses. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string, done?: (err?: Error | null) => void): boolean;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colour on stdout (and on stderr unless errColor says otherwise). */
  color: boolean;
  /** Colour on stderr, when decided apart from stdout (processIo). */
  errColor?: boolean;
  cwd: string;
  /** Where a progress bar is drawn (src/cli/progress.ts): stderr, present only
   *  when it is a terminal, so a piped or captured run never gets one. */
  progressStream?: ProgressStream;
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

/** The colours for text written to stderr. */
export const errPaint = (io: Io): Colors => paint(io.errColor ?? io.color);

/** Text without its colour codes. */
export const withoutColor = (text: string): string => text.replace(ANSI_STYLE, '');

export function processIo(): Io {
  process.stdout.once('error', stopOnClosedPipe);
  const outColor = colorWanted(process.env, Boolean(process.stdout.isTTY));
  const errColor = colorWanted(process.env, Boolean(process.stderr.isTTY));
  // Each stream has its own colour; text coloured for one stream and written
  // to another that wants none (redirected stderr, say) has its codes taken out.
  const line = (t: string, keepColor: boolean) => {
    const text = keepColor ? t : withoutColor(t);
    return text.endsWith('\n') ? text : `${text}\n`;
  };
  return {
    out: (t) => process.stdout.write(line(t, outColor)),
    err: (t) => process.stderr.write(line(t, errColor)),
    color: outColor,
    errColor,
    cwd: process.cwd(),
    ...(process.stderr.isTTY ? { progressStream: process.stderr } : {}),
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

/** An ISO 8601 time option (`--at`, `--from`) in ms; `fallback` when the option is absent. */
export function isoTimeOption(name: string, text: string | undefined, fallback: number, example = '2026-11-23T15:00:00Z'): number {
  if (text === undefined) return fallback;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--${name} \`${text}\` is not an ISO 8601 time (e.g. ${example})`);
  return t;
}

/** The colours of one stream (picocolors): plain text when `on` is false. */
export const paint = (on: boolean): Colors => picocolors.createColors(on);
export type Colors = ReturnType<typeof picocolors.createColors>;

/** The package's root folder (holds package.json), from src/cli or dist/src/cli: where the demo's files are. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
