// Where the CLI writes, and whether it may colour. Injected so tests can capture output.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
  cwd: string;
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

/** A string option's value, or undefined. */
export const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export const paint = (on: boolean) => {
  const wrap = (code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap('1'), dim: wrap('2'), red: wrap('31'), green: wrap('32'), yellow: wrap('33'), cyan: wrap('36') };
};
