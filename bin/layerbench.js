#!/usr/bin/env node
// The launcher. The command table is plain JavaScript, so help, --version and usage errors load
// neither a TypeScript loader nor the bundler; a command runs from its cached bundle under plain
// Node (src/cli/load-command.js), or from source through tsx where there is none.
import { main } from '../src/cli/program.js';

process.exitCode = await main(process.argv, {
  loadCommand: async (name, fromSource) => (await import('../src/cli/load-command.js')).loadCommand(name, fromSource),
});
