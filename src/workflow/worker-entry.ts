/**
 * How a pool worker process is started. Run from TypeScript source, a worker would load every module
 * through tsx's loader, and tfjs' CommonJS bundles through Node's ESM loader (which lexes ~7 MB of
 * them for their export names): ~2 s of CPU per worker before it trains anything. Instead the worker
 * (src/workflow/worker.ts and what it imports from src/) is bundled by esbuild into one CommonJS
 * file and started by plain Node: ~0.8 s. Pure-JavaScript packages go into the bundle too: @stdlib's
 * distributions alone are some 300 small modules, and resolving and reading them one by one cost a
 * worker ~0.4 s of CPU at start (zod ~0.3 s). tfjs (whose wasm backend finds its .wasm files beside
 * its own files) and the AWS SDK stay `require`s of node_modules.
 *
 * The bundle is cached under node_modules/.cache/layerbench/ (one per checkout that shares those
 * node_modules) and rebuilt when any of its sources changed (their modification times, from
 * esbuild's metafile). Where the worker is already
 * JavaScript, or esbuild or the cache directory is not available, the worker runs from source
 * through tsx as before.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerEntry {
  /** The file tinypool loads in each worker process, and the flags the process starts with. */
  filename: string;
  execArgv: string[];
  /** 'bundle': the cached esbuild bundle under plain Node; 'source': worker.ts through tsx. */
  kind: 'bundle' | 'source';
}

const require = createRequire(import.meta.url);

/**
 * V8's young generation capped at 2 MB semi-spaces (Node's default grows them to 16 MB): training
 * keeps few young objects alive, so scavenges stay cheap, and a worker's peak RSS on the MNIST
 * example drops by ~30 MB (321–335 → 289–307 MB per candidate, measured with the same time).
 */
const V8_FLAGS = ['--max-semi-space-size=2'];
let cached: WorkerEntry | undefined;

/** The worker's entry, built (or found up to date) on first use. */
export function workerEntry(): WorkerEntry {
  cached ??= bundledEntry() ?? sourceEntry();
  return cached;
}

function sourceEntry(): WorkerEntry {
  const source = new URL('./worker.ts', import.meta.url);
  if (!source.pathname.endsWith('.ts')) return { filename: source.href, execArgv: V8_FLAGS, kind: 'source' };
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  return { filename: source.href, execArgv: [...V8_FLAGS, '--import', tsx], kind: 'source' };
}

/** Packages the bundle `require`s from node_modules rather than holds (see the top of this file). */
const EXTERNAL_PACKAGES = ['@tensorflow/*', '@aws-sdk/*', '@smithy/*', 'tinypool'];
/** Bumped when the build settings change, so that a bundle cached with the old ones is rebuilt. */
const BUILD = `2:${EXTERNAL_PACKAGES.join(',')}`;

interface Manifest {
  esbuild: string;
  build?: string;
  inputs: string[];
}

/** True when the bundle exists, was built by this esbuild, and no input changed after it. */
function upToDate(bundle: string, manifestFile: string, esbuildVersion: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if (manifest.esbuild !== esbuildVersion || manifest.build !== BUILD) return false;
    const built = statSync(bundle).mtimeMs;
    return manifest.inputs.every((file) => statSync(file).mtimeMs < built);
  } catch {
    return false;
  }
}

function bundledEntry(): WorkerEntry | undefined {
  const source = fileURLToPath(new URL('./worker.ts', import.meta.url));
  if (!source.endsWith('.ts') || process.env['LAYERBENCH_WORKER_BUNDLE'] === '0') return undefined;
  try {
    const esbuild = require('esbuild') as typeof import('esbuild');
    // Next to the packages the bundle requires, so that Node resolves them from there.
    const modules = resolve(dirname(require.resolve('@tensorflow/tfjs/package.json')), '..', '..');
    const dir = join(modules, '.cache', 'layerbench');
    const checkout = createHash('sha256').update(source).digest('hex').slice(0, 12);
    const bundle = join(dir, `worker-${checkout}.cjs`);
    const manifestFile = join(dir, `worker-${checkout}.json`);
    if (!upToDate(bundle, manifestFile, esbuild.version)) {
      mkdirSync(dir, { recursive: true });
      // Built beside its final name and renamed: two runs starting at once never load half a file.
      const temp = `${bundle}.${process.pid}.tmp`;
      const result = esbuild.buildSync({
        entryPoints: [source],
        bundle: true,
        external: EXTERNAL_PACKAGES,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        outfile: temp,
        metafile: true,
        logLevel: 'silent',
      });
      const root = process.cwd();
      const inputs = Object.keys(result.metafile.inputs).map((file) => resolve(root, file));
      renameSync(temp, bundle);
      writeFileSync(manifestFile, JSON.stringify({ esbuild: esbuild.version, build: BUILD, inputs } satisfies Manifest));
    }
    return { filename: pathToFileURL(bundle).href, execArgv: V8_FLAGS, kind: 'bundle' };
  } catch {
    return undefined;
  }
}
