/**
 * Lambda Powertools logger, metrics and tracer for the handlers. Service name and namespace come from
 * POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (the stack sets them); metrics go out as
 * CloudWatch Embedded Metric Format lines when a handler calls `publishStoredMetrics()`; traces go to
 * X-Ray (active tracing on every function; the tracer is off outside Lambda).
 *
 * `invoke` is the one wrapper every handler uses: it adds the Lambda context to the log (function,
 * request id, cold start — our own per-process flag, see takeColdStart), opens a trace subsegment for the handler, runs the step, logs a failure
 * with its kind, and publishes the metrics either way. Errors keep their name (a TransientError stays
 * one, so the state machine's Retry on "TransientError" matches); a thrown non-Error becomes an Error
 * so Lambda reports a name and a message.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { boundedMessage, failureKind, LayerbenchError } from '../../src/errors.js';

export { MetricUnit } from '@aws-lambda-powertools/metrics';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

/**
 * Cold start, per process: the first invocation a process serves is a cold start, unless provisioned
 * concurrency initialised it ahead of any request. Powertools decides it alone only when
 * AWS_LAMBDA_INITIALIZATION_TYPE is "on-demand" (elsewhere, and in any runner that does not set it, it
 * logged false every time), and each Logger, Tracer and Metrics keeps its own flag; this one is shared
 * by every handler of a bundle (Train and Finalize) and read by their loggers and tracers alike.
 */
let served = false;
let coldStart = false;

/** Called once per invocation, before anything logs: whether this one is the process's cold start. */
export function takeColdStart(env: NodeJS.ProcessEnv = process.env): boolean {
  coldStart = !served && env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() !== 'provisioned-concurrency';
  served = true;
  return coldStart;
}

/** A Logger whose `cold_start` is this invocation's (see takeColdStart). */
class HandlerLogger extends Logger {
  override getColdStart(): boolean {
    return coldStart;
  }
}

export function observability(service: string): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? `layerbench-${service}`;
  return {
    logger: new HandlerLogger({ serviceName }),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'layerbench', serviceName }),
    tracer: new Tracer({ serviceName }),
  };
}

/** The slice of the Lambda context the handlers use. */
export interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string;
  /** Milliseconds until Lambda stops this invocation. */
  getRemainingTimeInMillis?: () => number;
}

export async function invoke<T>(o: Observability, context: LambdaContext | undefined, step: () => Promise<T>): Promise<T> {
  const cold = takeColdStart();
  if (context) o.logger.addContext(context as Parameters<Logger['addContext']>[0]);
  const segment = o.tracer.isTracingEnabled() ? o.tracer.getSegment() : undefined;
  const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
  if (subsegment) {
    o.tracer.setSegment(subsegment);
    o.tracer.putAnnotation('ColdStart', cold);
    o.tracer.addServiceNameAnnotation();
  }
  try {
    return await step();
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    // What leaves the function (execution history, logs) quotes at most short escaped excerpts of
    // the data (a header or a cell of a file a sweep pointed at must not travel in full), and no stack.
    const bounded = boundedMessage(error.message);
    if (bounded !== error.message) {
      try {
        error.message = bounded;
      } catch {
        // a read-only message: keep it
      }
    }
    error.stack = `${error.name}: ${error.message}`;
    o.logger.error('step failed', {
      kind: failureKind(error),
      code: error instanceof LayerbenchError ? error.code : undefined,
      error,
    });
    if (subsegment) o.tracer.addErrorAsMetadata(error);
    throw error;
  } finally {
    o.metrics.publishStoredMetrics();
    subsegment?.close();
    if (segment) o.tracer.setSegment(segment);
  }
}
