// The `leadroute` command line. Every command returns an exit code instead of
// calling process.exit, so tests can run it in-process. The commands are
// declared in commands.ts; program.ts turns the declarations into the parser
// and the help.

import { COMMANDS } from './commands.js';
import { processIo, type Io } from './io.js';
import { runProgram } from './program.js';

export { type Io } from './io.js';

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  return runProgram(argv, io, COMMANDS);
}
