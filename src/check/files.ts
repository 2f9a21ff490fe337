// The files a rule file names (`lead from "x.json"`, payload templates): where
// they may be and how they are read. A rule file reads only files inside its
// own folder (or a root the embedder configures): an absolute path or a `..`
// that leaves the folder is refused with a position before anything is read.
// The reader itself (the file system's, in ./disk.ts, or one an embedder
// gives) refuses what is not a regular file or is too large. No message ever
// quotes a file's content.
//
// Pure path arithmetic: the checker's passes import this, and the runtime loads
// them, so there is no I/O here.

import * as path from 'node:path';
import { MAX_NAMED_FILE_BYTES } from '../core/limits.js';
import type { Span } from '../lang/ast.js';
import { diagnostic, type Diagnostic } from '../lang/diagnostics.js';

/** Why a reader refused a file it found: it is no regular file (a directory,
 *  a device, a pipe), is larger than the limit, or is a link that leads out of
 *  the root. */
export interface FileRefusal {
  refused: 'notFile' | 'tooLarge' | 'linksOutside';
}

/** Reads a file by resolved path: its text, undefined when there is no such
 *  file (or it cannot be read), or a refusal. */
export type FileReader = (path: string) => string | undefined | FileRefusal;

export interface FileOptions {
  /** Reads a file by resolved path (default: the file system's, from the checker's entry). */
  readFile?: FileReader;
  /** Directory the paths a rule file names are relative to (default: the rule file's). */
  baseDir?: string;
  /** Folder every named file must stay inside (default: `baseDir`). */
  root?: string;
}

/** Why a named file was not read. */
export type FileProblem = 'absolute' | 'escapes' | 'missing' | FileRefusal['refused'];

export type NamedFile = { text: string } | { problem: FileProblem };

/** The reader when none is given: reads nothing. */
export const readNothing: FileReader = () => undefined;

/** The folder named files must stay inside. */
export function rootOf(options: FileOptions, ruleFile: string | undefined): string {
  return path.resolve(options.root ?? baseDirOf(options, ruleFile));
}

function baseDirOf(options: FileOptions, ruleFile: string | undefined): string {
  return options.baseDir ?? path.dirname(ruleFile ?? '.');
}

/** Where a path a rule file names resolves to, or why it may not be read. */
function resolveNamedFile(options: FileOptions, ruleFile: string | undefined, rel: string): { path: string } | { problem: 'absolute' | 'escapes' } {
  if (path.isAbsolute(rel) || path.win32.isAbsolute(rel)) return { problem: 'absolute' };
  const resolved = path.resolve(baseDirOf(options, ruleFile), rel);
  return isInside(rootOf(options, ruleFile), resolved) ? { path: resolved } : { problem: 'escapes' };
}

/** Read a file the rule file names, under the rules above. */
export function readNamedFile(options: FileOptions, ruleFile: string | undefined, rel: string): NamedFile {
  const where = resolveNamedFile(options, ruleFile, rel);
  if ('problem' in where) return where;
  let got: string | undefined | FileRefusal;
  try {
    got = (options.readFile ?? readNothing)(where.path);
  } catch {
    got = undefined;
  }
  if (typeof got === 'string') return { text: got };
  if (got && typeof got === 'object' && typeof got.refused === 'string') return { problem: got.refused };
  return { problem: 'missing' };
}

/** Whether `p` is `root` or lies below it (both resolved). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  // `..foo` is a name inside the root; `..` and `../…` leave it.
  return !path.isAbsolute(rel) && !/^\.\.(?:[\\/]|$)/.test(rel);
}

/** The diagnostic for a file that was refused (LR215); undefined for a file
 *  that is simply not there, which each use reports in its own words. */
export function fileRefusal(problem: FileProblem, what: string, rel: string, span: Span): Diagnostic | undefined {
  switch (problem) {
    case 'missing':
      return undefined;
    case 'absolute':
      return diagnostic('LR215', span, what, rel);
    case 'escapes':
      return diagnostic('LR215.escapes', span, what, rel);
    case 'linksOutside':
      return diagnostic('LR215.linksOutside', span, what, rel);
    case 'notFile':
      return diagnostic('LR215.notFile', span, what, rel);
    case 'tooLarge':
      return diagnostic('LR215.tooLarge', span, what, rel, `${MAX_NAMED_FILE_BYTES / (1024 * 1024)} MB`);
    default:
      return problem satisfies never;
  }
}
