/**
 * The four Lambda bundles exactly as the stack deploys them (the NodejsFunctions' own esbuild run
 * during `synth` with bundling on), built once per content and shared by the test files that need
 * them (test/functions.bundle.test.ts, test/infra.e2e.test.ts) — like CDK's own asset cache.
 *
 * The cache key hashes everything that goes into a bundle: src/, functions/, infra/, cdk.json and
 * package-lock.json. Test files running in parallel wait for one another through a lock directory.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HANDLERS, PROJECT_ROOT } from '../../infra/constructs/bundling.js';
import { lambdaAssets, synthLayerbench } from './cfn.js';

export type HandlerName = (typeof HANDLERS)[number];

const CACHE_ROOT = join(PROJECT_ROOT, 'node_modules', '.cache', 'layerbench-lambda-bundles');
const INPUTS = ['src', 'functions', 'infra', 'cdk.json', 'package-lock.json'];

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/** A hash of every input of the bundles. */
export function bundleInputsHash(): string {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap((i) => files(join(PROJECT_ROOT, i)))) {
    h.update(relative(PROJECT_ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 24);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Directories holding each handler's deployed bundle (index.mjs, its source map, and for train the
 * wasm binaries). Treat them as read-only: copy before use (helpers/lambda-bundle.ts does).
 */
export async function deployedBundles(): Promise<Record<HandlerName, string>> {
  const dir = join(CACHE_ROOT, bundleInputsHash());
  const done = join(dir, 'done');
  const lock = `${dir}.lock`;
  mkdirSync(CACHE_ROOT, { recursive: true });
  const paths = Object.fromEntries(HANDLERS.map((name) => [name, join(dir, name)])) as Record<HandlerName, string>;
  for (let _waited = 0; !existsSync(done); _waited += 1000) {
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is building them; a lock older than 10 minutes is left over from a crash.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 600_000) rmSync(lock, { recursive: true, force: true });
      await sleep(1000);
      continue;
    }
    try {
      if (!existsSync(done)) {
        rmSync(dir, { recursive: true, force: true });
        const synth = synthLayerbench({ bundling: true });
        const assets = lambdaAssets(synth);
        for (const name of HANDLERS) cpSync(assets[name], paths[name], { recursive: true });
        rmSync(synth.outdir, { recursive: true, force: true });
        writeFileSync(done, new Date().toISOString());
        pruneOldBuilds(dir);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return paths;
}

/** Bundles of earlier sources (older than an hour, so no running test still uses them) are deleted. */
function pruneOldBuilds(keep: string): void {
  for (const name of readdirSync(CACHE_ROOT)) {
    const path = join(CACHE_ROOT, name);
    if (path === keep || name.endsWith('.lock')) continue;
    const since = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    if (since !== undefined && Date.now() - since > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
}
