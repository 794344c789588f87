// @ts-check
/**
 * How bin/layerbench.js loads a command's module: from the cached esbuild bundle of
 * src/cli/commands/<name>.ts (src/workflow/bundle.js), under plain Node. From source through tsx a
 * `run` loaded its modules for ~1.4 s of CPU before Plan (plus ~0.75 s in tsx's loader thread) and
 * ~0.45 s more for Aggregate and Report; the bundle is one file, read and compiled lazily by V8.
 * Where esbuild or the cache directory is not available, or LAYERBENCH_CLI_BUNDLE=0, tsx is
 * registered and the source imported, as before.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { moduleBundle } from '../workflow/bundle.js';

/** @type {Promise<unknown> | undefined} */
let typescript;

/**
 * The command's module, from its bundle or (when there is none) its source.
 * @type {import('./program.js').LoadCommand}
 */
export async function loadCommand(name, fromSource) {
  if (process.env.LAYERBENCH_CLI_BUNDLE !== '0') {
    const file = await moduleBundle({ name: `cli-${name}`, entry: fileURLToPath(new URL(`./commands/${name}.ts`, import.meta.url)) });
    if (file !== undefined) return import(pathToFileURL(file).href);
  }
  typescript ??= import('tsx/esm/api').then((tsx) => tsx.register());
  await typescript;
  return fromSource();
}
