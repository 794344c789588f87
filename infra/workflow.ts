/**
 * The sweep workflow: Plan → TrainCandidates (Distributed Map of Train) → Aggregate → Finalize → Report.
 * Finalize refits the recommended candidate with Train's resources; when it fails outright (a timeout,
 * its retries spent) its Catch records the error beside the runs and Report still runs, saying why.
 *
 * One loop, after Aggregate: `MoreRounds`, a Choice on Aggregate's `promote`. While a run has Train
 * tasks that handed over (status "continue": a task checkpoints before training.maxTaskSeconds or its
 * timeout, src/steps/continuations.ts), or a halving round left, Promote writes the next items — the
 * handed-over ones first, else the next round's — and the same Map trains them (src/steps/promote.ts).
 * Promote runs in the Aggregate function (the same bundle, `step: "promote"`).
 *
 * The Map's children are Express executions by default (`mapExecution`): Step Functions bills a
 * Standard child per state transition ($25 per million; a child is two: Train and the Pass after it), an Express child
 * per request ($1 per million) and per GB-second of its duration — for candidates that train in
 * seconds, a small part of the price. An Express child lasts five minutes at most, which is why a task
 * that has to go on does so in the parent, never in a loop inside the child, and why Train's timeout
 * is at most EXPRESS_TRAIN_TIMEOUT there. A child that ends without a result all the same (its five
 * minutes spent in retries) does not fail the Map (ToleratedFailurePercentage 100): Aggregate records
 * its candidate as failed, saying why (src/steps/lost-items.ts).
 *
 * One construct, two consumers: the deployed stack wraps `definitionBody` in a StateMachine, and the
 * local runner runs the very same definition, rendered to ASL JSON (infra/render-definition.ts, committed
 * as src/workflow/definition_template.ts), with aws-local-stepfunctions. State names and payloads are
 * the contract's (src/workflow/contract.ts). States carry ids and keys only; documents live in the store.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RETRYABLE_ERROR_NAMES } from '../src/errors.js';
import { PROMOTE_STEP, STATE } from '../src/workflow/contract.js';

/** State names (src/workflow/contract.ts): the local runner binds its handlers to the Task states by these names. */
export { STATE };

/**
 * Errors worth retrying: Lambda's documented transient invoke errors, and what the step code's one
 * classification (src/errors.ts) calls retryable — a TransientError: throttling, timeouts, 5xx and
 * network failures of the store. A full disk, a read-only or denied store, a missing bucket or refused
 * credentials (a StoreError) is not retried: it fails at once with its message and a hint.
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  ...RETRYABLE_ERROR_NAMES,
] as const;

export const DEFAULT_MAX_CONCURRENCY = 8;

/** How the Map runs its children: Express (default, see the module comment) or Standard executions. */
export const MAP_EXECUTIONS = ['express', 'standard'] as const;
export type MapExecution = (typeof MAP_EXECUTIONS)[number];

/** The longest a Train task may run in an Express child (which lasts five minutes at most), leaving a minute for RecordFailure. */
export const EXPRESS_TRAIN_TIMEOUT = Duration.minutes(4);

/** The Train task's timeout for a Map of `execution` children, given the timeout asked for. */
export function trainTaskTimeout(asked: Duration, execution: MapExecution): Duration {
  return execution === 'express' && asked.toSeconds() > EXPRESS_TRAIN_TIMEOUT.toSeconds() ? EXPRESS_TRAIN_TIMEOUT : asked;
}

/** Where the Map's ItemReader may read: the item lists Plan writes (keys.plan). */
export const ITEM_LISTS = 'plans/*';

export interface SweepWorkflowProps {
  /** The bucket Plan writes the item lists to; the Map reads them from there. */
  readonly bucket: s3.IBucket;
  readonly planFunction: lambda.IFunction;
  readonly trainFunction: lambda.IFunction;
  readonly recordFailureFunction: lambda.IFunction;
  readonly aggregateFunction: lambda.IFunction;
  /** Refits the recommended candidate: Train's resources (the same memory, timeout and runtime). */
  readonly finalizeFunction: lambda.IFunction;
  /** Runs Promote between halving rounds. Default: the Aggregate function (it dispatches on `step`). */
  readonly promoteFunction?: lambda.IFunction;
  readonly reportFunction: lambda.IFunction;
  /** Candidates trained at once. Default 8. */
  readonly maxConcurrency?: number;
  /** How long one Train task may run before it counts as failed (at most EXPRESS_TRAIN_TIMEOUT in an Express child), and Finalize. Default 15 minutes (the Lambda limit). */
  readonly trainTimeout?: Duration;
  /** The Map's children: Express (default) or Standard executions. */
  readonly mapExecution?: MapExecution;
}

