/**
 * How the Lambda handlers are bundled: one set of esbuild options, used by the stack's NodejsFunctions
 * and by the test that proves each bundle runs from an empty directory (test/functions.bundle.test.ts).
 *
 * ESM output (`index.mjs`): some dependencies use top-level await (vega-canvas, via the report), which
 * a CommonJS bundle cannot hold. CommonJS code inside the bundle (the emscripten glue of
 * @tensorflow/tfjs-backend-wasm, much of the SDK) still finds `require`, `__filename` and `__dirname`:
 * the banner defines them from `import.meta.url`. The AWS SDK is bundled (pinned by our lockfile)
 * rather than taken from the runtime. `@tensorflow/tfjs-node` stays external: the zip function has no
 * native TensorFlow and falls back to wasm; the container image has it in node_modules.
 *
 * Lean by default: no source maps (11–15 MB per bundle, and Node's --enable-source-maps costs memory
 * and start-up time; context `sourceMaps=true` turns them back on), and tfjs's WebGL backend is
 * replaced by a stub (functions/shared/no-webgl.ts): there is no WebGL on Lambda.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const HANDLERS = ['plan', 'train', 'record-failure', 'aggregate', 'report'] as const;
export type HandlerName = (typeof HANDLERS)[number];

/**
 * The steps the stack runs as functions. Finalize has no bundle of its own: it is the train bundle's
 * `finalize` export, deployed as a second function with Train's memory, timeout and runtime.
 */
export const STEP_FUNCTIONS = [...HANDLERS, 'finalize'] as const;
export type StepFunctionName = (typeof STEP_FUNCTIONS)[number];

/** `functions/<name>/index.ts`, absolute. */
export function handlerEntry(name: HandlerName): string {
  return join(PROJECT_ROOT, 'functions', name, 'index.ts');
}

/** What replaces @tensorflow/tfjs-backend-webgl in the bundles. */
export const NO_WEBGL_STUB = join(PROJECT_ROOT, 'functions', 'shared', 'no-webgl.ts');
export const ALIASES = { '@tensorflow/tfjs-backend-webgl': NO_WEBGL_STUB } as const;

/** The wasm binaries of @tensorflow/tfjs-backend-wasm; the train handler loads them from its own directory. */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/** Node.js 22 is the Lambda runtime; esbuild targets the same line. */
export const NODE_TARGET = 'node22';
export const EXTERNAL_MODULES = ['@tensorflow/tfjs-node'] as const;

/** CommonJS's module-scope names, for the CommonJS code inside an ESM bundle. */
export const ESM_BANNER =
  "import { createRequire as __lbCreateRequire } from 'node:module';" +
  "import { fileURLToPath as __lbFileURLToPath } from 'node:url';" +
  "import { dirname as __lbDirname } from 'node:path';" +
  'const require = __lbCreateRequire(import.meta.url);' +
  'const __filename = __lbFileURLToPath(import.meta.url);' +
  'const __dirname = __lbDirname(__filename);';

/** The file NodejsFunction writes for ESM output. */
export const BUNDLE_FILE = 'index.mjs';

/** The shared esbuild settings, in esbuild's own vocabulary. */
export const ESBUILD_SETTINGS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  banner: { js: ESM_BANNER },
  target: NODE_TARGET,
  minify: true,
  sourcemap: false,
  keepNames: true,
  mainFields: ['module', 'main'],
  external: [...EXTERNAL_MODULES],
  alias: { ...ALIASES },
} as const satisfies BuildOptions;

/**
 * The same settings as NodejsFunction bundling options; `wasm` adds the copy of the wasm binaries,
 * `sourceMaps` writes index.mjs.map beside the bundle (off by default).
 */
export function nodejsBundling(opts: { wasm?: boolean; sourceMaps?: boolean } = {}): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    banner: ESM_BANNER,
    target: ESBUILD_SETTINGS.target,
    minify: ESBUILD_SETTINGS.minify,
    sourceMap: opts.sourceMaps ?? ESBUILD_SETTINGS.sourcemap,
    keepNames: ESBUILD_SETTINGS.keepNames,
    mainFields: [...ESBUILD_SETTINGS.mainFields],
    externalModules: [...ESBUILD_SETTINGS.external],
    esbuildArgs: Object.fromEntries(Object.entries(ALIASES).map(([from, to]) => [`--alias:${from}`, to])),
    bundleAwsSDK: true,
    commandHooks: opts.wasm ? copyWasmHooks : undefined,
  };
}

const copyWasmHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string) => WASM_FILES.map((f) => `cp "${inputDir}/node_modules/@tensorflow/tfjs-backend-wasm/dist/${f}" "${outputDir}/${f}"`),
};
