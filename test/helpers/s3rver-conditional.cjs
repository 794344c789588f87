'use strict';
/**
 * Makes s3rver 3.7 honour `If-None-Match: *` on PutObject as S3 does ("Conditional writes", S3 user
 * guide): when the key holds an object the PUT fails with 412 PreconditionFailed and writes nothing.
 * s3rver itself ignores the header. Conditional PUTs of one key are served one at a time, so of
 * simultaneous ones exactly one creates the object (S3 may instead answer 409 ConditionalRequestConflict
 * to the others while one is in flight; the store retries those, and its retry sees the winner).
 *
 * A Koa middleware placed just before s3rver's router (test/helpers/s3rver.ts installs it, in the
 * child process or in process). CommonJS: the child process requires it by path.
 */
const S3Error = require('s3rver/lib/models/error');

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

module.exports = { honourIfNoneMatch };