/** Every function the workflow invokes, once each. */
export function workflowFunctions(props: SweepWorkflowProps): lambda.IFunction[] {
  return [
    ...new Set([
      props.planFunction,
      props.trainFunction,
      props.recordFailureFunction,
      props.aggregateFunction,
      props.promoteFunction ?? props.aggregateFunction,
      props.finalizeFunction,
      props.reportFunction,
    ]),
  ];
}

export class SweepWorkflow extends Construct {
  /** Plan → TrainCandidates → Aggregate → Finalize → Report. */
  readonly chain: sfn.Chain;
  readonly plan: tasks.LambdaInvoke;
  readonly trainMap: sfn.DistributedMap;
  readonly aggregate: tasks.LambdaInvoke;
  readonly finalize: tasks.LambdaInvoke;
  readonly promote: tasks.LambdaInvoke;
  readonly report: tasks.LambdaInvoke;
  readonly definitionBody: sfn.DefinitionBody;

  constructor(scope: Construct, id: string, props: SweepWorkflowProps) {
    super(scope, id);
    this.plan = this.planState(props.planFunction);
    this.trainMap = this.trainCandidatesState(props);
    this.aggregate = this.aggregateState(props.aggregateFunction);
    this.report = this.reportState(props.reportFunction);
    this.finalize = this.finalizeState(props);
    this.finalize.next(this.report);
    this.promote = this.promoteState(props.promoteFunction ?? props.aggregateFunction);
    // Between halving rounds: Promote writes the next round's items, and the same Map trains them.
    this.promote.next(this.trainMap);
    const moreRounds = new sfn.Choice(this, STATE.moreRounds).when(sfn.Condition.booleanEquals('$.promote', true), this.promote).otherwise(this.finalize);
    this.chain = sfn.Chain.start(this.plan).next(this.trainMap).next(this.aggregate).next(moreRounds);
    this.definitionBody = sfn.DefinitionBody.fromChainable(this.chain);
  }

  /** Plan: execution input (PlanInput) in, PlanOutput `{ runs, itemsKey, itemCount }` out. */
  private planState(fn: lambda.IFunction): tasks.LambdaInvoke {
    return this.stepState(STATE.plan, fn);
  }

  /**
   * TrainCandidates: a Distributed Map over the JSON array at `$.itemsKey` in the bucket (an
   * ItemReader: the items never pass through the state payload). Each child is Train and ends with an
   * empty result, and the Map discards the array of them, so its output is its input (`{ runs, … }`).
   */
  private trainCandidatesState(props: SweepWorkflowProps): sfn.DistributedMap {
    const express = (props.mapExecution ?? 'express') === 'express';
    const map = new sfn.DistributedMap(this, STATE.map, {
      itemReader: new ItemListReader({ bucket: props.bucket, key: sfn.JsonPath.stringAt('$.itemsKey') }),
      maxConcurrency: props.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      mapExecutionType: express ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
      // A child that ends without a result (an Express child out of time) is Aggregate's to record, not the run's end.
      toleratedFailurePercentage: 100,
      resultPath: sfn.JsonPath.DISCARD,
    });
    const train = this.trainState(props);
    // Every way out of a child ends with an empty result, so the Map's array of them stays tiny.
    map.itemProcessor(sfn.Chain.start(train).next(new sfn.Pass(this, STATE.trained, { result: sfn.Result.fromObject({}) })));
    return map;
  }

