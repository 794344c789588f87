/**
 * The state machine definition, rendered from the CDK construct that is deployed (infra/workflow.ts):
 * the construct is built in a bare Stack with placeholder functions (no assets, no bundling) and its
 * DefinitionString is resolved to plain Amazon States Language JSON.
 */
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
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

export type TaskName = 'Plan' | 'Train' | 'Aggregate' | 'Report';

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
export const placeholderArn = (task: TaskName) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:layerbench-${task.toLowerCase()}`;

export function renderDefinition(opts: RenderOptions = {}): RenderedDefinition {
  const app = new cdk.App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new cdk.Stack(app, 'LayerbenchLocal', { env: { account: ACCOUNT, region: REGION } });
  const fn = (task: TaskName) => lambda.Function.fromFunctionArn(stack, `${task}Function`, placeholderArn(task));
  const workflow = new SweepWorkflow(stack, 'Workflow', {
    planFunction: fn('Plan'),
    trainFunction: fn('Train'),
    aggregateFunction: fn('Aggregate'),
    reportFunction: fn('Report'),
    maxConcurrency: opts.maxConcurrency,
    trainTimeout: opts.trainTimeoutSeconds === undefined ? undefined : cdk.Duration.seconds(opts.trainTimeoutSeconds),
  });
  const machine = new sfn.StateMachine(stack, 'StateMachine', { definitionBody: workflow.definitionBody });
  const cfn = machine.node.defaultChild as sfn.CfnStateMachine;
  const definition = JSON.parse(resolveString(stack.resolve(cfn.definitionString))) as AslDefinition;
  return {
    definition,
    taskResources: { Plan: placeholderArn('Plan'), Train: placeholderArn('Train'), Aggregate: placeholderArn('Aggregate'), Report: placeholderArn('Report') },
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

/** The Train state inside the Map (where the local runner reads its timeout). */
export function trainState(definition: AslDefinition): AslState {
  const state = definition.States[STATE.map]?.ItemProcessor?.States[STATE.train];
  if (!state) throw new Error(`the definition has no ${STATE.map}.${STATE.train} state`);
  return state;
}
