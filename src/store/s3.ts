/**
 * The S3 store: the same key layout as the local directory, under `s3://bucket/prefix`.
 *
 * Failures are classified as src/errors.ts says (classifyS3Error): a missing key is a NotFoundError,
 * throttling, 5xx, timeouts and network failures a TransientError (Retry), a missing bucket, refused
 * credentials or a denied request a StoreError with a hint (failing at once), anything else a fatal
 * StoreError whose message names the object.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { errorMessage, LayerbenchError, NotFoundError, permanentStoreError, SpecError, StoreError, TransientError } from '../errors.js';
import { assertKey } from './keys.js';
import type { Store } from './store.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing '/'. */
  prefix?: string;
  client?: S3Client;
  /** MaxKeys per ListObjectsV2 page (S3's own default is 1000). */
  pageSize?: number;
}

/**
 * Every object under `runs/<runId>/models/` is written with this tag: S3 lifecycle rules filter by
 * prefix or by tag, `runs/*\/models/` is no prefix, and the deployed bucket expires tagged models
 * after a number of days (infra/constructs/data-bucket.ts).
 */
export const MODEL_OBJECT_TAG = { key: 'layerbench-class', value: 'model' } as const;
/** The same for checkpoints (`runs/<runId>/checkpoints/`): a run deletes its own when it ends, the lifecycle rule those of runs that never end. */
export const CHECKPOINT_OBJECT_TAG = { key: 'layerbench-class', value: 'checkpoint' } as const;
const OBJECT_TAGS: [RegExp, { key: string; value: string }][] = [
  [/^runs\/[^/]+\/models\//, MODEL_OBJECT_TAG],
  [/^runs\/[^/]+\/checkpoints\//, CHECKPOINT_OBJECT_TAG],
];

/** The Tagging header of an object written at `key`, if its kind is tagged. */
function taggingFor(key: string): { Tagging: string } | Record<string, never> {
  const tag = OBJECT_TAGS.find(([pattern]) => pattern.test(key))?.[1];
  return tag ? { Tagging: `${tag.key}=${tag.value}` } : {};
}

export class S3Store implements Store {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  private readonly pageSize: number | undefined;

  constructor(opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    this.prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.client = opts.client ?? makeS3Client();
    this.pageSize = opts.pageSize;
  }

  get location(): string {
    return this.prefix ? `s3://${this.bucket}/${this.prefix}` : `s3://${this.bucket}`;
  }

  private objectKey(key: string): string {
    assertKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async get(key: string): Promise<Uint8Array> {
    const Key = this.objectKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!out.Body) return new Uint8Array();
      return await out.Body.transformToByteArray();
    } catch (e) {
      throw this.failure(e, 'get', key);
    }
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    const Key = this.objectKey(key);
    const ContentType = contentType ?? guessContentType(key, body);
    const Body = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body,
          ContentType,
          ContentLength: Body.byteLength,
          ...taggingFor(key),
        }),
      );
    } catch (e) {
      throw this.failure(e, 'put', key);
    }
  }

  /**
   * PutObject with `If-None-Match: *`: S3 answers 412 PreconditionFailed when the key exists (false
   * here) and 409 ConditionalRequestConflict while another conditional write of the key is in
   * flight (a TransientError: retried, the next attempt sees the winner's object).
   */
  async putIfAbsent(key: string, body: Uint8Array | string, contentType?: string): Promise<boolean> {
    const Key = this.objectKey(key);
    const ContentType = contentType ?? guessContentType(key, body);
    const Body = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body, ContentType, ContentLength: Body.byteLength, IfNoneMatch: '*' }));
      return true;
    } catch (e) {
      const { name, $metadata } = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorShape;
      if (name === 'PreconditionFailed' || $metadata?.httpStatusCode === 412) return false;
      if (name === 'ConditionalRequestConflict' || $metadata?.httpStatusCode === 409) {
        throw new TransientError(`put ${this.location}/${key}: ${name ?? 'Conflict'}: another conditional write of this key is in flight`, e);
      }
      throw this.failure(e, 'put', key);
    }
  }

  /** DeleteObject: S3 answers 204 whether or not the key existed (in a versioned bucket it adds a delete marker). */
  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (e) {
      const failure = this.failure(e, 'delete', key);
      if (!(failure instanceof NotFoundError)) throw failure;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.head(key);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const Prefix = this.prefix ? `${this.prefix}/${prefix}` : prefix;
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    const out: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken, MaxKeys: this.pageSize }));
      } catch (e) {
        throw this.failure(e, 'list', prefix);
      }
      for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key.slice(strip));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return out.sort();
  }

  async version(key: string): Promise<string> {
    const etag = await this.head(key);
    return etag.replace(/"/g, '');
  }

  private async head(key: string): Promise<string> {
    const Key = this.objectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return out.ETag ?? '';
    } catch (e) {
      const failure = this.failure(e, 'head', key);
      if (failure instanceof NotFoundError) await this.checkBucket();
      throw failure;
    }
  }

  /** Whether the bucket exists is checked once: HEAD answers 404 for a missing bucket as for a missing key. */
  private bucketFound = false;

  /** A missing bucket (or refused credentials) as its own error, not as "the key is not found" (one ListObjectsV2, once). */
  private async checkBucket(): Promise<void> {
    if (this.bucketFound) return;
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: 1, ...(this.prefix ? { Prefix: `${this.prefix}/` } : {}) }));
      this.bucketFound = true;
    } catch (e) {
      throw this.failure(e, 'list', '');
    }
  }

  private failure(err: unknown, op: string, key: string): Error {
    return classifyS3Error(err, { op, key, location: this.location });
  }
}

