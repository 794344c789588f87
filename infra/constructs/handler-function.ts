/**
 * One thin Lambda handler (functions/<name>/index.ts) as a NodejsFunction: Node.js 22, bundled by
 * esbuild with the options of ./bundling.ts, its own log group, and the environment every handler
 * reads through functions/shared/environment.ts.
 */
import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PROJECT_ROOT, handlerEntry, nodejsBundling, type HandlerName, type StepFunctionName } from './bundling.js';

/** The environment every handler gets; Node reads the bundle's source map only when there is one. */
export function handlerEnvironment(bucket: s3.IBucket, service: StepFunctionName, opts: { sourceMaps?: boolean } = {}): Record<string, string> {
  return {
    LAYERBENCH_BUCKET: bucket.bucketName,
    POWERTOOLS_SERVICE_NAME: `layerbench-${service}`,
    POWERTOOLS_METRICS_NAMESPACE: 'layerbench',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...(opts.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
  };
}

/** X-Ray tracing is on for every function; its managed actions take no narrower resource than "*". */
export function acknowledgeTracing(fn: lambda.Function): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource narrower than "*".',
  });
}

export function handlerLogGroup(scope: Construct): logs.LogGroup {
  return new logs.LogGroup(scope, 'Logs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** Why every layerbench function keeps the managed basic-execution policy and (zip) its runtime pin. */
export function acknowledgeFunctionFindings(fn: lambda.Function, opts: { zip: boolean }): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'AWSLambdaBasicExecutionRole only allows writing CloudWatch logs (CreateLogGroup, CreateLogStream, PutLogEvents).',
  });
  if (opts.zip) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to Node.js 22: the bundles target node22 and are tested on that line; moving to a newer runtime is a deliberate, tested change.',
    });
  }
}

export interface HandlerFunctionProps {
  /** The bundle: functions/<handler>/index.ts. */
  readonly handler: HandlerName;
  /** The step this function runs (its service name and description); default: the handler. */
  readonly step?: StepFunctionName;
  /** The bundle's export Lambda calls; default `handler`. */
  readonly exportName?: string;
  readonly bucket: s3.IBucket;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly architecture?: lambda.Architecture;
  /** Copy the tfjs wasm binaries next to the bundle (the train handler loads them from there). */
  readonly wasm?: boolean;
  readonly environment?: Record<string, string>;
  /** Invocations at once, reserved for and capped to this function. */
  readonly reservedConcurrency?: number;
  /** Ship index.mjs.map and run Node with --enable-source-maps (context `sourceMaps`; default off). */
  readonly sourceMaps?: boolean;
}

export class HandlerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.handler),
      handler: props.exportName ?? 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      bundling: nodejsBundling({ wasm: props.wasm, sourceMaps: props.sourceMaps }),
      environment: { ...handlerEnvironment(props.bucket, props.step ?? props.handler, { sourceMaps: props.sourceMaps }), ...props.environment },
      tracing: lambda.Tracing.ACTIVE,
      logGroup: handlerLogGroup(this),
      description: `layerbench ${props.step ?? props.handler} step`,
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    acknowledgeFunctionFindings(this.function, { zip: true });
    acknowledgeTracing(this.function);
  }
}
