/**
 * The state machine definition, rendered from the CDK construct that is deployed (infra/workflow.ts):
 * the construct is built in a bare Stack with placeholder functions and bucket (no assets, no
 * bundling) and its DefinitionString is resolved to plain Amazon States Language JSON.
 *
 * `localDefinition` derives what the local interpreter runs from it: aws-local-stepfunctions has no
 * ItemReader, so the Map reads the same item list from the state instead (`ItemsPath: $.items`),
 * which the local runner fills from the store. That is the only difference (test/workflow.definition.test.ts).
 */
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { STATE, SweepWorkflow } from '../../infra/workflow.js';

/** Plain ASL JSON. */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
  TimeoutSeconds?: number;
}

export interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  ItemProcessor?: AslDefinition & { ProcessorConfig?: { Mode?: string; ExecutionType?: string } };
  [field: string]: unknown;
}

export const TASK_NAMES = ['Plan', 'Train', 'RecordFailure', 'Aggregate', 'Finalize', 'Report'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export interface RenderOptions {
  maxConcurrency?: number;
  /** Seconds one Train task may run (default: the construct's, 15 minutes). */
  trainTimeoutSeconds?: number;
}

export interface RenderedDefinition {
  definition: AslDefinition;
  /** The placeholder function ARN each Task state names as its Resource. */
  taskResources: Record<TaskName, string>;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
/** The bucket the rendered definition names (the local runner never asks S3 for it). */
export const PLACEHOLDER_BUCKET = 'layerbench-local';
export const placeholderArn = (task: TaskName) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:layerbench-${task.toLowerCase()}`;

export function renderDefinition(opts: RenderOptions = {}): RenderedDefinition {
  const app = new cdk.App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new cdk.Stack(app, 'LayerbenchLocal', { env: { account: ACCOUNT, region: REGION } });
  const fn = (task: TaskName) => lambda.Function.fromFunctionArn(stack, `${task}Function`, placeholderArn(task));
  const workflow = new SweepWorkflow(stack, 'Workflow', {
    bucket: s3.Bucket.fromBucketName(stack, 'Bucket', PLACEHOLDER_BUCKET),
    planFunction: fn('Plan'),
    trainFunction: fn('Train'),
    recordFailureFunction: fn('RecordFailure'),
    aggregateFunction: fn('Aggregate'),
    finalizeFunction: fn('Finalize'),
    reportFunction: fn('Report'),
    maxConcurrency: opts.maxConcurrency,
    trainTimeout: opts.trainTimeoutSeconds === undefined ? undefined : cdk.Duration.seconds(opts.trainTimeoutSeconds),
  });
  const machine = new sfn.StateMachine(stack, 'StateMachine', { definitionBody: workflow.definitionBody });
  const cfn = machine.node.defaultChild as sfn.CfnStateMachine;
  const definition = JSON.parse(resolveString(stack.resolve(cfn.definitionString))) as AslDefinition;
  return {
    definition,
    taskResources: Object.fromEntries(TASK_NAMES.map((t) => [t, placeholderArn(t)])) as Record<TaskName, string>,
  };
}

/** A resolved CloudFormation string: a literal, or Fn::Join over literals and pseudo-parameter Refs. */
function resolveString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const join = v['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(resolveString).join(join[0]);
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
    const ref = v.Ref as string | undefined;
    if (ref && pseudo[ref]) return pseudo[ref];
  }
  throw new Error(`cannot render the state machine definition locally: unresolved token ${JSON.stringify(value)}`);
}

/** Where the local Map finds its items: the local runner puts the list the ItemReader would read there. */
export const LOCAL_ITEMS_PATH = '$.items';

/** The definition the local interpreter runs: the Map's ItemReader replaced by `ItemsPath: $.items`; nothing else changes. */
export function localDefinition(definition: AslDefinition): AslDefinition {
  const local = structuredClone(definition);
  const map = local.States[STATE.map];
  if (!map?.ItemReader) throw new Error(`the definition's ${STATE.map} state has no ItemReader`);
  delete map.ItemReader;
  map.ItemsPath = LOCAL_ITEMS_PATH;
  return local;
}

/** The Train state inside the Map (where the local runner reads its timeout). */
export function trainState(definition: AslDefinition): AslState {
  const state = definition.States[STATE.map]?.ItemProcessor?.States[STATE.train];
  if (!state) throw new Error(`the definition has no ${STATE.map}.${STATE.train} state`);
  return state;
}
