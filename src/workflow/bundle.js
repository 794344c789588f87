// @ts-check
/**
 * esbuild bundles of layerbench's own programs, cached under node_modules/.cache/layerbench/. Run from
 * TypeScript source, a process loads every module through tsx's loader, and tfjs' CommonJS bundles
 * through Node's ESM loader (which lexes ~7 MB of them for their export names): seconds of CPU before
 * it does anything. One CommonJS file started by plain Node loads in a fraction of that. Two programs
 * use it: the pool's worker (src/workflow/worker-entry.ts) and the CLI's commands (bin/layerbench.js).
 *
 * Pure-JavaScript packages go into a bundle too: @stdlib's distributions alone are some 300 small
 * modules, and resolving and reading them one by one cost a process ~0.4 s of CPU at start (zod ~0.3 s).
 * tfjs (whose wasm backend finds its .wasm files beside its own files) and the AWS SDK stay `require`s
 * of node_modules: the bundle sits next to them so that Node resolves them from there.
 *
 * A bundle is rebuilt when any of its sources changed (their modification times, from esbuild's
 * metafile), when esbuild's version or the build settings change, and never half-read: it is written
 * beside its final name and renamed. Plain JavaScript (type-checked through JSDoc) because
 * bin/layerbench.js loads it before any TypeScript loader.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** Packages a bundle `require`s from node_modules rather than holds (see the top of this file). */
export const EXTERNAL_PACKAGES = ['@tensorflow/*', '@aws-sdk/*', '@smithy/*', 'tinypool'];
/** Bumped when the build settings change, so that a bundle cached with the old ones is rebuilt. */
const BUILD = `3:${EXTERNAL_PACKAGES.join(',')}`;
const CJS_BUILD = `${BUILD}:require-imports`;

/**
 * @typedef {object} BundleRequest
 * @property {string} name what the bundle is, part of its file name ('worker', 'cli-run')
 * @property {string} entry the absolute path of the entry module
 */

/**
 * @typedef {object} Manifest
 * @property {string} esbuild
 * @property {string} [build]
 * @property {string[]} inputs
 */

/** @returns {typeof import('esbuild')} */
function loadEsbuild() {
  return require('esbuild');
}

/**
 * Where a bundle and its manifest go: beside the packages it requires, one per checkout (several
 * checkouts may share node_modules).
 * @param {BundleRequest} request @param {string} [extension]
 */
function paths(request, extension = '.cjs') {
  const modules = resolve(dirname(require.resolve('@tensorflow/tfjs/package.json')), '..', '..');
  const dir = join(modules, '.cache', 'layerbench');
  const checkout = createHash('sha256').update(request.entry).digest('hex').slice(0, 12);
  return { dir, bundle: join(dir, `${request.name}-${checkout}${extension}`), manifest: join(dir, `${request.name}-${checkout}.json`) };
}

/**
 * True when the bundle exists, was built by this esbuild with these settings, and no input changed after it.
 * @param {string} bundle @param {string} manifestFile @param {string} esbuildVersion @param {string} build
 */
function upToDate(bundle, manifestFile, esbuildVersion, build) {
  try {
    const manifest = /** @type {Manifest} */ (JSON.parse(readFileSync(manifestFile, 'utf8')));
    if (manifest.esbuild !== esbuildVersion || manifest.build !== build) return false;
    const built = statSync(bundle).mtimeMs;
    return manifest.inputs.every((file) => statSync(file).mtimeMs < built);
  } catch {
    return false;
  }
}

/**
 * Creates the cache directory, or throws when it cannot be written (node_modules installed read-only):
 * found before a build that could not be kept, so that such a run goes on from source at once.
 * @param {string} dir
 */
function writable(dir) {
  mkdirSync(dir, { recursive: true });
  accessSync(dir, constants.W_OK);
}

/** @param {string} temp */
function options(temp) {
  return /** @type {const} */ ({
    bundle: true,
    external: EXTERNAL_PACKAGES,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: temp,
    metafile: true,
    logLevel: 'silent',
  });
}

/**
 * Move the built file into place and record what it was built from.
 * @param {{ bundle: string; manifest: string }} where @param {string} temp @param {import('esbuild').Metafile} metafile @param {string} esbuildVersion @param {string} build
 */
function commit(where, temp, metafile, esbuildVersion, build) {
  const root = process.cwd();
  // A plugin's module has no file: for a package required lazily ('required:@tensorflow/tfjs'), the
  // package's main file stands for it (its exports were listed from this install: reinstalled, rebuilt).
  const inputs = Object.keys(metafile.inputs)
    .map((file) => {
      const required = /^required:(.+)$/.exec(file);
      if (required) return require.resolve(/** @type {string} */ (required[1]));
      return /^[\w-]+:/.test(file) ? undefined : resolve(root, file);
    })
    .filter((file) => file !== undefined);
  renameSync(temp, where.bundle);
  writeFileSync(where.manifest, JSON.stringify(/** @type {Manifest} */ ({ esbuild: esbuildVersion, build, inputs })));
}