/** S3 error codes that mean "slow down and try again". */
const RETRYABLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** Node socket errors that a retry may cure. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** What to do about a missing region (the SDK's own message says only "Region is missing"). */
export const S3_REGION_HINT = 'set AWS_REGION (any region works for an S3-compatible endpoint named by AWS_ENDPOINT_URL_S3)';

/** Error codes that say the credentials themselves were refused (S3's, STS's, the SDK's credential chain's). */
const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthorizationHeaderMalformed',
]);
/** Error codes that say the credentials were fine but may not do this. */
const PERMISSION_CODES = new Set(['AccessDenied', 'AllAccessDisabled', 'AccountProblem', 'InvalidObjectState']);

/**
 * Turns an S3 SDK failure into a layerbench error (the classification of src/errors.ts): NotFoundError
 * for a missing key; TransientError for throttling, 5xx, timeouts and a service that cannot be reached
 * (retried); a StoreError with its hint for a missing bucket, refused credentials or a denied request
 * (never retried); otherwise a fatal StoreError naming the object. A HEAD request's 403 has no body,
 * so no code (the SDK says "Unknown: UnknownError"): it is said as what it is, access denied. Our own
 * errors pass through unchanged.
 */
export function classifyS3Error(err: unknown, ctx: { op: string; key: string; location: string }): Error {
  if (err instanceof LayerbenchError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const where = `${ctx.op} ${ctx.location}/${ctx.key}`;
  if (name === 'NoSuchKey' || (name !== 'NoSuchBucket' && status === 404)) {
    return new NotFoundError(ctx.key, ctx.location);
  }
  if (errorMessage(err) === 'Region is missing') {
    return new StoreError(`${where}: no AWS region; ${S3_REGION_HINT}`, err);
  }
  // The SDK's own text for a bodiless response is "UnknownError": say the status instead.
  const said = name === 'Unknown' || errorMessage(err) === 'UnknownError' ? `HTTP ${status ?? '?'} without an error code` : `${name}: ${errorMessage(err)}`;
  if (name === 'NoSuchBucket') return permanentStoreError('noBucket', where, said, err);
  if (name === 'CredentialsProviderError') return permanentStoreError('credentials', where, `none found: ${errorMessage(err)}`, err);
  if (CREDENTIAL_CODES.has(name) || (e.code !== undefined && CREDENTIAL_CODES.has(e.code))) return permanentStoreError('credentials', where, said, err);
  if (PERMISSION_CODES.has(name)) return permanentStoreError('permission', where, said, err);
  if (status === 403) return permanentStoreError('credentials', where, `access denied, ${said}: the credentials are wrong or may not use this bucket`, err);
  if (RETRYABLE_CODES.has(name) || (e.code !== undefined && NETWORK_CODES.has(e.code)) || status === 429 || (status !== undefined && status >= 500) || e.$retryable !== undefined) {
    return new TransientError(`${where}: ${said}`, err);
  }
  return new StoreError(`${where}: ${said}`, err);
}

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  csv: 'text/csv',
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  py: 'text/x-python; charset=utf-8',
};

function guessContentType(key: string, body: Uint8Array | string): string {
  const ext = key.includes('.') ? key.slice(key.lastIndexOf('.') + 1).toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
}

/** The S3-related environment, read once. */
export interface S3Environment {
  /** AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. */
  endpoint?: string;
  /** AWS_REGION. */
  region?: string;
}

/** Reads the S3 environment; a malformed endpoint URL fails here with a message naming the variable. */
export function readS3Environment(env: NodeJS.ProcessEnv = process.env): S3Environment {
  const region = env.AWS_REGION || undefined;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return { region };
  for (const name of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const) {
    const value = env[name];
    if (!value) continue;
    if (!URL.canParse(value)) throw new SpecError(`${name}: not a URL (${JSON.stringify(value)})`);
    return { endpoint: value, region };
  }
  return { region };
}

/**
 * An S3 client for layerbench. The SDK itself reads AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (see
 * @smithy/core getEndpointUrlConfig), so the endpoint is only passed on when given explicitly; when an
 * endpoint is in play (s3rver, MinIO, LocalStack) path-style addressing is forced and a region
 * defaulted. Checksums are computed only when an operation requires them (s3rver rejects the rest).
 */
export function makeS3Client(opts: { endpoint?: string; region?: string; config?: S3ClientConfig } = {}): S3Client {
  const env = readS3Environment();
  const customEndpoint = opts.endpoint ?? env.endpoint;
  const region = opts.region ?? env.region ?? (customEndpoint ? 'us-east-1' : undefined);
  return new S3Client({
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(region ? { region } : {}),
    ...(customEndpoint ? { forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...opts.config,
  });
}
