/**
 * The `layerbench` command line from source, for `tsx src/cli/main.ts …` and for tests (`main(argv)`
 * runs it in-process). The command table is src/cli/program.js; bin/layerbench.js (npm start, npm run
 * layerbench) uses it directly, so that help and usage errors start without a TypeScript loader and
 * commands run from their bundles.
 */
import { main } from './program.js';

export { main } from './program.js';

const isEntry = process.argv[1] !== undefined && /main\.ts$/.test(process.argv[1]);
if (isEntry) {
  process.exitCode = await main(process.argv);
}