  /**
   * Train: one WorkItem in, TrainOutput `{ runId, candidateId, round?, status }`
   * out (the document is in the store); transient errors retried, the rest caught.
   */
  private trainState(props: SweepWorkflowProps): tasks.LambdaInvoke {
    const train = new tasks.LambdaInvoke(this, STATE.train, {
      lambdaFunction: props.trainFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(trainTaskTimeout(props.trainTimeout ?? Duration.minutes(15), props.mapExecution ?? 'express')),
    });
    withTransientRetry(train);
    train.addCatch(this.recordFailureState(props.recordFailureFunction), { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    return train;
  }

  /**
   * RecordFailure: the failed item as the Catch left it — `{ runId, candidateId, round?, retrain?, error }`,
   * a few hundred bytes — in; the candidate's failed document written; nothing out.
   */
  private recordFailureState(fn: lambda.IFunction): tasks.LambdaInvoke {
    const record = new tasks.LambdaInvoke(this, STATE.recordFailure, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultSelector: {},
      taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
    });
    return withTransientRetry(record);
  }

  /**
   * Aggregate: `{ runs, itemsKey }` in (the item list the Map just read, which Aggregate deletes),
   * AggregateOutput `{ runs, promote }` (leaderboards, recommendations) out.
   */
  private aggregateState(fn: lambda.IFunction): tasks.LambdaInvoke {
    return this.stepState(STATE.aggregate, fn, sfn.TaskInput.fromObject({ 'runs.$': '$.runs', 'itemsKey.$': '$.itemsKey' }));
  }

  /**
   * Finalize: `{ runs }` in, the runs with their final model out; Train's timeout. A failure the step
   * could not record itself (a timeout, a crash, retries spent) is caught: Aggregate's runs go on to
   * Report with the error beside them (`finalizeError`), and Report says the final model failed and why.
   */
  private finalizeState(props: SweepWorkflowProps): tasks.LambdaInvoke {
    const task = this.stepState(STATE.finalize, props.finalizeFunction, sfn.TaskInput.fromObject({ 'runs.$': '$.runs' }), props.trainTimeout);
    task.addCatch(this.report, { errors: [sfn.Errors.ALL], resultPath: '$.finalizeError' });
    return task;
  }

  /** Promote: `{ step: "promote", runs }` in, `{ runs, itemsKey, itemCount }` out — what the Map reads, as after Plan. */
  private promoteState(fn: lambda.IFunction): tasks.LambdaInvoke {
    return this.stepState(STATE.promote, fn, sfn.TaskInput.fromObject({ step: PROMOTE_STEP, 'runs.$': '$.runs' }));
  }

  /** Report: `{ runs, finalizeError? }` in (whatever the states before it made of them), ReportOutput `{ runs }` out. */
  private reportState(fn: lambda.IFunction): tasks.LambdaInvoke {
    return this.stepState(STATE.report, fn);
  }

  /** A step outside the Map: one Lambda invocation, its payload the task's result, transient errors retried. */
  private stepState(id: string, fn: lambda.IFunction, payload?: sfn.TaskInput, timeout?: Duration): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, id, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      ...(payload ? { payload } : {}),
      taskTimeout: sfn.Timeout.duration(timeout ?? Duration.minutes(15)),
    });
    return withTransientRetry(task);
  }
}

/**
 * The retry schedule of every task (instead of CDK's default): wait up to 2 s, 4 s, 8 s, … capped at
 * 60 s, each pause drawn uniformly below its cap (full jitter, so throttled tasks do not retry in
 * step), 15 attempts. The chance that all 15 pauses together are shorter than 60 s — that a task
 * gives up within a minute-long outage — is about 4·10⁻⁹ (test/workflow.retry.test.ts computes it);
 * all pauses at their caps add up to 11 minutes.
 */
export const TRANSIENT_RETRY = { intervalSeconds: 2, backoffRate: 2, maxDelaySeconds: 60, maxAttempts: 15 } as const;

function withTransientRetry(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({
    errors: [...TRANSIENT_ERRORS],
    interval: Duration.seconds(TRANSIENT_RETRY.intervalSeconds),
    backoffRate: TRANSIENT_RETRY.backoffRate,
    maxDelay: Duration.seconds(TRANSIENT_RETRY.maxDelaySeconds),
    maxAttempts: TRANSIENT_RETRY.maxAttempts,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/** An S3 JSON ItemReader whose state machine may read the item lists only (CDK's own grants GetObject on the whole bucket). */
class ItemListReader extends sfn.S3JsonItemReader {
  private readonly itemBucket: s3.IBucket;

  constructor(props: sfn.S3FileItemReaderProps & { bucket: s3.IBucket }) {
    super(props);
    this.itemBucket = props.bucket;
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.itemBucket.arnForObjects(ITEM_LISTS)] })];
  }
}
