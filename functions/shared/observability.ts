/**
 * Lambda Powertools logger and metrics for the handlers. Service name and namespace come from
 * POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (the stack sets them); metrics go out as
 * CloudWatch Embedded Metric Format lines when a handler calls `publishStoredMetrics()`.
 *
 * `invoke` is the one wrapper every handler uses: it tags the log with the request id, runs the step,
 * logs a failure with its kind, and publishes the metrics either way. Errors are rethrown untouched
 * (a TransientError keeps its name, so the state machine's Retry on "TransientError" matches); a
 * thrown non-Error becomes an Error so Lambda reports a name and a message.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { boundedMessage, failureKind, LayerbenchError } from '../../src/errors.js';

export { MetricUnit } from '@aws-lambda-powertools/metrics';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

export function observability(service: string): Observability {
  return {
    logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `layerbench-${service}` }),
    metrics: new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'layerbench',
      serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `layerbench-${service}`,
    }),
  };
}

/** The slice of the Lambda context the handlers use. */
export interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
}

export async function invoke<T>(o: Observability, context: LambdaContext | undefined, step: () => Promise<T>): Promise<T> {
  if (context?.awsRequestId) o.logger.appendKeys({ requestId: context.awsRequestId });
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
    throw error;
  } finally {
    o.metrics.publishStoredMetrics();
  }
}
