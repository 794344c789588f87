/**
 * The Train step as a Lambda function, in one of two shapes (context `trainRuntime`):
 *  - `zip` (default): a NodejsFunction bundled by esbuild, training on the tfjs wasm backend, whose
 *    .wasm binaries are copied next to the bundle. Builds anywhere, without Docker and without the
 *    libtensorflow download that fails for everyone since 2026-08 (tensorflow/tfjs#8742).
 *  - `container`: a DockerImageFunction from functions/train/Dockerfile, which installs
 *    @tensorflow/tfjs-node from the libtensorflow location given as a build argument and, when that
 *    install fails, still ships the wasm backend. x86_64 only (libtensorflow has no linux-arm64 build).
 * Synth needs no Docker in either case: fromImageAsset only stages the build context.
 */
import { type Duration, IgnoreMode } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './bundling.js';
import { HandlerFunction, handlerEnvironment, handlerLogGroup, acknowledgeFunctionFindings, acknowledgeTracing } from './handler-function.js';

export const TRAIN_RUNTIMES = ['zip', 'container'] as const;
export type TrainRuntime = (typeof TRAIN_RUNTIMES)[number];

/** What the Docker build context holds: the lockfile, the sources the handler imports, nothing else. */
export const CONTAINER_CONTEXT_EXCLUDE = ['**', '!package.json', '!package-lock.json', '!tsconfig.json', '!src/**', '!functions/**'];

/** What a train-runtime function runs: Train (one candidate), or Finalize (the refit of the recommended one). */
export type TrainStep = 'train' | 'finalize';

export interface TrainFunctionProps {
  readonly bucket: s3.IBucket;
  /** Default 'train'. 'finalize' deploys the same bundle or image with its `finalize` export as the handler. */
  readonly step?: TrainStep;
  readonly runtime: TrainRuntime;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Container only: base URI of the libtensorflow tarballs (TFJS_NODE_BASE_URI), e.g. a mirror. */
  readonly libtensorflowBaseUri?: string;
  /** Invocations at once, reserved for and capped to this function (a cost guardrail). */
  readonly reservedConcurrency?: number;
  /** Zip only: ship the source map (context `sourceMaps`). */
  readonly sourceMaps?: boolean;
}

export class TrainFunction extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: TrainFunctionProps) {
    super(scope, id);
    const step = props.step ?? 'train';
    const exportName = step === 'train' ? 'handler' : 'finalize';
    if (props.runtime === 'zip') {
      this.function = new HandlerFunction(this, 'Zip', {
        handler: 'train',
        step,
        exportName,
        bucket: props.bucket,
        memorySize: props.memorySize,
        timeout: props.timeout,
        wasm: true,
        environment: { LAYERBENCH_TRAIN_RUNTIME: 'zip' },
        reservedConcurrency: props.reservedConcurrency,
        sourceMaps: props.sourceMaps,
      }).function;
      return;
    }
    this.function = new lambda.DockerImageFunction(this, 'Container', {
      code: lambda.DockerImageCode.fromImageAsset(PROJECT_ROOT, {
        file: 'functions/train/Dockerfile',
        platform: ecrAssets.Platform.LINUX_AMD64,
        buildArgs: props.libtensorflowBaseUri ? { TFJS_NODE_BASE_URI: props.libtensorflowBaseUri } : undefined,
        ignoreMode: IgnoreMode.DOCKER,
        exclude: CONTAINER_CONTEXT_EXCLUDE,
        cmd: [`index.${exportName}`],
      }),
      architecture: lambda.Architecture.X86_64,
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: { ...handlerEnvironment(props.bucket, step), LAYERBENCH_TRAIN_RUNTIME: 'container' },
      logGroup: handlerLogGroup(this),
      description: `layerbench ${step} step (container image, tfjs-node with wasm fallback)`,
    });
    acknowledgeFunctionFindings(this.function, { zip: false });
    acknowledgeTracing(this.function);
  }
}
