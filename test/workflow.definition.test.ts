import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import '../src/workflow/polyfill.js';
import { STATE, SweepWorkflow, TRANSIENT_ERRORS } from '../infra/workflow.js';
import { renderDefinition, trainState, type AslDefinition } from '../src/workflow/definition.js';

const ARN = '<lambda-arn>';

/** The DefinitionString of the template's only state machine, every Fn::GetAtt / Ref replaced by ARN. */
function templateDefinition(template: Template): AslDefinition {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  expect(machines).toHaveLength(1);
  const def = (machines[0] as { Properties: { DefinitionString: unknown } }).Properties.DefinitionString;
  const text =
    typeof def === 'string'
      ? def
      : (def as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : ARN)).join('');
  return JSON.parse(text) as AslDefinition;
}

/** Every Task's Resource → ARN (the only place function ARNs appear). */
function normaliseArns(definition: AslDefinition): AslDefinition {
  return JSON.parse(
    JSON.stringify(definition, (k, v: unknown) => (k === 'Resource' && typeof v === 'string' && v.startsWith('arn:aws:lambda:') ? ARN : v)),
  ) as AslDefinition;
}

/** A stack as a user deploys it: real functions (inline code, so no assets), the construct in a StateMachine. */
function deployedTemplate(maxConcurrency?: number): Template {
  // The built-in CloudFormation validation (a wasm linter) takes 5–25 s per synth here; this test compares definitions.
  const app = new cdk.App({ builtinCloudFormationValidation: false });
  const stack = new cdk.Stack(app, 'Deployed');
  const fn = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
  const workflow = new SweepWorkflow(stack, 'Workflow', {
    planFunction: fn('Plan'),
    trainFunction: fn('Train'),
    aggregateFunction: fn('Aggregate'),
    reportFunction: fn('Report'),
    maxConcurrency,
  });
  new sfn.StateMachine(stack, 'StateMachine', { definitionBody: workflow.definitionBody });
  return Template.fromStack(stack);
}

describe('the definition the local runner executes', () => {
  it('equals the DefinitionString of the synthesized CloudFormation template, ARNs aside', () => {
    const local = renderDefinition();
    const deployed = templateDefinition(deployedTemplate());
    expect(normaliseArns(local.definition)).toEqual(deployed);
  });

  it('equals it with a non-default MaxConcurrency too', () => {
    const local = renderDefinition({ maxConcurrency: 3 });
    expect(normaliseArns(local.definition)).toEqual(templateDefinition(deployedTemplate(3)));
    expect(local.definition.States[STATE.map]?.MaxConcurrency).toBe(3);
  });

  it('passes the interpreter\'s validation (the local runner skips it at run time)', () => {
    const { definition } = renderDefinition({ maxConcurrency: 3, trainTimeoutSeconds: 60 });
    expect(() => new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0])).not.toThrow();
  });

  it('is plain JSON naming a placeholder function per Task state', () => {
    const { definition, taskResources } = renderDefinition();
    expect(definition.States[STATE.plan]?.Resource).toBe(taskResources.Plan);
    expect(trainState(definition).Resource).toBe(taskResources.Train);
    expect(definition.States[STATE.aggregate]?.Resource).toBe(taskResources.Aggregate);
    expect(definition.States[STATE.report]?.Resource).toBe(taskResources.Report);
    expect(JSON.stringify(definition)).not.toMatch(/Fn::|"Ref"/);
  });
});

describe('the workflow construct', () => {
  const { definition } = renderDefinition();

  it('runs Plan → TrainCandidates → Aggregate → Report', () => {
    expect(definition.StartAt).toBe(STATE.plan);
    expect(definition.States[STATE.plan]?.Next).toBe(STATE.map);
    expect(definition.States[STATE.map]?.Next).toBe(STATE.aggregate);
    expect(definition.States[STATE.aggregate]?.Next).toBe(STATE.report);
    expect(definition.States[STATE.report]?.End).toBe(true);
  });

  it('maps Train over $.items in Distributed mode, inline, results beside runs', () => {
    const map = definition.States[STATE.map]!;
    expect(map.Type).toBe('Map');
    expect(map.ItemsPath).toBe('$.items');
    expect(map.ResultPath).toBe('$.results');
    expect(map.MaxConcurrency).toBe(8);
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    // The local interpreter has neither ItemReader nor ResultWriter.
    expect(map).not.toHaveProperty('ItemReader');
    expect(map).not.toHaveProperty('ResultWriter');
  });

  it('retries transient errors with backoff and catches everything else into RecordFailure', () => {
    const train = trainState(definition);
    expect(train.Retry).toEqual([{ ErrorEquals: [...TRANSIENT_ERRORS], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }]);
    expect(train.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.recordFailure }]);
    expect(train.TimeoutSeconds).toBe(900);
    const record = definition.States[STATE.map]!.ItemProcessor!.States[STATE.recordFailure]!;
    expect(record).toMatchObject({
      Type: 'Pass',
      End: true,
      Parameters: { 'runId.$': '$.runId', 'candidateId.$': '$.candidateId', status: 'failed', 'error.$': '$.error' },
    });
  });

  it('hands Aggregate only the runs and the results, and Report only the runs', () => {
    expect(definition.States[STATE.aggregate]?.Parameters).toEqual({ 'runs.$': '$.runs', 'results.$': '$.results' });
    expect(definition.States[STATE.report]?.Parameters).toEqual({ 'runs.$': '$.runs' });
  });

  it('retries Plan, Aggregate and Report like Train', () => {
    const train = trainState(definition);
    for (const name of [STATE.plan, STATE.aggregate, STATE.report]) expect(definition.States[name]?.Retry).toEqual(train.Retry);
  });

  it('grants the state machine permission to invoke the four functions', () => {
    const template = deployedTemplate();
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const actions = JSON.stringify(policies);
    expect(actions).toContain('lambda:InvokeFunction');
    for (const fn of ['Plan', 'Train', 'Aggregate', 'Report']) expect(actions).toContain(fn);
  });
});
