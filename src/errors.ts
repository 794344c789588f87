/**
 * One errors module. Every error layerbench raises on purpose is a LayerbenchError with a stable
 * `code`, the process exit code the CLI should use, and a `kind` that says how far the failure
 * reaches:
 *  - `fatal`: the whole sweep cannot run (bad spec, missing or malformed data). Exit 2 in the CLI.
 *  - `candidate`: one candidate failed (NaN loss, out of memory); the others go on.
 *  - `transient`: worth retrying (throttling, a flaky network); mapped to a Step Functions Retry.
 * Library code never calls process.exit.
 */
export type FailureKind = 'fatal' | 'candidate' | 'transient';

/**
 * How much of a value an error message quotes, and how long the message may be: every LayerbenchError
 * is cut to these (a deployed function cuts tighter, see boundedMessage's defaults).
 */
export const MESSAGE_BOUNDS = { quoted: 80, maxLength: 1000 } as const;

export class LayerbenchError extends Error {
  override readonly name: string = 'LayerbenchError';
  readonly code: string;
  readonly kind: FailureKind;
  readonly exitCode: number;

  constructor(message: string, opts: { code: string; kind: FailureKind; exitCode?: number; cause?: unknown }) {
    // One readable line whatever the data: a 10 MB cell quoted in a message is cut to an excerpt.
    super(boundedMessage(message, MESSAGE_BOUNDS), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = opts.code;
    this.kind = opts.kind;
    this.exitCode = opts.exitCode ?? (opts.kind === 'fatal' ? 2 : 1);
  }
}

/** The sweep spec (or a CLI argument) is invalid. The message names the path. */
export class SpecError extends LayerbenchError {
  override readonly name = 'SpecError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'E_SPEC', kind: 'fatal', cause });
  }
}

/** The dataset cannot be read or does not fit the spec. The message names the row or column. */
export class DataError extends LayerbenchError {
  override readonly name = 'DataError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'E_DATA', kind: 'fatal', cause });
  }
}

/** A key is missing from the store. */
export class NotFoundError extends LayerbenchError {
  override readonly name = 'NotFoundError';
  constructor(
    readonly key: string,
    where: string,
  ) {
    super(`${key}: not found in ${where}`, { code: 'E_NOT_FOUND', kind: 'fatal' });
  }
}

/** One candidate failed to train; recorded as failed, the sweep goes on. */
export class CandidateError extends LayerbenchError {
  override readonly name = 'CandidateError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'E_CANDIDATE', kind: 'candidate', cause });
  }
}

/** A failure worth retrying (throttling, network). */
export class TransientError extends LayerbenchError {
  override readonly name = 'TransientError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'E_TRANSIENT', kind: 'transient', cause });
  }
}

/**
 * The store cannot be used: a path that is not a writable directory, a bucket that cannot be reached,
 * and the failures no retry cures (PERMANENT_FAILURES: a full disk, bad credentials…). Never retried:
 * a Train task that meets one stops the run at once (RecordFailure passes it on) with this message.
 */
export class StoreError extends LayerbenchError {
  override readonly name = 'StoreError';
  constructor(
    message: string,
    cause?: unknown,
    readonly failure?: PermanentFailure,
  ) {
    super(message, { code: failure ? PERMANENT_FAILURES[failure].code : 'E_STORE', kind: 'fatal', cause });
  }
}

/**
 * The one classification of failures, for the state machine's Retry (infra/workflow.ts), the local
 * runner (the same definition) and the CLI (exit codes):
 *  - retried: throttling, timeouts, 5xx and a service that cannot be reached — a TransientError, the one
 *    name Retry matches besides Lambda's own service errors (RETRYABLE_ERROR_NAMES);
 *  - permanent: the failures below fail at once, as a StoreError with the real message and a hint;
 *  - everything else is fatal for the sweep (bad input) or a candidate's own failure.
 */
export const PERMANENT_FAILURES = {
  diskFull: { code: 'E_DISK_FULL', what: 'the disk is full', hint: 'free space on the disk that holds the store, or use another store' },
  readOnly: { code: 'E_READ_ONLY', what: 'the file system is read-only', hint: 'the store must be on a writable file system' },
  permission: { code: 'E_PERMISSION', what: 'permission denied', hint: "this user (or the function's role) needs to read and write the store" },
  noBucket: { code: 'E_NO_BUCKET', what: 'the bucket does not exist', hint: 'create it, or correct the bucket name in the store URI' },
  credentials: {
    code: 'E_CREDENTIALS',
    what: 'the AWS credentials were refused',
    hint: 'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE',
  },
} as const;
export type PermanentFailure = keyof typeof PERMANENT_FAILURES;

/** What the state machine retries (with Lambda's own service errors): the name of a TransientError. */
export const RETRYABLE_ERROR_NAMES = ['TransientError'] as const;

