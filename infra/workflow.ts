/**
 * The sweep workflow: Plan → TrainCandidates (Distributed Map of Train) → Aggregate → Report.
 *
 * One construct, two consumers: the deployed stack wraps `definitionBody` in a StateMachine, and the
 * local runner renders the very same definition to ASL JSON (src/workflow/definition.ts) and runs it
 * with aws-local-stepfunctions. States carry ids and keys only; documents live in the store.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** State names: the local runner binds its handlers to the Task states by these names. */
export const STATE = {
  plan: 'Plan',
  map: 'TrainCandidates',
  train: 'Train',
  recordFailure: 'RecordFailure',
  aggregate: 'Aggregate',
  report: 'Report',
} as const;

/** Errors worth retrying: Lambda throttling and service hiccups, and the step code's own TransientError. */
export const TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.SdkClientException',
  'TransientError',
] as const;

export const DEFAULT_MAX_CONCURRENCY = 8;

export interface SweepWorkflowProps {
  readonly planFunction: lambda.IFunction;
  readonly trainFunction: lambda.IFunction;
  readonly aggregateFunction: lambda.IFunction;
  readonly reportFunction: lambda.IFunction;
  /** Candidates trained at once. Default 8. */
  readonly maxConcurrency?: number;
  /** How long one Train task may run before it counts as failed. Default 15 minutes (the Lambda limit). */
  readonly trainTimeout?: Duration;
}

export class SweepWorkflow extends Construct {
  /** Plan → TrainCandidates → Aggregate → Report. */
  readonly chain: sfn.Chain;
  readonly plan: tasks.LambdaInvoke;
  readonly trainMap: sfn.DistributedMap;
  readonly aggregate: tasks.LambdaInvoke;
  readonly report: tasks.LambdaInvoke;
  readonly definitionBody: sfn.DefinitionBody;

  constructor(scope: Construct, id: string, props: SweepWorkflowProps) {
    super(scope, id);
    this.plan = this.planState(props.planFunction);
    this.trainMap = this.trainCandidatesState(props);
    this.aggregate = this.aggregateState(props.aggregateFunction);
    this.report = this.reportState(props.reportFunction);
    this.chain = sfn.Chain.start(this.plan).next(this.trainMap).next(this.aggregate).next(this.report);
    this.definitionBody = sfn.DefinitionBody.fromChainable(this.chain);
  }

  /** Plan: execution input (PlanInput) in, PlanOutput `{ runs, items }` out. */
  private planState(fn: lambda.IFunction): tasks.LambdaInvoke {
    return this.stepState(STATE.plan, fn);
  }

  /** Train: one WorkItem in, TrainOutput out; transient errors are retried with backoff. */
  private trainState(props: SweepWorkflowProps): tasks.LambdaInvoke {
    const train = new tasks.LambdaInvoke(this, STATE.train, {
      lambdaFunction: props.trainFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(props.trainTimeout ?? Duration.minutes(15)),
    });
    withTransientRetry(train);
    train.addCatch(this.recordFailureState(), { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    return train;
  }

  /** RecordFailure: what the Catch leaves for a candidate whose task failed outright (CaughtFailure). */
  private recordFailureState(): sfn.Pass {
    return new sfn.Pass(this, STATE.recordFailure, {
      parameters: {
        'runId.$': '$.runId',
        'candidateId.$': '$.candidateId',
        status: 'failed',
        'error.$': '$.error',
      },
    });
  }

  /** TrainCandidates: a Distributed Map over `$.items` (inline list); results land beside `runs`. */
  private trainCandidatesState(props: SweepWorkflowProps): sfn.DistributedMap {
    const map = new sfn.DistributedMap(this, STATE.map, {
      itemsPath: '$.items',
      maxConcurrency: props.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: '$.results',
    });
    map.itemProcessor(this.trainState(props));
    return map;
  }

  /** Aggregate: `{ runs, results }` in, AggregateOutput `{ runs }` (leaderboards, recommendations) out. */
  private aggregateState(fn: lambda.IFunction): tasks.LambdaInvoke {
    return this.stepState(STATE.aggregate, fn, sfn.TaskInput.fromObject({ 'runs.$': '$.runs', 'results.$': '$.results' }));
  }

  /** Report: `{ runs }` in (whatever the states before it made of them), ReportOutput `{ runs }` out. */
  private reportState(fn: lambda.IFunction): tasks.LambdaInvoke {
    return this.stepState(STATE.report, fn, sfn.TaskInput.fromObject({ 'runs.$': '$.runs' }));
  }

  /** A step outside the Map: one Lambda invocation, its payload the task's result, transient errors retried. */
  private stepState(id: string, fn: lambda.IFunction, payload?: sfn.TaskInput): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, id, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      ...(payload ? { payload } : {}),
      taskTimeout: sfn.Timeout.duration(Duration.minutes(15)),
    });
    return withTransientRetry(task);
  }
}

/** One retrier per task (instead of CDK's default): throttling, Lambda service errors, TransientError; 2 s, 4 s, 8 s. */
function withTransientRetry(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({ errors: [...TRANSIENT_ERRORS], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 });
  return task;
}
