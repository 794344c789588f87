/**
 * How a pool worker process is started. Run from TypeScript source, a worker would load every module
 * through tsx's loader and tfjs through Node's ESM loader: ~2 s of CPU per worker before it trains
 * anything. Instead the worker (src/workflow/worker.ts and what it imports from src/) runs from the
 * cached esbuild bundle that src/workflow/bundle.js builds, under plain Node: ~0.8 s. Where the worker
 * is already JavaScript, or esbuild or the cache directory is not available, or
 * LAYERBENCH_WORKER_BUNDLE=0, the worker runs from source through tsx.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleSync } from './bundle.js';

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

function bundledEntry(): WorkerEntry | undefined {
  const source = fileURLToPath(new URL('./worker.ts', import.meta.url));
  if (!source.endsWith('.ts') || process.env['LAYERBENCH_WORKER_BUNDLE'] === '0') return undefined;
  const bundle = bundleSync({ name: 'worker', entry: source });
  return bundle === undefined ? undefined : { filename: pathToFileURL(bundle).href, execArgv: V8_FLAGS, kind: 'bundle' };
}
