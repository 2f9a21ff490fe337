// Where the CLI writes, and whether it may colour. Injected so tests can capture output.

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
  cwd: string;
  /** What the process reads on stdin (`fmt` with no file); the process's own stdin when absent. */
  stdin?: () => string;
}

export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
  };
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

export const paint = (on: boolean) => {
  const wrap = (code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap('1'), dim: wrap('2'), red: wrap('31'), green: wrap('32'), yellow: wrap('33'), cyan: wrap('36') };
};

/** The package's root folder (holds package.json), from src/cli or dist/src/cli: where the demo's files are. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
