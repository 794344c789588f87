/**
 * The deployed stack, synthesized offline with bundling off: bucket, upload rule, nightly schedule,
 * state machine, IAM, cdk-nag. Both train runtimes. No credentials, no Docker.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUNDLE_FILE, ESBUILD_SETTINGS, ESM_BANNER, HANDLERS, PROJECT_ROOT, type StepFunctionName as HandlerName } from '../infra/constructs/bundling.js';
import { stackConfigFromContext } from '../infra/stack.js';
import { STATE, TRANSIENT_ERRORS, TRANSIENT_RETRY } from '../infra/workflow.js';
import { applyInputTransformer, matchesPattern, objectCreatedEvent, type InputTransformer } from './helpers/eventbridge.js';
import { functionLogicalId, removeSynthOutputs, resourcesOfType, stateMachineDefinition, synthLayerbench, type Synthesized } from './helpers/cfn.js';

let zip: Synthesized;
let container: Synthesized;

beforeAll(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFAKEFAKEFAKEFAKE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fake');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  zip = synthLayerbench({ context: { trainRuntime: 'zip' } });
  container = synthLayerbench({
    context: { trainRuntime: 'container', libtensorflowBaseUri: 'https://mirror.example.com/libtensorflow-' },
  });
});

afterAll(() => {
  removeSynthOutputs();
  vi.unstubAllEnvs();
});

describe('train runtimes', () => {
  it('zip: the train function is a Node.js 22 bundle on arm64 with the configured memory and timeout (4 minutes in an Express child)', () => {
    const train = zip.json.Resources[functionLogicalId(zip.json, 'train')]!;
    expect(train.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      MemorySize: 2048,
      Timeout: 240,
    });
    zip.template.hasOutput('TrainRuntime', { Value: 'zip' });
  });

  it('container: the train function is an x86_64 image whose build context holds only what the Dockerfile copies', () => {
    const train = container.json.Resources[functionLogicalId(container.json, 'train')]!;
    expect(train.Properties).toMatchObject({ PackageType: 'Image', Architectures: ['x86_64'] });
    expect(train.Properties?.Runtime).toBeUndefined();
    const assetPath = train.Metadata?.['aws:asset:path'];
    expect(typeof assetPath).toBe('string');
    const context = join(container.outdir, String(assetPath));
    expect(readdirSync(context).sort()).toEqual(['functions', 'package-lock.json', 'package.json', 'src', 'tsconfig.json']);
    expect(existsSync(join(context, 'functions', 'train', 'Dockerfile'))).toBe(true);
    expect(train.Metadata?.['aws:asset:dockerfile-path']).toBe('functions/train/Dockerfile');
    const manifest = JSON.parse(readFileSync(join(container.outdir, `${container.stack.stackName}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerBuildArgs?: Record<string, string>; platform?: string } }>;
    };
    const image = Object.values(manifest.dockerImages).find((d) => d.source.directory === assetPath)!;
    expect(image.source).toMatchObject({
      dockerBuildArgs: { TFJS_NODE_BASE_URI: 'https://mirror.example.com/libtensorflow-' },
      platform: 'linux/amd64',
    });
    container.template.hasOutput('TrainRuntime', { Value: 'container' });
  });

  it("container: the Dockerfile bundles with the zip function's banner, so both run the same ESM shape", () => {
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'functions', 'train', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`--banner:js="${ESM_BANNER}"`);
    expect(dockerfile).toContain(`--format=${ESBUILD_SETTINGS.format} --target=${ESBUILD_SETTINGS.target}`);
    expect(dockerfile).toContain(`--outfile=dist/${BUNDLE_FILE}`);
  });

  it("finalize runs on Train's resources: the train bundle's finalize export (zip) or the train image with its finalize command (container)", () => {
    const zipTrain = zip.json.Resources[functionLogicalId(zip.json, 'train')]!;
    const zipFinalize = zip.json.Resources[functionLogicalId(zip.json, 'finalize')]!;
    expect(zipFinalize.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.finalize', Architectures: ['arm64'], MemorySize: 2048, Timeout: 900 });
    expect(zipFinalize.Properties?.Code).toEqual(zipTrain.Properties?.Code);
    expect(zipFinalize.Properties?.Environment).toMatchObject({ Variables: { LAYERBENCH_TRAIN_RUNTIME: 'zip', POWERTOOLS_SERVICE_NAME: 'layerbench-finalize' } });
    const train = container.json.Resources[functionLogicalId(container.json, 'train')]!;
    const finalize = container.json.Resources[functionLogicalId(container.json, 'finalize')]!;
    expect(finalize.Properties).toMatchObject({ PackageType: 'Image', Architectures: ['x86_64'], ImageConfig: { Command: ['index.finalize'] } });
    expect(train.Properties?.ImageConfig).toEqual({ Command: ['index.handler'] });
    expect(finalize.Properties?.Code).toEqual(train.Properties?.Code);
    expect(finalize.Metadata?.['aws:asset:path']).toBe(train.Metadata?.['aws:asset:path']);
    const s = synthLayerbench({ context: { trainMemory: '4096', trainTimeoutMinutes: '10' } });
    expect(s.json.Resources[functionLogicalId(s.json, 'finalize')]?.Properties).toMatchObject({ MemorySize: 4096, Timeout: 600 });
    expect(stateMachineDefinition(s.json).States[STATE.finalize]?.TimeoutSeconds).toBe(600);
  });

  it('plan, record-failure, aggregate and report are Node.js 22 bundles in both runtimes', () => {
    for (const s of [zip, container]) {
      for (const name of ['plan', 'record-failure', 'aggregate', 'report'] as const) {
        expect(s.json.Resources[functionLogicalId(s.json, name)]?.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
        });
      }
    }
  });

  it('memory, timeout and concurrency come from context; a bad value names its key', () => {
    const s = synthLayerbench({ context: { trainMemory: '4096', trainTimeoutMinutes: '10', maxConcurrency: '3', mapExecution: 'standard' } });
    expect(s.json.Resources[functionLogicalId(s.json, 'train')]?.Properties).toMatchObject({ MemorySize: 4096, Timeout: 600 });
    expect(stateMachineDefinition(s.json).States[STATE.map]?.MaxConcurrency).toBe(3);
    expect(stateMachineDefinition(s.json).States[STATE.map]?.ItemProcessor?.ProcessorConfig).toMatchObject({ ExecutionType: 'STANDARD' });
    expect(stateMachineDefinition(s.json).States[STATE.map]?.ItemProcessor?.States[STATE.train]?.TimeoutSeconds).toBe(600);
    // Express children (the default): Train's timeout is capped at 4 minutes, Plan refuses longer maxTaskSeconds, Finalize keeps the 10.
    const express = synthLayerbench({ context: { trainTimeoutMinutes: '10' } });
    expect(express.json.Resources[functionLogicalId(express.json, 'train')]?.Properties).toMatchObject({ Timeout: 240 });
    expect(express.json.Resources[functionLogicalId(express.json, 'plan')]?.Properties?.Environment).toMatchObject({ Variables: { LAYERBENCH_TRAIN_TIMEOUT_SECONDS: '240' } });
    expect(express.json.Resources[functionLogicalId(express.json, 'finalize')]?.Properties).toMatchObject({ Timeout: 600 });
    const bad = (context: Record<string, unknown>) => () => stackConfigFromContext(new App({ context }));
    expect(bad({ trainRuntime: 'lambda' })).toThrow(/^context trainRuntime: .*"lambda"/);
    expect(bad({ mapExecution: 'fast' })).toThrow(/^context mapExecution: .*"fast"/);
    expect(bad({ trainMemory: '64' })).toThrow(/^context trainMemory: /);
    expect(bad({ scheduleCron: '0 3 * * *' })).toThrow(/^context scheduleCron: must look like cron/);
  });

  it('context prices reach the functions that price (Aggregate, which also runs Promote, and Report); a bad table names the key', () => {
    const prices = '{"region":"eu-west-1","date":"2026-10","lambdaGbSecondArm64":0.0000134}';
    const s = synthLayerbench({ context: { prices } });
    const env = (name: HandlerName) => (s.json.Resources[functionLogicalId(s.json, name)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    // With the Map's children as deployed (Express by default), which the estimate prices.
    const priced = JSON.stringify({ ...JSON.parse(prices), mapExecution: 'express' });
    expect(env('aggregate').LAYERBENCH_PRICES).toBe(priced);
    expect(env('report').LAYERBENCH_PRICES).toBe(priced);
    expect(env('train').LAYERBENCH_PRICES).toBeUndefined();
    expect(() => stackConfigFromContext(new App({ context: { prices: '{"lambdaGbSecond":1}' } }))).toThrow(/^context prices: must be JSON of price overrides/);
  });
});

describe('lean, observable functions', () => {
  it('trace actively with X-Ray and run without source maps unless context sourceMaps turns them on', () => {
    const fns = (s: Synthesized) => HANDLERS.map((h) => s.json.Resources[functionLogicalId(s.json, h)]!.Properties!);
    for (const s of [zip, container]) {
      for (const p of fns(s)) {
        expect(p.TracingConfig).toEqual({ Mode: 'Active' });
        expect((p.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS).toBeUndefined();
      }
    }
    const withMaps = synthLayerbench({ context: { sourceMaps: 'true' } });
    for (const p of fns(withMaps)) expect((p.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'functions', 'train', 'Dockerfile'), 'utf8');
    expect(dockerfile).not.toMatch(/--sourcemap|enable-source-maps/);
  });
});

describe('operations', () => {
  it('alarms on failed executions, failed candidates, regressions and dead letters, into one SNS topic', () => {
    zip.template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    const topicId = resourcesOfType(zip.json, 'AWS::SNS::Topic').find(([id]) => id.includes('Alarms'))![0];
    for (const [, alarm] of resourcesOfType(zip.json, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', AlarmActions: [{ Ref: topicId }] });
    }
    zip.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'layerbench', MetricName: 'CandidatesFailed', Dimensions: [{ Name: 'service', Value: 'layerbench-aggregate' }] });
    zip.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'layerbench', MetricName: 'Regressions', Dimensions: [{ Name: 'service', Value: 'layerbench-report' }] });
    zip.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut + aborted' })]) });
    zip.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS' });
    zip.template.resourceCountIs('AWS::SNS::Subscription', 0);
    synthLayerbench({ context: { alarmEmail: 'ops@example.com' } }).template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('lets Report put its regression events on the default bus', () => {
    const report = zip.json.Resources[functionLogicalId(zip.json, 'report')]!;
    expect((report.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.LAYERBENCH_EVENT_BUS).toBe('default');
    expect(JSON.stringify(resourcesOfType(zip.json, 'AWS::IAM::Policy').map(([, p]) => p.Properties))).toContain(':event-bus/default');
  });

  it('expires the per-candidate models (tagged) after modelRetentionDays, checkpoints (tagged) after checkpointRetentionDays, item lists after a week, noncurrent versions after 30 days', () => {
    const rules = (s: Synthesized) =>
      (resourcesOfType(s.json, 'AWS::S3::Bucket').find(([, r]) => r.Properties?.VersioningConfiguration)![1].Properties!.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules(zip)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        expect.objectContaining({ Id: 'ExpireCandidateModels', ExpirationInDays: 90, TagFilters: [{ Key: 'layerbench-class', Value: 'model' }] }),
        expect.objectContaining({ Id: 'ExpireCheckpoints', ExpirationInDays: 14, TagFilters: [{ Key: 'layerbench-class', Value: 'checkpoint' }] }),
        expect.objectContaining({ Id: 'ExpireItemLists', Prefix: 'plans/', ExpirationInDays: 7 }),
        expect.objectContaining({ Id: 'ExpirePreparedData', Prefix: 'prepared/', ExpirationInDays: 7 }),
        expect.objectContaining({ Id: 'RemoveDeleteMarkers', ExpiredObjectDeleteMarker: true }),
      ]),
    );
    expect(rules(synthLayerbench({ context: { modelRetentionDays: '14', checkpointRetentionDays: '3' } }))).toEqual(
      expect.arrayContaining([expect.objectContaining({ Id: 'ExpireCandidateModels', ExpirationInDays: 14 }), expect.objectContaining({ Id: 'ExpireCheckpoints', ExpirationInDays: 3 })]),
    );
  });

  it('never expires a result: every rule that expires current objects names item lists, or the tags the store puts on candidate models and checkpoints only', () => {
    const rules = (resourcesOfType(zip.json, 'AWS::S3::Bucket').find(([, r]) => r.Properties?.VersioningConfiguration)![1].Properties!.LifecycleConfiguration as { Rules: Record<string, unknown>[] })
      .Rules;
    const expiring = rules.filter((r) => r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined);
    expect(expiring.map((r) => [r.Prefix ?? null, r.TagFilters ?? null])).toEqual([
      [null, [{ Key: 'layerbench-class', Value: 'model' }]],
      [null, [{ Key: 'layerbench-class', Value: 'checkpoint' }]],
      ['plans/', null],
      ['prepared/', null],
    ]);
  });
});

describe('guardrails', () => {
  it('hands Plan the limits from context and reserves (and caps) Train concurrency', () => {
    const env = (s: Synthesized, name: HandlerName) => (s.json.Resources[functionLogicalId(s.json, name)]!.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env(zip, 'plan')).toMatchObject({
      LAYERBENCH_MAX_CANDIDATES: '1000',
      LAYERBENCH_MAX_EPOCHS: '1000',
      LAYERBENCH_MAX_PARAMETERS: '10000000',
      LAYERBENCH_MAX_CANDIDATES_PER_NIGHT: '1000',
      LAYERBENCH_TRAIN_TIMEOUT_SECONDS: '240',
      LAYERBENCH_TRAIN_MEMORY_MB: '2048',
    });
    expect(zip.json.Resources[functionLogicalId(zip.json, 'train')]!.Properties?.ReservedConcurrentExecutions).toBe(8);
    const s = synthLayerbench({ context: { maxCandidatesPerRun: '50', maxEpochs: '200', maxParametersPerCandidate: '100000', maxCandidatesPerNight: '120', trainReservedConcurrency: '4' } });
    expect(env(s, 'plan')).toMatchObject({ LAYERBENCH_MAX_CANDIDATES: '50', LAYERBENCH_MAX_EPOCHS: '200', LAYERBENCH_MAX_PARAMETERS: '100000', LAYERBENCH_MAX_CANDIDATES_PER_NIGHT: '120' });
    expect(s.json.Resources[functionLogicalId(s.json, 'train')]!.Properties?.ReservedConcurrentExecutions).toBe(4);
    expect(container.json.Resources[functionLogicalId(container.json, 'train')]!.Properties?.ReservedConcurrentExecutions).toBe(8);
    expect(() => stackConfigFromContext(new App({ context: { maxEpochs: '0' } }))).toThrow(/^context maxEpochs: /);
  });
});

describe('bucket', () => {
  it('is private, SSL only, encrypted, versioned, retained, with EventBridge notifications on', () => {
    const buckets = resourcesOfType(zip.json, 'AWS::S3::Bucket');
    const [dataId, data] = buckets.find(([, r]) => r.Properties?.VersioningConfiguration !== undefined)!;
    expect(data.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^DataAccessLogs/) } },
    });
    expect(data.DeletionPolicy).toBe('Retain');
    zip.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: dataId },
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    zip.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: dataId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    zip.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    zip.template.hasOutput('BucketName', { Value: { Ref: dataId } });
  });
});

describe('upload rule', () => {
  const rule = () => resourcesOfType(zip.json, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties?.EventPattern).includes('aws.s3'))!;
  const dataBucket = () => resourcesOfType(zip.json, 'AWS::S3::Bucket').find(([, r]) => r.Properties?.VersioningConfiguration)![0];

  it('matches a non-empty object under datasets/ or a sweeps/*.json of our bucket, and never a folder, runs/, history/ or plans/', () => {
    const [, r] = rule();
    const pattern = r.Properties?.EventPattern as Record<string, unknown>;
    expect(pattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: dataBucket() }] },
        object: { key: [{ prefix: 'datasets/' }, { wildcard: 'sweeps/*.json' }], size: [{ numeric: ['>', 0] }] },
      },
    });
    const concrete = JSON.parse(JSON.stringify(pattern).replace(JSON.stringify({ Ref: dataBucket() }), '"lb-bucket"')) as Record<string, unknown>;
    const event = (key: string, bucket = 'lb-bucket') => objectCreatedEvent({ bucket, key, etag: 'abc', size: 1 });
    expect(matchesPattern(event('sweeps/iris.json'), concrete)).toBe(true);
    expect(matchesPattern(event('datasets/iris.csv'), concrete)).toBe(true);
    expect(matchesPattern(event('runs/iris-upload-1/leaderboard.json'), concrete)).toBe(false);
    expect(matchesPattern(event('history/iris.json'), concrete)).toBe(false);
    expect(matchesPattern(event('sweeps/iris.json', 'other-bucket'), concrete)).toBe(false);
    expect(matchesPattern({ ...event('sweeps/iris.json'), 'detail-type': 'Object Deleted' }, concrete)).toBe(false);
    // A console "folder" and anything but JSON under sweeps/ start nothing.
    expect(matchesPattern(objectCreatedEvent({ bucket: 'lb-bucket', key: 'sweeps/', etag: 'd41d8cd98f00b204e9800998ecf8427e', size: 0 }), concrete)).toBe(false);
    expect(matchesPattern(event('sweeps/notes.txt'), concrete)).toBe(false);
    expect(matchesPattern(event('plans/20261130-000000-abcd1234.json'), concrete)).toBe(false);
  });

  it('retries a delivery for two hours, then keeps it in an encrypted dead-letter queue', () => {
    const [, r] = rule();
    const [target] = r.Properties?.Targets as { RetryPolicy: unknown; DeadLetterConfig: { Arn: unknown } }[];
    expect(target!.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 });
    const [queueId] = resourcesOfType(zip.json, 'AWS::SQS::Queue')[0]!;
    expect(target!.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    zip.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    zip.template.hasResourceProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } } }) });
  });

  it('starts the state machine directly with { trigger, key, etag } taken from the event', () => {
    const [, r] = rule();
    const targets = r.Properties?.Targets as { Arn: unknown; RoleArn: unknown; InputTransformer: InputTransformer }[];
    expect(targets).toHaveLength(1);
    const machineId = resourcesOfType(zip.json, 'AWS::StepFunctions::StateMachine')[0]![0];
    expect(targets[0]!.Arn).toEqual({ Ref: machineId });
    const event = objectCreatedEvent({ bucket: 'lb-bucket', key: 'sweeps/iris.json', etag: 'b1946ac92492d2347c6235b4d2611184', size: 5 });
    expect(applyInputTransformer(event, targets[0]!.InputTransformer)).toEqual({
      trigger: 'upload',
      key: 'sweeps/iris.json',
      etag: 'b1946ac92492d2347c6235b4d2611184',
    });
  });
});

describe('nightly schedule', () => {
  it('runs every registered sweep at the cron and time zone from context', () => {
    const s = synthLayerbench({ context: { scheduleCron: 'cron(30 1 * * ? *)', scheduleTimeZone: 'Europe/Berlin' } });
    const machineId = resourcesOfType(s.json, 'AWS::StepFunctions::StateMachine')[0]![0];
    s.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 1 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: { Ref: machineId }, RoleArn: Match.anyValue() },
    });
    const [, schedule] = resourcesOfType(s.json, 'AWS::Scheduler::Schedule')[0]!;
    expect(JSON.parse(String((schedule.Properties?.Target as { Input: string }).Input))).toEqual({ trigger: 'schedule' });
  });

  it('defaults to 03:00 UTC and can be turned off', () => {
    zip.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 * * ? *)', ScheduleExpressionTimezone: 'UTC' });
    synthLayerbench({ context: { nightly: 'off' } }).template.resourceCountIs('AWS::Scheduler::Schedule', 0);
  });
});

describe('completion', () => {
  it('mails the end of each execution when notifyEmail is given, and adds nothing otherwise', () => {
    zip.template.resourceCountIs('AWS::SNS::Topic', 1); // the alarm topic only
    const s = synthLayerbench({ context: { notifyEmail: 'ops@example.com' } });
    s.template.resourceCountIs('AWS::SNS::Topic', 2);
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const machineId = resourcesOfType(s.json, 'AWS::StepFunctions::StateMachine')[0]![0];
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: machineId }], status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
    });
  });
});

describe('state machine', () => {
  it('is a Standard state machine with every event logged and X-Ray tracing on', () => {
    zip.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [Match.objectLike({ CloudWatchLogsLogGroup: Match.anyValue() })] },
    });
    zip.template.hasOutput('StateMachineArn', Match.anyValue());
  });

  it('runs Plan → a Distributed Map of Express children of Train (Retry on transient errors, Catch into RecordFailure) → Aggregate → MoreRounds (Promote → the Map again) → Finalize (Catch into Report) → Report', () => {
    const asl = stateMachineDefinition(zip.json);
    const fnArn = (name: HandlerName) => `arn:aws:lambda:us-east-1:123456789012:function:${functionLogicalId(zip.json, name)}`;
    expect(asl.StartAt).toBe(STATE.plan);
    expect(asl.States[STATE.plan]).toMatchObject({ Type: 'Task', Resource: fnArn('plan'), Next: STATE.map });
    const map = asl.States[STATE.map]!;
    const dataBucket = resourcesOfType(zip.json, 'AWS::S3::Bucket').find(([, r]) => r.Properties?.VersioningConfiguration)![0];
    // A child that ends without a result is Aggregate's to record (src/steps/lost-items.ts), never the Map's failure.
    expect(map).toMatchObject({ Type: 'Map', MaxConcurrency: 8, ToleratedFailurePercentage: 100, ResultPath: null, Next: STATE.aggregate });
    expect(map.ItemReader).toMatchObject({ Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: dataBucket.toLowerCase(), 'Key.$': '$.itemsKey' } });
    expect(map.ItemProcessor?.ProcessorConfig).toMatchObject({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    // An Express child lasts 5 minutes at most: Train gets 4 of them, and a task that has to go on does so in the parent (Promote).
    const train = map.ItemProcessor!.States[STATE.train]!;
    expect(train).toMatchObject({ Type: 'Task', Resource: fnArn('train'), Next: STATE.trained, TimeoutSeconds: 240 });
    expect(map.ItemProcessor!.States[STATE.trained]).toMatchObject({ Type: 'Pass', Result: {}, End: true });
    expect(train.Retry).toEqual([expect.objectContaining({ ErrorEquals: [...TRANSIENT_ERRORS], MaxAttempts: TRANSIENT_RETRY.maxAttempts, JitterStrategy: 'FULL' })]);
    expect(train.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.recordFailure }]);
    expect(map.ItemProcessor!.States[STATE.recordFailure]).toMatchObject({ Type: 'Task', Resource: fnArn('record-failure'), End: true });
    expect(asl.States[STATE.aggregate]).toMatchObject({ Type: 'Task', Resource: fnArn('aggregate'), Next: STATE.moreRounds });
    expect(asl.States[STATE.moreRounds]).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.promote', BooleanEquals: true, Next: STATE.promote }],
      Default: STATE.finalize,
    });
    // Promote runs in the Aggregate function (it dispatches on `step`), then the same Map trains the next round.
    expect(asl.States[STATE.promote]).toMatchObject({ Type: 'Task', Resource: fnArn('aggregate'), Parameters: { step: 'promote', 'runs.$': '$.runs' }, Next: STATE.map });
    expect(asl.States[STATE.finalize]).toMatchObject({ Type: 'Task', Resource: fnArn('finalize'), Next: STATE.report, TimeoutSeconds: 900 });
    expect(asl.States[STATE.finalize]?.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.finalizeError', Next: STATE.report }]);
    expect(asl.States[STATE.report]).toMatchObject({ Type: 'Task', Resource: fnArn('report'), End: true });
  });
});

describe('IAM', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
  const statementsOf = (s: Synthesized, name: HandlerName): Statement[] => {
    const fn = s.json.Resources[functionLogicalId(s.json, name)]!;
    const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return resourcesOfType(s.json, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const actions = (st: Statement) => (Array.isArray(st.Action) ? st.Action : [st.Action]);
  /** `runs/*\/run.json` from { Fn::Join: ['', [{ Fn::GetAtt: [bucket, Arn] }, '/runs/*\/run.json']] }. */
  const keyPatterns = (st: Statement) =>
    (Array.isArray(st.Resource) ? st.Resource : [st.Resource]).map((r) => {
      const join = (r as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      return join ? String(join[1].at(-1)).replace(/^\//, '') : '(bucket)';
    });
  const s3Grants = (s: Synthesized, name: HandlerName) => {
    const out: Record<string, string[]> = {};
    for (const st of statementsOf(s, name)) {
      for (const a of actions(st).filter((x) => x.startsWith('s3:'))) out[a] = [...(out[a] ?? []), ...keyPatterns(st)].sort();
    }
    return out;
  };

  it('no statement in the template allows a wildcard action', () => {
    for (const s of [zip, container]) {
      const all = [
        ...resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement),
        ...resourcesOfType(s.json, 'AWS::IAM::Role').flatMap(([, r]) =>
          ((r.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).flatMap((p) => p.PolicyDocument.Statement),
        ),
      ].filter((st) => st.Effect === 'Allow');
      expect(all.length).toBeGreaterThan(5);
      expect(all.flatMap(actions).filter((a) => a.includes('*'))).toEqual([]);
    }
  });

  it('each step reaches only its key patterns, with explicit actions', () => {
    for (const s of [zip, container]) {
      expect(s3Grants(s, 'plan')).toEqual({
        's3:ListBucket': ['(bucket)'],
        's3:GetObject': ['datasets/*', 'runs/*/run.json', 'sweeps/*'],
        's3:PutObject': ['plans/*', 'prepared/*', 'runs/*/baseline.json', 'runs/*/halving.json', 'runs/*/run.json', 'runs/*/train-context.json'],
      });
      expect(s3Grants(s, 'record-failure')).toEqual({
        's3:ListBucket': ['(bucket)'],
        's3:GetObject': ['runs/*/run.json'],
        's3:PutObject': ['runs/*/candidates/*', 'runs/*/curve/*'],
      });
      expect(s3Grants(s, 'train')).toEqual({
        's3:ListBucket': ['(bucket)'],
        's3:GetObject': ['datasets/*', 'prepared/*', 'runs/*/candidates/*', 'runs/*/checkpoints/*', 'runs/*/curve/*', 'runs/*/halving.json', 'runs/*/run.json', 'runs/*/train-context.json'],
        's3:PutObject': ['runs/*/candidates/*', 'runs/*/checkpoints/*', 'runs/*/curve/*', 'runs/*/models/*'],
        's3:PutObjectTagging': ['runs/*/checkpoints/*', 'runs/*/models/*'],
      });
      // Finalize reads what Train reads (and its own final.json, to skip a finished run); it writes only the final model.
      expect(s3Grants(s, 'finalize')).toEqual({
        's3:ListBucket': ['(bucket)'],
        's3:GetObject': ['datasets/*', 'runs/*/candidates/*', 'runs/*/model/*', 'runs/*/run.json'],
        's3:PutObject': ['runs/*/model/*'],
      });
      expect(s3Grants(s, 'aggregate')).toEqual({
        's3:ListBucket': ['(bucket)'],
        's3:GetObject': ['runs/*'],
        // The learning curve's analysis, and the failed document of a candidate or curve point whose Map child left no result;
        // as Promote between the Map's passes: the halving state, the learning curve's plan and the next item list.
        's3:PutObject': ['plans/*', 'runs/*/candidates/*', 'runs/*/curve-plan.json', 'runs/*/curve/*', 'runs/*/halving.json', 'runs/*/leaderboard.*', 'runs/*/learning-curve.json'],
        // A run's scratch, once done with: the item list the Map read, a finished run's checkpoints. Nothing else is ever deleted.
        's3:DeleteObject': ['plans/*', 'runs/*/checkpoints/*'],
      });
      expect(s3Grants(s, 'report')).toEqual({
        's3:ListBucket': ['(bucket)'],
        's3:GetObject': ['history/*', 'runs/*'],
        's3:PutObject': ['history/*', 'runs/*/leaderboard.*', 'runs/*/report.*'],
      });
    }
  });
});

describe('cdk-nag', () => {
  it('AwsSolutions checks pass for both runtimes, and every acknowledgement carries a reason', () => {
    for (const s of [zip, synthLayerbench({ context: { trainRuntime: 'container', notifyEmail: 'ops@example.com' } })]) {
      const report = new AwsSolutionsChecks(s.app).validateScope(s.app);
      expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
      expect(report.success).toBe(true);
      const acknowledged = s.app.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
        .flatMap((m) => Object.entries(m.data as Record<string, string>));
      expect(acknowledged.length).toBeGreaterThan(5);
      for (const [id, reason] of acknowledged) {
        expect(id).toMatch(/AwsSolutions-/);
        expect(reason.length, id).toBeGreaterThan(30);
      }
    }
  });
});
