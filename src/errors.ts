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
  constructor(readonly key: string, where: string) {
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

/** The store cannot be used: a path that is not a writable directory, a bucket that cannot be reached. */
export class StoreError extends LayerbenchError {
  override readonly name = 'StoreError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'E_STORE', kind: 'fatal', cause });
  }
}

/**
 * A document in the store (written by this run or an earlier one) cannot be read: not JSON, or not
 * the shape its schema says. The message names the key and never quotes the content.
 */
export class DocumentError extends LayerbenchError {
  override readonly name = 'DocumentError';
  constructor(readonly key: string, readonly problem: string, cause?: unknown) {
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
  constructor(message: string, readonly signal: 'SIGINT' | 'SIGTERM') {
    // 128 + the signal's number, as a shell reports a process the signal ended.
    super(message, { code: 'E_INTERRUPTED', kind: 'fatal', exitCode: signal === 'SIGINT' ? 130 : 143 });
  }
}

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
