/**
 * A real S3 for tests: s3rver on 127.0.0.1, a random free port, a fresh temp directory, one bucket.
 *
 *   import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';
 *
 *   let s3: S3rverHandle;
 *   beforeAll(async () => { s3 = await startS3rver(); });
 *   afterAll(async () => { await s3?.stop(); });
 *
 *   const store = new S3Store({ bucket: s3.bucket, prefix: 'x', client: s3.client });
 *   // or code under test that builds its own client from the environment:
 *   for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);   // then vi.unstubAllEnvs()
 *   const other = openStore(`s3://${s3.bucket}/x`);
 *   // or a child process (spawn it asynchronously when in-process, see below):
 *   execFile('npx', ['tsx', 'src/cli/main.ts', ...], { env: { ...process.env, ...s3.env } }, cb);
 *
 * `s3.env` holds AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (S3RVER / S3RVER, the
 * only credentials s3rver accepts) and AWS_REGION. `stop()` closes the server, drops keep-alive
 * sockets, destroys the client and deletes the directory; it is safe to call twice.
 *
 * Conditional writes: by default the server honours `If-None-Match: *` on PutObject as S3 does (412
 * PreconditionFailed when the key exists; test/helpers/s3rver-like-s3.cjs adds that to s3rver,
 * which ignores the header). `{ conditionalWrites: false }` gives plain s3rver, a server that ignores
 * it — what the exactly-once tests compare with. Either way an object is written whole, as on S3: a
 * GET racing a PUT of the same key reads the old object or the new one, never half of one.
 *
 * An outage: `await s3.interrupt()` stops the server process (connections are refused, the data
 * stays), `await s3.resume()` starts it again on the same port and directory.
 *
 * By default s3rver runs as a child node process (~0.9 s to start), independent of the test's event
 * loop, so even a synchronous child (execFileSync) can talk to it. `{ mode: 'in-process' }` starts in
 * ~20 ms but has two limits: it answers only while the test's event loop is free (execFileSync/
 * spawnSync against it deadlock), and ListObjectsV2 cannot return a second page — s3rver 3.7 signs
 * continuation tokens with DES, which Node's OpenSSL 3 only offers with --openssl-legacy-provider
 * (jamhall/s3rver#818); the child process gets that flag.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The bucket created at start (the first one when several were asked for). */
  bucket: string;
  /** Every bucket created at start. */
  buckets: string[];
  /** A client configured for this server (path style, WHEN_REQUIRED checksums, s3rver credentials). */
  client: S3Client;
  /** The environment that points the AWS SDK (and so `openStore('s3://…')`) at this server. */
  env: Record<string, string>;
  /** s3rver's data directory. */
  directory: string;
  /** Stop serving (the process exits; its data directory stays). */
  interrupt(): Promise<void>;
  /** Serve again, on the same port, from the same directory. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface S3rverOptions {
  /** Buckets to create; default `['layerbench-test']`. */
  buckets?: string[];
  /** `'process'` (default: a child node process running s3rver's CLI) or `'in-process'` (see above). */
  mode?: 'in-process' | 'process';
  /** Honour `If-None-Match: *` on PutObject as S3 does (default true); false: ignore it, as s3rver does. */
  conditionalWrites?: boolean;
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (opts: { address: string; port: number; silent: boolean; directory: string; configureBuckets: { name: string }[] }) => S3rverInstance;

const require = createRequire(import.meta.url);

export async function startS3rver(opts: S3rverOptions = {}): Promise<S3rverHandle> {
  const buckets = opts.buckets ?? ['layerbench-test'];
  const directory = await mkdtemp(join(tmpdir(), 'layerbench-s3rver-'));
  let closeServer: () => Promise<void>;
  let port: number;
  const conditional = opts.conditionalWrites ?? true;
  const start = (at: number) => (opts.mode === 'in-process' ? runInProcess(directory, buckets, at, conditional) : runChild(directory, buckets, at, conditional));
  try {
    ({ port, close: closeServer } = await start(0));
  } catch (e) {
    await rm(directory, { recursive: true, force: true });
    throw e;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A request the server never answers fails (and is retried) instead of hanging its test until vitest's timeout.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    bucket: buckets[0] ?? '',
    buckets,
    client,
    directory,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    interrupt: () => closeServer(),
    resume: async () => {
      ({ close: closeServer } = await start(port));
    },
    stop: () =>
      (stopped ??= (async () => {
        client.destroy();
        await closeServer();
        await rm(directory, { recursive: true, force: true });
      })()),
  };
}

/** What makes s3rver answer as S3 does (atomic writes; If-None-Match), for the child process to require. */
const LIKE_S3 = require.resolve('./s3rver-like-s3.cjs');
type LikeS3 = { atomicPuts(s: S3rverInstance): void; honourIfNoneMatch(s: S3rverInstance): void };

async function runInProcess(directory: string, buckets: string[], port: number, conditional: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const S3rver = require('s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const likeS3 = require(LIKE_S3) as LikeS3;
  likeS3.atomicPuts(server);
  if (conditional) likeS3.honourIfNoneMatch(server);
  const running = await server.run();
  return {
    port: running.port,
    close: async () => {
      // Keep-alive sockets from SDK clients (ours or the code under test's) would hold close() open.
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}

/**
 * The child runs s3rver and prints its port. It exits when its stdin closes, so it never outlives
 * the test process, however that process ends.
 */
const CHILD_SCRIPT = `
const S3rver = require(process.argv[1]);
const opts = JSON.parse(process.argv[2]);
process.stdin.on('end', () => process.exit(0)).resume();
const server = new S3rver(opts);
const likeS3 = require(process.argv[3]);
likeS3.atomicPuts(server);
if (process.argv[4] === 'conditional') likeS3.honourIfNoneMatch(server);
server.run().then(
  ({ port }) => process.stdout.write('s3rver port ' + port + '\\n'),
  (err) => { console.error(err); process.exit(1); },
);
`;

async function runChild(directory: string, buckets: string[], at: number, conditional: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const opts = { address: '127.0.0.1', port: at, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) };
  // s3rver signs ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its legacy provider.
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT, require.resolve('s3rver'), JSON.stringify(opts), LIKE_S3, conditional ? 'conditional' : 'plain'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /s3rver port (\d+)/.exec(out);
      if (m) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolvePort(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code} before listening:\n${out}`)));
  });
  return { port, close: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.stdin?.end();
  });
}
