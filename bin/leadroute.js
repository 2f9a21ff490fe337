#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the `prepare` script).
import { main } from '../dist/src/cli/index.js';

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
