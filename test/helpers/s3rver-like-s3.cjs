'use strict';
/**
 * Makes s3rver 3.7 behave as S3 does where our tests depend on it.
 *
 * Atomic writes (`atomicPuts`): S3 shows an object whole or not at all. s3rver writes an object's
 * file (and its metadata) in place, and answers before the file is flushed, so a GET racing a PUT
 * of the same key — duplicate executions writing the same document — could read it half-written.
 * Here each file is written beside its place and renamed over it. And s3rver's GET takes the size
 * from one stat of the path and then opens the path again: when a PUT's rename falls between the
 * two, it sends the new version cut to the old one's length (or too short, and the read aborts).
 * Here a GET opens the file once and takes the size from what it opened.
 *
 * Conditional writes (`honourIfNoneMatch`): S3 honours `If-None-Match: *` on PutObject ("Conditional writes", S3 user
 * guide): when the key holds an object the PUT fails with 412 PreconditionFailed and writes nothing.
 * s3rver itself ignores the header. Conditional PUTs of one key are served one at a time, so of
 * simultaneous ones exactly one creates the object (S3 may instead answer 409 ConditionalRequestConflict
 * to the others while one is in flight; the store retries those, and its retry sees the winner).
 *
 * A Koa middleware placed just before s3rver's router (test/helpers/s3rver.ts installs it, in the
 * child process or in process). CommonJS: the child process requires it by path.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Readable, Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const S3Error = require('s3rver/lib/models/error');
const S3Object = require('s3rver/lib/models/object');

let written = 0;

/** Writes `content` (a Buffer, a string or a stream) to a file beside `path`, then renames it over `path`. */
async function writeWhole(path, content, hashing) {
  const partial = `${path}.partial-${process.pid}-${++written}`;
  const source = typeof content === 'string' || Buffer.isBuffer(content) ? Readable.from([content]) : content;
  try {
    await pipeline(source, ...(hashing ? [hashing] : []), fs.createWriteStream(partial));
    await fs.promises.rename(partial, path);
  } catch (e) {
    await fs.promises.rm(partial, { force: true });
    throw e;
  }
}

/** s3rver's FilesystemStore.putObject and putMetadata, each file written whole, and getObject, sized from the file it reads (see the header). */
function atomicPuts(server) {
  const store = server.store;
  store.putObject = async function putObject(object) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
    const md5 = crypto.createHash('md5');
    let size = 0;
    const hashing = new Transform({
      transform(chunk, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    await writeWhole(objectPath, object.content, hashing);
    const digest = md5.digest('hex');
    await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
  store.putMetadata = async function putMetadata(bucket, key, metadata, md5) {
    // What s3rver keeps: its allowed headers and the user's x-amz-meta-*.
    const kept = Object.fromEntries(Object.entries(metadata ?? {}).filter(([k, v]) => v !== undefined && (S3Object.ALLOWED_METADATA.includes(k) || k.startsWith('x-amz-meta-'))));
    if (md5) await writeWhole(this.getResourcePath(bucket, key, 'object.md5'), md5);
    await writeWhole(this.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(kept, null, 2));
  };
  store.getObject = async function getObject(bucket, key, options) {
    let file;
    try {
      file = await fs.promises.open(this.getResourcePath(bucket, key, 'object'), 'r');
    } catch (err) {
      if (err.code === 'ENOENT') return null;
      throw err;
    }
    try {
      const stat = await file.stat();
      // As s3rver's getObject from here on, with this file's size and time.
      const metadata = { ...(await this.getMetadata(bucket, key)), 'content-length': stat.size, 'last-modified': stat.mtime.toUTCString() };
      const lastByte = Math.max(0, stat.size - 1);
      const range = { start: options?.start || 0, end: Math.min(options?.end || Number.POSITIVE_INFINITY, lastByte) };
      const ranged = options && (options.start !== undefined || options.end);
      const satisfiable = range.start >= 0 && range.start <= range.end;
      const object = new S3Object(bucket, key, satisfiable ? file.createReadStream(range) : null, metadata);
      if (!satisfiable) await file.close();
      if (ranged) object.range = range;
      return object;
    } catch (err) {
      await file.close();
      if (err.code === 'ENOENT') return null;
      throw err;
    }
  };
  return server;
}

/** Per "bucket/key", the promise the next conditional PUT of that key waits for. */
function keyLocks() {
  const tails = new Map();
  return async (name, fn) => {
    const before = tails.get(name) ?? Promise.resolve();
    let release;
    const mine = new Promise((r) => (release = r));
    const tail = before.then(() => mine);
    tails.set(name, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (tails.get(name) === tail) tails.delete(name);
    }
  };
}

/** Path-style `/bucket/key…` → [bucket, key] (the key decoded as s3rver's router decodes it). */
function bucketAndKey(path) {
  const m = /^\/([^/]+)\/(.+)$/.exec(path);
  return m ? [decodeURIComponent(m[1]), decodeURIComponent(m[2])] : undefined;
}

/** A plain PutObject: no multipart part, tagging or ACL subresource, no copy. */
function isPutObject(ctx) {
  if (ctx.method !== 'PUT' || 'x-amz-copy-source' in ctx.headers) return false;
  return !['uploadId', 'partNumber', 'tagging', 'acl'].some((q) => q in ctx.query);
}

function honourIfNoneMatch(server) {
  const withKey = keyLocks();
  const conditional = async (ctx, next) => {
    const target = isPutObject(ctx) && ctx.get('if-none-match') === '*' ? bucketAndKey(ctx.path) : undefined;
    if (!target) return next();
    const [bucket, key] = target;
    return withKey(`${bucket}/${key}`, async () => {
      if (await ctx.store.existsObject(bucket, key)) {
        ctx.req.resume(); // the body is not wanted
        throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
      }
      await next();
    });
  };
  // s3rver's router is the last middleware its constructor adds: run just before it.
  server.middleware.splice(server.middleware.length - 1, 0, conditional);
  return server;
}

module.exports = { atomicPuts, honourIfNoneMatch };