/** Operating-system error codes (errno) a later attempt may not meet again: too many open files, a busy or slow file. */
const RETRYABLE_ERRNO = new Set(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN', 'ETIMEDOUT', 'EINTR']);
const PERMANENT_ERRNO: Record<string, PermanentFailure> = { ENOSPC: 'diskFull', EDQUOT: 'diskFull', EROFS: 'readOnly', EACCES: 'permission', EPERM: 'permission' };

/** An operating-system error code: 'retry', a permanent failure, or undefined (neither: a plain StoreError). */
export function errnoFailure(code: string | undefined): 'retry' | PermanentFailure | undefined {
  if (code === undefined) return undefined;
  return RETRYABLE_ERRNO.has(code) ? 'retry' : PERMANENT_ERRNO[code];
}

/** A permanent failure as a StoreError: `<where>: <what> (<detail>); <hint>`. */
export function permanentStoreError(failure: PermanentFailure, where: string, detail: string, cause?: unknown): StoreError {
  const f = PERMANENT_FAILURES[failure];
  return new StoreError(`${where}: ${f.what} (${detail}); ${f.hint}`, cause, failure);
}

/** Whether the state machine's Retry (and so the local runner) tries an error again. */
export function isRetryable(err: unknown): boolean {
  return err instanceof Error && (RETRYABLE_ERROR_NAMES as readonly string[]).includes(err.name);
}

/**
 * A document in the store (written by this run or an earlier one) cannot be read: not JSON, or not
 * the shape its schema says. The message names the key and never quotes the content.
 */
export class DocumentError extends LayerbenchError {
  override readonly name = 'DocumentError';
  constructor(
    readonly key: string,
    readonly problem: string,
    cause?: unknown,
  ) {
    super(`${key}: ${problem}`, { code: 'E_DOCUMENT', kind: 'fatal', cause });
  }
}

/**
 * What is wrong with text that JSON.parse refused, without the excerpt V8 puts in some of its
 * messages (`Unexpected token 'h', "hello worl"... is not valid JSON`): the document may be anything.
 */
export function jsonProblem(text: string, err: unknown): string {
  if (text.trim() === '') return 'empty';
  const message = errorMessage(err);
  if (/Unexpected end of JSON input|Unterminated string in JSON/.test(message)) return 'not valid JSON: it ends early (truncated?)';
  return `not valid JSON: ${message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position/, ' at position')}`;
}

/**
 * A candidate's worker process died while training it (killed, out of memory, a native crash). The
 * candidate fails; resuming the run (`run --run-id`) trains it again.
 */
export class WorkerCrashedError extends LayerbenchError {
  override readonly name = 'WorkerCrashedError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'E_WORKER_CRASHED', kind: 'candidate', cause });
  }
}

/** The CLI was interrupted (SIGINT, SIGTERM): the workers are stopped and the run can be resumed. */
export class InterruptedError extends LayerbenchError {
  override readonly name = 'InterruptedError';
  constructor(
    message: string,
    readonly signal: 'SIGINT' | 'SIGTERM',
  ) {
    // 128 + the signal's number, as a shell reports a process the signal ended.
    super(message, { code: 'E_INTERRUPTED', kind: 'fatal', exitCode: signal === 'SIGINT' ? 130 : 143 });
  }
}

/**
 * The code of a run's final model (final.json, and the run summary) when there was nothing to refit:
 * no candidate beats the baseline, or none succeeded. That is the run's answer, not a failure, and
 * readers say so ("final model: none — …").
 */
export const NO_RECOMMENDATION = 'E_NO_RECOMMENDATION';

/** The failure kind of any thrown value: our own errors say it, anything else is a candidate failure. */
export function failureKind(err: unknown): FailureKind {
  return err instanceof LayerbenchError ? err.kind : 'candidate';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A value quoted for an error message: JSON-escaped, at most `max` characters of it (then "…"). */
export function excerpt(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}

/**
 * An error message bounded for a deployed function (it travels into Step Functions' execution history
 * and the logs): every quoted string in it (a header, a cell, a path) is cut to a short escaped
 * excerpt, and the whole to `maxLength` characters.
 */
export function boundedMessage(message: string, opts: { quoted?: number; maxLength?: number } = {}): string {
  const quoted = opts.quoted ?? 40;
  const maxLength = opts.maxLength ?? 400;
  // A scan, not a regular expression: a backtracking match over a 10 MB quoted cell overflows the stack.
  let out = '';
  let i = 0;
  while (i < message.length && out.length <= maxLength) {
    const open = message.indexOf('"', i);
    if (open < 0) {
      out += message.slice(i, i + maxLength + 1);
      break;
    }
    out += message.slice(i, Math.min(open, i + maxLength + 1));
    let close = open + 1;
    while (close < message.length && message[close] !== '"') close += message[close] === '\\' ? 2 : 1;
    if (close >= message.length) {
      out += message.slice(open, open + maxLength + 1); // an unbalanced quote: the rest as it is
      break;
    }
    const inner = message.slice(open + 1, close);
    const cut = inner.length > quoted * 6; // an escape is at most 6 characters: enough for the excerpt
    out += inner.length <= quoted ? message.slice(open, close + 1) : excerpt(`${unescaped(cut ? inner.slice(0, quoted * 6) : inner)}${cut ? '…' : ''}`, quoted);
    i = close + 1;
  }
  const flat = out.replace(/[\u0000-\u001f]/g, ' ');
  return flat.length > maxLength ? `${flat.slice(0, maxLength)}…` : flat;
}

/** The text of a JSON-escaped string body (possibly cut inside an escape); the body itself when it is not JSON. */
function unescaped(body: string): string {
  for (let cut = 0; cut < 6 && cut < body.length; cut++) {
    try {
      return JSON.parse(`"${body.slice(0, body.length - cut)}"`) as string;
    } catch {
      // cut inside an escape sequence: try a little shorter
    }
  }
  return body;
}
