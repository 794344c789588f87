import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import * as s3 from 'aws-cdk-lib/aws-s3';
import '../src/workflow/polyfill.js';
import { ITEM_LISTS, STATE, SweepWorkflow, TRANSIENT_ERRORS, TRANSIENT_RETRY } from '../infra/workflow.js';
import { PLACEHOLDER_BUCKET, renderDefinition } from '../infra/render-definition.js';
import { LOCAL_ITEMS_PATH, localDefinition, trainState, type AslDefinition } from '../src/workflow/asl.js';

const ARN = '<lambda-arn>';

/** The DefinitionString of the template's only state machine, every Fn::GetAtt / Ref replaced by ARN (the bucket's name too). */
function templateDefinition(template: Template): AslDefinition {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  expect(machines).toHaveLength(1);
  const def = (machines[0] as { Properties: { DefinitionString: unknown } }).Properties.DefinitionString;
  const text =
    typeof def === 'string'
      ? def
      : (def as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"AWS::Partition"}' ? 'aws' : ARN)).join('');
  return JSON.parse(text) as AslDefinition;
}

/** Every Task's Resource and the ItemReader's bucket → ARN (the only places the stack's resources appear). */
function normaliseArns(definition: AslDefinition): AslDefinition {
  return JSON.parse(
    JSON.stringify(definition, (k, v: unknown) => ((k === 'Resource' && typeof v === 'string' && v.startsWith('arn:aws:lambda:')) || (k === 'Bucket' && v === PLACEHOLDER_BUCKET) ? ARN : v)),
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
    bucket: new s3.Bucket(stack, 'Bucket'),
    planFunction: fn('Plan'),
    trainFunction: fn('Train'),
    recordFailureFunction: fn('RecordFailure'),
    aggregateFunction: fn('Aggregate'),
    finalizeFunction: fn('Finalize'),
    reportFunction: fn('Report'),
    maxConcurrency,
    // Locally the Map's children are Standard (no five-minute limit); the Express default differs only there (test/workflow.template.test.ts).
    mapExecution: 'standard',
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

  it("passes the interpreter's validation (the local runner skips it at run time)", () => {
    const { definition } = renderDefinition({ maxConcurrency: 3, trainTimeoutSeconds: 60 });
    expect(() => new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0])).not.toThrow();
  });

  it('is plain JSON naming a placeholder function per Task state', () => {
    const { definition, taskResources } = renderDefinition();
    expect(definition.States[STATE.plan]?.Resource).toBe(taskResources.Plan);
    expect(trainState(definition).Resource).toBe(taskResources.Train);
    expect(definition.States[STATE.map]?.ItemProcessor?.States[STATE.recordFailure]?.Resource).toBe(taskResources.RecordFailure);
    expect(definition.States[STATE.aggregate]?.Resource).toBe(taskResources.Aggregate);
    expect(definition.States[STATE.finalize]?.Resource).toBe(taskResources.Finalize);
    expect(definition.States[STATE.report]?.Resource).toBe(taskResources.Report);
    expect(JSON.stringify(definition)).not.toMatch(/Fn::|"Ref"/);
  });
});

describe('the local definition', () => {
  it("differs from the deployed one only where the Map finds its items: the store's list at $.items instead of the ItemReader", () => {
    const deployed = renderDefinition().definition;
    const local = localDefinition(deployed);
    const withoutItemSource = (d: AslDefinition) => {
      const copy = structuredClone(d);
      delete copy.States[STATE.map]!.ItemReader;
      delete copy.States[STATE.map]!.ItemsPath;
      return copy;
    };
    expect(deployed.States[STATE.map]).toHaveProperty('ItemReader');
    expect(deployed.States[STATE.map]).not.toHaveProperty('ItemsPath');
    expect(local.States[STATE.map]).not.toHaveProperty('ItemReader');
    expect(local.States[STATE.map]?.ItemsPath).toBe(LOCAL_ITEMS_PATH);
    expect(withoutItemSource(local)).toEqual(withoutItemSource(deployed));
  });
});

