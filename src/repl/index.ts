// The REPL: try rules against leads typed by hand (`leadroute repl FILE`).
export { createRepl, type Repl, type ReplOptions, type EvalResult } from './repl.js';
export { runShell, historyPath, readHistory, writeHistory, watchFile, HISTORY_ENV, type ShellOptions } from './shell.js';
export { parseLeadLine, describeType, type LeadLine } from './lead-line.js';
export { COMMANDS, COMMAND_NAMES, helpText, type Command, type CommandName } from './commands.js';
export { SessionError } from './session.js';
