/**
 * The layerbench stack. It only wires: the bucket, the five step functions with least-privilege
 * bucket access, the state machine around engineer W's SweepWorkflow, the upload trigger, the nightly
 * schedule and, when asked for, the completion email. Settings come from CDK context (`-c key=value`
 * or cdk.json) and are validated here, each problem named by its context key.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { grantBucketAccess } from './constructs/bucket-access.js';
import { CompletionNotifications } from './constructs/completion-notifications.js';
import { DataBucket } from './constructs/data-bucket.js';
import { HandlerFunction } from './constructs/handler-function.js';
import { DEFAULT_SCHEDULE_CRON, DEFAULT_SCHEDULE_TIME_ZONE, NightlySchedule } from './constructs/nightly-schedule.js';
import { SweepStateMachine } from './constructs/sweep-state-machine.js';
import { TRAIN_RUNTIMES, TrainFunction } from './constructs/train-function.js';
import { UploadTrigger } from './constructs/upload-trigger.js';
import { DeadLetters, Operations } from './constructs/operations.js';
import { CHECKPOINTS, PREPARED } from './constructs/data-bucket.js';
import { DEFAULT_MAX_CONCURRENCY, ITEM_LISTS, MAP_EXECUTIONS, trainTaskTimeout } from './workflow.js';
import { parsePriceOverrides } from '../src/cost/prices.js';

/** A learning curve's points (keys.curvePoint): written by Train, or as failures by RecordFailure and Aggregate. */
const CURVE_POINTS = 'runs/*/curve/*';

/** Names of the stack outputs the CLI looks up (src/cloud/stack.ts). */
export const OUTPUTS = { bucket: 'BucketName', stateMachine: 'StateMachineArn' } as const;

const intFromContext = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolFromContext = z.union([z.boolean(), z.enum(['true', 'false', 'on', 'off']).transform((v) => v === 'true' || v === 'on')]);

/** Everything `-c key=value` can set. Context values given on the command line arrive as strings. */
export const stackConfigSchema = z.object({
  /** `zip` (wasm backend, default) or `container` (tfjs-node image, needs Docker at deploy). */
  trainRuntime: z.enum(TRAIN_RUNTIMES).default('zip'),
  /** Train function memory in MB; Lambda gives one full vCPU at 1,769 MB. */
  trainMemory: intFromContext(128, 10_240).default(2048),
  /** Train (and Finalize) function timeout in minutes (Lambda's maximum is 15); Train's is at most 4 with Express children. */
  trainTimeoutMinutes: intFromContext(1, 15).default(15),
  /** The Map's children: `express` (default; billed per child and second, not per state transition) or `standard` (tasks up to 15 minutes). */
  mapExecution: z.enum(MAP_EXECUTIONS).default('express'),
  /** Candidates trained at once (the Map's MaxConcurrency). */
  maxConcurrency: intFromContext(1, 10_000).default(DEFAULT_MAX_CONCURRENCY),
  /** Run every registered sweep on a schedule. */
  nightly: boolFromContext.default(true),
  scheduleCron: z
    .string()
    .regex(/^(cron|rate)\(.+\)$/, 'must look like cron(0 3 * * ? *) or rate(1 day)')
    .default(DEFAULT_SCHEDULE_CRON),
  scheduleTimeZone: z.string().min(1).default(DEFAULT_SCHEDULE_TIME_ZONE),
  /** When set, each finished execution is mailed to this address (SNS email subscription). */
  notifyEmail: z.email().optional(),
  /** Container runtime only: TFJS_NODE_BASE_URI build argument (where libtensorflow tarballs live). */
  libtensorflowBaseUri: z.url().optional(),
  /** Guardrail: candidates one run may have; Plan refuses a larger sweep (the execution fails saying why). */
  maxCandidatesPerRun: intFromContext(1, 10_000).default(1000),
  /** Guardrail: candidates of all the nightly schedule's runs of one night together; the sweeps beyond it are skipped, one log line each. */
  maxCandidatesPerNight: intFromContext(1, 1_000_000).default(1000),
  /** Guardrail: training.epochs at most. */
  maxEpochs: intFromContext(1, 10_000).default(1000),
  /** Guardrail: trainable parameters of any one candidate, counted at plan time. */
  maxParametersPerCandidate: intFromContext(1, 1_000_000_000).default(10_000_000),
  /** Train invocations at once, reserved for and capped to the Train function (default: maxConcurrency). */
  trainReservedConcurrency: intFromContext(1, 10_000).optional(),
  /** Ship source maps with the bundles and run Node with --enable-source-maps (zip functions; costs memory and start-up). */
  sourceMaps: boolFromContext.default(false),
  /** When set, the alarms (failed executions, failed candidates, regressions, dead letters) are mailed here. */
  alarmEmail: z.email().optional(),
  /** Days before the per-candidate models (runs/<runId>/models/) expire. */
  modelRetentionDays: intFromContext(1, 36_500).default(90),
  /** Days before the checkpoints of a run that never finished (runs/<runId>/checkpoints/) expire; a finished run deletes its own. */
  checkpointRetentionDays: intFromContext(1, 36_500).default(14),
  /** Price overrides for the cost estimates and search.budget.usd, JSON (src/cost/prices.ts), e.g. {"region":"eu-west-1",…}. */
  prices: z
    .string()
    .refine((text) => {
      try {
        parsePriceOverrides(text, 'prices');
        return true;
      } catch {
        return false;
      }
    }, 'must be JSON of price overrides (src/cost/prices.ts: region, date, lambdaGbSecondArm64, lambdaGbSecondX86, lambdaRequest, stateTransition, expressRequest, expressGbSecond, mapExecution, memoryMb, architecture)')
    .optional(),
});
export type StackConfig = z.infer<typeof stackConfigSchema>;