describe('the workflow construct', () => {
  const { definition } = renderDefinition();

  it('runs Plan → TrainCandidates → Aggregate → MoreRounds → Finalize → Report, looping MoreRounds → Promote → TrainCandidates', () => {
    expect(definition.StartAt).toBe(STATE.plan);
    expect(definition.States[STATE.plan]?.Next).toBe(STATE.map);
    expect(definition.States[STATE.map]?.Next).toBe(STATE.aggregate);
    expect(definition.States[STATE.aggregate]?.Next).toBe(STATE.moreRounds);
    expect(definition.States[STATE.moreRounds]).toMatchObject({ Type: 'Choice', Default: STATE.finalize, Choices: [{ Variable: '$.promote', BooleanEquals: true, Next: STATE.promote }] });
    expect(definition.States[STATE.promote]).toMatchObject({ Type: 'Task', Parameters: { step: 'promote', 'runs.$': '$.runs' }, Next: STATE.map });
    expect(definition.States[STATE.finalize]?.Next).toBe(STATE.report);
    expect(definition.States[STATE.report]?.End).toBe(true);
  });

  it('maps Train over the item list Plan wrote to the bucket (ItemReader), in Distributed mode, discarding the results', () => {
    const map = definition.States[STATE.map]!;
    expect(map.Type).toBe('Map');
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: PLACEHOLDER_BUCKET, 'Key.$': '$.itemsKey' },
    });
    expect(map).not.toHaveProperty('ItemsPath');
    expect(map.ResultPath).toBeNull();
    expect(map.MaxConcurrency).toBe(8);
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    // Every way out of a child ends with an empty result: the Map's array of them stays 3 bytes per candidate.
    const states = map.ItemProcessor!.States;
    for (const name of Object.keys(states).filter((n) => states[n]!.End)) expect(states[name]!.ResultSelector ?? states[name]!.Result).toEqual({});
    expect(
      Object.keys(states)
        .filter((n) => states[n]!.End)
        .sort(),
    ).toEqual([STATE.recordFailure, STATE.trained]);
  });

  it('retries transient errors with full-jitter backoff, and catches everything else into RecordFailure', () => {
    const train = trainState(definition);
    expect(train.Retry).toEqual([
      {
        ErrorEquals: [...TRANSIENT_ERRORS],
        IntervalSeconds: TRANSIENT_RETRY.intervalSeconds,
        MaxAttempts: TRANSIENT_RETRY.maxAttempts,
        BackoffRate: TRANSIENT_RETRY.backoffRate,
        MaxDelaySeconds: TRANSIENT_RETRY.maxDelaySeconds,
        JitterStrategy: 'FULL',
      },
    ]);
    expect(train.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.recordFailure }]);
    expect(train.TimeoutSeconds).toBe(900);
    const record = definition.States[STATE.map]!.ItemProcessor!.States[STATE.recordFailure]!;
    expect(record).toMatchObject({ Type: 'Task', End: true, Retry: train.Retry });
    // The failed item as the Catch left it (round and retrain included), not a selection of it.
    expect(record.Parameters).toBeUndefined();
  });

  it("names Lambda's documented transient errors and TransientError, at least 6 attempts, backoff 2, a maximum delay", () => {
    expect([...TRANSIENT_ERRORS].sort()).toEqual(
      ['Lambda.AWSLambdaException', 'Lambda.ClientExecutionTimeoutException', 'Lambda.SdkClientException', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'TransientError'].sort(),
    );
    expect(TRANSIENT_RETRY.maxAttempts).toBeGreaterThanOrEqual(6);
    expect(TRANSIENT_RETRY.backoffRate).toBe(2);
    expect(TRANSIENT_RETRY.maxDelaySeconds).toBeGreaterThan(0);
  });

  it('hands Aggregate the runs and the item list the Map read (to delete it), Finalize only the runs, and Report what Finalize or its Catch left', () => {
    expect(definition.States[STATE.aggregate]?.Parameters).toEqual({ 'runs.$': '$.runs', 'itemsKey.$': '$.itemsKey' });
    expect(definition.States[STATE.finalize]?.Parameters).toEqual({ 'runs.$': '$.runs' });
    expect(definition.States[STATE.report]).not.toHaveProperty('Parameters');
  });

  it('retries Plan, Aggregate, Finalize and Report like Train', () => {
    const train = trainState(definition);
    for (const name of [STATE.plan, STATE.aggregate, STATE.finalize, STATE.report]) expect(definition.States[name]?.Retry).toEqual(train.Retry);
  });

  it("gives Finalize Train's timeout and catches any failure into Report, the error beside the runs", () => {
    expect(definition.States[STATE.finalize]?.TimeoutSeconds).toBe(trainState(definition).TimeoutSeconds);
    expect(renderDefinition({ trainTimeoutSeconds: 120 }).definition.States[STATE.finalize]?.TimeoutSeconds).toBe(120);
    expect(definition.States[STATE.finalize]?.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.finalizeError', Next: STATE.report }]);
  });

  it('grants the state machine permission to invoke the six functions and to read the item lists only', () => {
    const template = deployedTemplate();
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );
    const actions = JSON.stringify(statements);
    expect(actions).toContain('lambda:InvokeFunction');
    for (const fn of ['Plan', 'Train', 'RecordFailure', 'Aggregate', 'Finalize', 'Report']) expect(actions).toContain(fn);
    const reads = statements.filter((st) => st.Action === 's3:GetObject');
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0]!.Resource)).toContain(`/${ITEM_LISTS}`);
  });
});
