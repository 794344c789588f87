/**
 * The `layerbench` command line, for `tsx src/cli/main.ts …` (npm start, npm run layerbench) and for
 * tests (`main(argv)` runs it in-process). The command table is src/cli/program.js; bin/layerbench.js
 * uses it directly so that help and usage errors start without a TypeScript loader.
 */
import { main } from './program.js';

export { buildProgram, EXIT, main } from './program.js';

const isEntry = process.argv[1] !== undefined && /main\.ts$/.test(process.argv[1]);
if (isEntry) {
  process.exitCode = await main(process.argv);
}
