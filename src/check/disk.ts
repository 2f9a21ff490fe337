// The file system's reader for the files a rule file names (see ./files.ts).
// Only the checker's entry and compile() import it, so the checker's passes
// (which the runtime loads) import no I/O.
//
// It opens without blocking and looks at what it opened before reading: a
// FIFO would otherwise hang the checker, and /dev/zero would fill memory. A
// symbolic link is followed only when it ends inside the root.

import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { MAX_NAMED_FILE_BYTES } from '../core/limits.js';
import { isInside, type FileReader } from './files.js';

/** A reader confined to `root`: text, undefined (no such file), or a refusal. */
export function diskReader(root: string): FileReader {
  let realRoot: string | undefined;
  return (path) => {
    let real: string;
    try {
      real = realpathSync(path);
      realRoot ??= realpathSync(root);
    } catch {
      return undefined;
    }
    if (!isInside(realRoot, real)) return { refused: 'linksOutside' };
    let fd: number;
    try {
      fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return undefined;
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) return { refused: 'notFile' };
      if (stat.size > MAX_NAMED_FILE_BYTES) return { refused: 'tooLarge' };
      return readAtMost(fd, stat.size, MAX_NAMED_FILE_BYTES);
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  };
}

/** The file's text, or a refusal when it grew past the limit while being read.
 *  The buffer starts at the size fstat gave (plus one byte, to see growth). */
function readAtMost(fd: number, size: number, limit: number): string | { refused: 'tooLarge' } {
  let buffer = Buffer.alloc(Math.min(size, limit) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > limit) return { refused: 'tooLarge' };
      const grown = Buffer.alloc(Math.min(buffer.length * 2, limit + 1));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const n = readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) break;
    length += n;
  }
  return length > limit ? { refused: 'tooLarge' } : buffer.toString('utf8', 0, length);
}