/** Reads and validates the stack settings from context; throws naming the offending context key. */
export function stackConfigFromContext(scope: Construct): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(stackConfigSchema.shape)) {
    const value: unknown = scope.node.tryGetContext(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = stackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`context ${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(raw[String(issue.path[0])])})`);
  }
  return parsed.data;
}

export interface LayerbenchStackProps extends StackProps {
  /** Settings; default: read from context. */
  readonly config?: StackConfig;
}

export class LayerbenchStack extends Stack {
  readonly config: StackConfig;
  readonly data: DataBucket;
  readonly sweep: SweepStateMachine;

  constructor(scope: Construct, id: string, props: LayerbenchStackProps = {}) {
    super(scope, id, props);
    const config = (this.config = props.config ?? stackConfigFromContext(this));
    // Train's own timeout: the one asked for, at most 4 minutes in an Express child (infra/workflow.ts).
    const trainTimeout = trainTaskTimeout(Duration.minutes(config.trainTimeoutMinutes), config.mapExecution);
    // What Aggregate and Report price with: the context's overrides, and the Map's children as deployed.
    const prices = JSON.stringify({ ...(config.prices ? parsePriceOverrides(config.prices, 'prices') : {}), mapExecution: config.mapExecution });
    this.data = new DataBucket(this, 'Data', { modelRetentionDays: config.modelRetentionDays, checkpointRetentionDays: config.checkpointRetentionDays });
    const bucket = this.data.bucket;

    const plan = new HandlerFunction(this, 'Plan', {
      handler: 'plan',
      bucket,
      memorySize: 1024,
      timeout: Duration.minutes(5),
      sourceMaps: config.sourceMaps,
      environment: {
        LAYERBENCH_MAX_CANDIDATES: String(config.maxCandidatesPerRun),
        LAYERBENCH_MAX_EPOCHS: String(config.maxEpochs),
        LAYERBENCH_MAX_PARAMETERS: String(config.maxParametersPerCandidate),
        LAYERBENCH_MAX_CANDIDATES_PER_NIGHT: String(config.maxCandidatesPerNight),
        // A sweep whose maxTaskSeconds passes Train's timeout is refused (its tasks would be stopped before they checkpoint).
        LAYERBENCH_TRAIN_TIMEOUT_SECONDS: String(trainTimeout.toSeconds()),
        // A candidate whose training needs more than Train's memory is refused before anything trains.
        LAYERBENCH_TRAIN_MEMORY_MB: String(config.trainMemory),
      },
    });
    const train = new TrainFunction(this, 'Train', {
      bucket,
      runtime: config.trainRuntime,
      memorySize: config.trainMemory,
      timeout: trainTimeout,
      libtensorflowBaseUri: config.libtensorflowBaseUri,
      reservedConcurrency: config.trainReservedConcurrency ?? config.maxConcurrency,
      sourceMaps: config.sourceMaps,
    });
    const recordFailure = new HandlerFunction(this, 'RecordFailure', {
      handler: 'record-failure',
      bucket,
      sourceMaps: config.sourceMaps,
      memorySize: 256,
      timeout: Duration.minutes(1),
    });
    // Finalize refits the recommended candidate: Train's bundle (or image), memory, timeout and runtime.
    const finalize = new TrainFunction(this, 'Finalize', {
      bucket,
      step: 'finalize',
      runtime: config.trainRuntime,
      memorySize: config.trainMemory,
      timeout: Duration.minutes(config.trainTimeoutMinutes),
      libtensorflowBaseUri: config.libtensorflowBaseUri,
      sourceMaps: config.sourceMaps,
    });
    // Aggregate also runs Promote between halving rounds (infra/workflow.ts); both price with the same table.
    const aggregate = new HandlerFunction(this, 'Aggregate', {
      handler: 'aggregate',
      bucket,
      sourceMaps: config.sourceMaps,
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: { LAYERBENCH_PRICES: prices },
    });
    const report = new HandlerFunction(this, 'Report', {
      handler: 'report',
      bucket,
      sourceMaps: config.sourceMaps,
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: { LAYERBENCH_PRICES: prices },
    });

    // Plan: reads sweeps and datasets, creates the run manifest and the item list the Map reads.
    grantBucketAccess(plan, bucket, plan.function, {
      list: true,
      read: ['sweeps/*', 'datasets/*', 'runs/*/run.json'],
      // And what every Train task reads instead of run.json and the CSV: the run's context, the data parsed once (src/data/prepared.ts).
      write: ['runs/*/run.json', 'runs/*/halving.json', 'runs/*/baseline.json', 'runs/*/train-context.json', PREPARED, ITEM_LISTS],
    });
    // Train: reads its run's manifest and the data; writes only under runs/ (the run id is not known at deploy time).
    grantBucketAccess(train, bucket, train.function, {
      list: true,
      read: ['datasets/*', PREPARED, 'runs/*/train-context.json', 'runs/*/run.json', 'runs/*/halving.json', 'runs/*/candidates/*', CURVE_POINTS, CHECKPOINTS],
      write: ['runs/*/candidates/*', CURVE_POINTS, 'runs/*/models/*', CHECKPOINTS],
      // Model and checkpoint objects are tagged for the lifecycle rules that expire them (src/store/s3.ts).
      tag: ['runs/*/models/*', CHECKPOINTS],
    });
    // RecordFailure: reads the run's manifest; writes the document of a candidate (or curve point) whose task failed outright.
    grantBucketAccess(recordFailure, bucket, recordFailure.function, {
      list: true,
      read: ['runs/*/run.json'],
      write: ['runs/*/candidates/*', CURVE_POINTS],
    });
    // Finalize: reads what Train reads and the candidate documents; writes only the final model.
    grantBucketAccess(finalize, bucket, finalize.function, {
      list: true,
      read: ['datasets/*', 'runs/*/run.json', 'runs/*/candidates/*', 'runs/*/model/*'],
      write: ['runs/*/model/*'],
    });
    // Aggregate: reads a run's manifest and documents; writes the leaderboard, the learning curve's analysis and the
    // failed document of a candidate whose Map child left no result (src/steps/lost-items.ts). As Promote: the halving
    // state, the learning curve's plan and the next pass's items.
    // Deletes a run's scratch when it is done with it: the item list the Map read, the checkpoints of a finished run.
    grantBucketAccess(aggregate, bucket, aggregate.function, {
      list: true,
      read: ['runs/*'],
      write: ['runs/*/leaderboard.*', 'runs/*/halving.json', 'runs/*/curve-plan.json', 'runs/*/learning-curve.json', 'runs/*/candidates/*', CURVE_POINTS, ITEM_LISTS],
      delete: [ITEM_LISTS, CHECKPOINTS],
    });
    // Report: reads a run's documents and the sweep's history; writes the report, the history, and the
    // leaderboard again once it can carry the final model's test score.
    grantBucketAccess(report, bucket, report.function, {
      list: true,
      read: ['runs/*', 'history/*'],
      write: ['runs/*/report.*', 'runs/*/leaderboard.*', 'history/*'],
    });

    this.sweep = new SweepStateMachine(this, 'Sweep', {
      bucket,
      planFunction: plan.function,
      trainFunction: train.function,
      recordFailureFunction: recordFailure.function,
      aggregateFunction: aggregate.function,
      finalizeFunction: finalize.function,
      reportFunction: report.function,
      maxConcurrency: config.maxConcurrency,
      trainTimeout: Duration.minutes(config.trainTimeoutMinutes),
      mapExecution: config.mapExecution,
    });
    const stateMachine = this.sweep.stateMachine;

    const deadLetters = new DeadLetters(this, 'DeadLetters').queue;
    new UploadTrigger(this, 'UploadTrigger', { bucket, stateMachine, deadLetterQueue: deadLetters });
    if (config.nightly) {
      new NightlySchedule(this, 'Nightly', {
        stateMachine,
        expression: config.scheduleCron,
        timeZone: config.scheduleTimeZone,
        deadLetterQueue: deadLetters,
      });
    }
    new Operations(this, 'Operations', { stateMachine, deadLetters, alarmEmail: config.alarmEmail });
    // Report announces regressions on the default event bus.
    const defaultBus = this.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
    report.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [defaultBus] }));
    report.function.addEnvironment('LAYERBENCH_EVENT_BUS', 'default');
    if (config.notifyEmail) {
      new CompletionNotifications(this, 'Completion', { stateMachine, email: config.notifyEmail });
    }

    new CfnOutput(this, OUTPUTS.bucket, { value: bucket.bucketName, description: 'Upload datasets/ and sweeps/ here' });
    new CfnOutput(this, OUTPUTS.stateMachine, { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'TrainRuntime', { value: config.trainRuntime });
  }
}
