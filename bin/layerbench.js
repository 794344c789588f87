#!/usr/bin/env node
// The launcher. The command table is plain JavaScript, so help, --version and usage errors need no
// TypeScript loader; tsx is registered only when a command runs (its own start costs ~0.3 s).
import { main } from '../src/cli/program.js';

process.exitCode = await main(process.argv, {
  loadTypeScript: async () => (await import('tsx/esm/api')).register(),
});