/**
 * The bundle of `request.entry` (built, or found up to date), synchronously: for a program whose
 * sources never read `import.meta.url` (the pool's worker). Undefined when esbuild or the cache
 * directory is not available.
 * @param {BundleRequest} request
 * @returns {string | undefined} the bundle's absolute path
 */
export function bundleSync(request) {
  try {
    const esbuild = loadEsbuild();
    const where = paths(request);
    if (!upToDate(where.bundle, where.manifest, esbuild.version, CJS_BUILD)) {
      writable(where.dir);
      const temp = `${where.bundle}.${process.pid}.tmp`;
      // `import()` of a package becomes `require`: Node's ESM loader would read and lex tfjs' CommonJS
      // for its export names at a worker's first model save (~0.5 CPU-s per process), tfjs required already.
      const result = esbuild.buildSync({ ...options(temp), supported: { 'dynamic-import': false }, entryPoints: [request.entry] });
      commit(where, temp, result.metafile, esbuild.version, CJS_BUILD);
    }
    return where.bundle;
  } catch {
    return undefined;
  }
}

const MODULE_BUILD = `${BUILD}:esm-lazy:2`;

/** The expression, not its name quoted in a string or a comment. */
const IMPORT_META_URL = /(?<![\w'"`.])import\.meta\.url(?![\w'"`])/;

/**
 * `import.meta.url` in each bundled file becomes that file's own URL, as it is when the file runs
 * from source: paths beside a module (the worker's source, the examples' data, a package's files)
 * resolve as before, not beside the bundle.
 * @type {import('esbuild').Plugin}
 */
const importMetaUrl = {
  name: 'import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!IMPORT_META_URL.test(text)) return undefined;
      const loader = /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js';
      return { contents: text.replace(new RegExp(IMPORT_META_URL, 'g'), JSON.stringify(pathToFileURL(args.path).href)), loader };
    });
  },
};

/** The CommonJS packages among EXTERNAL_PACKAGES (tinypool is an ES module). */
const REQUIRED = /^@(tensorflow|aws-sdk|smithy)\//;

/**
 * A CommonJS module standing for package `name`: its exports (listed now, at build time) are getters
 * that `require` the package on first use. A bundle's static imports run when it loads; the run
 * command's, for one, name the S3 client (src/store/s3.ts) and the Lambda client
 * (aws-local-stepfunctions), ~0.1 s of CPU each to load, which a run on a local store never calls.
 * @param {string} name
 */
function lazyRequire(name) {
  const mod = require(name);
  const keys = Object.getOwnPropertyNames(mod).filter((key) => key !== '__esModule' && key !== 'default');
  const esModule = mod.__esModule === true ? "Object.defineProperty(module.exports, '__esModule', { value: true });\n" : '';
  const hasDefault = Object.hasOwn(mod, 'default') ? ', "default"' : '';
  return `let loaded;
const load = () => (loaded ??= require(${JSON.stringify(name)}));
${esModule}for (const key of ${JSON.stringify(keys).slice(0, -1)}${hasDefault}]) Object.defineProperty(module.exports, key, { enumerable: true, get: () => load()[key] });
`;
}

/**
 * An ES module bundle `import`s its external packages, and Node's ESM loader would lex each CommonJS
 * one (tfjs: megabytes) for its export names. These are `require`d instead, when first used
 * (lazyRequire), through a CommonJS module per package that esbuild's interop turns into named imports.
 * @type {import('esbuild').Plugin}
 */
const requireExternals = {
  name: 'require-externals',
  setup(build) {
    build.onResolve({ filter: REQUIRED }, (args) => (args.namespace === 'required' ? { path: args.path, external: true } : { path: args.path, namespace: 'required' }));
    build.onLoad({ filter: /.*/, namespace: 'required' }, (args) => ({ contents: lazyRequire(args.path), loader: 'js' }));
  },
};

/** `require` for the bundle's CommonJS code, resolving beside the bundle (`import.meta` spelt apart: this file is bundled too). */
const META = 'import.meta';
const REQUIRE_BANNER = `import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(${META}.url);`;

/**
 * The ES module bundle of `request.entry` (built, or found up to date), for a program that needs what
 * a CommonJS bundle cannot hold: top-level await (vega-canvas has one) and `import.meta.url`
 * (esbuild's plugins need its asynchronous build). `require` is defined in the bundle for the
 * CommonJS packages it holds and requires. Undefined when esbuild or the cache directory is not
 * available, or the entry cannot be bundled.
 * @param {BundleRequest} request
 * @returns {Promise<string | undefined>} the bundle's absolute path
 */
export async function moduleBundle(request) {
  try {
    const esbuild = loadEsbuild();
    const where = paths(request, '.mjs');
    if (!upToDate(where.bundle, where.manifest, esbuild.version, MODULE_BUILD)) {
      writable(where.dir);
      const temp = `${where.bundle}.${process.pid}.tmp`;
      const result = await esbuild.build({
        ...options(temp),
        format: 'esm',
        external: ['tinypool'],
        entryPoints: [request.entry],
        plugins: [importMetaUrl, requireExternals],
        banner: { js: REQUIRE_BANNER },
      });
      commit(where, temp, result.metafile, esbuild.version, MODULE_BUILD);
    }
    return where.bundle;
  } catch {
    return undefined;
  }
}
