/**
 * The layerbench stack, synthesized for tests, and what tests read out of its template.
 *
 *   const s = synthLayerbench({ context: { trainRuntime: 'container' } });   // bundling off
 *   s.template.hasResourceProperties('AWS::S3::Bucket', { … });
 *   const asl = stateMachineDefinition(s.template);                        // plain ASL JSON
 *   const b = synthLayerbench({ bundling: true });  lambdaAssets(b)         // { plan, train, aggregate, report } → bundle dirs
 *
 * Context starts from cdk.json's (as `cdk synth` would read it). The app is built by infra/app.ts,
 * so cdk-nag's AwsSolutions checks run at synth and an unacknowledged finding fails it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';
import { HANDLERS, PROJECT_ROOT, type HandlerName, type StepFunctionName } from '../../infra/constructs/bundling.js';
import type { LayerbenchStack } from '../../infra/stack.js';
import type { AslDefinition } from '../../src/workflow/asl.js';

export const FAKE_ACCOUNT = '123456789012';
export const FAKE_REGION = 'us-east-1';

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return { ...cdkJson.context };
}

export interface Synthesized {
  app: App;
  stack: LayerbenchStack;
  template: Template;
  /** The cloud assembly directory. */
  outdir: string;
  /** The raw template JSON. */
  json: CfnTemplate;
}

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; DeletionPolicy?: string }>;
  Outputs?: Record<string, { Value: unknown }>;
}

const outdirs: string[] = [];

/** Deletes every cloud assembly synthLayerbench wrote (call in afterAll). */
export function removeSynthOutputs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function synthLayerbench(opts: { context?: Record<string, unknown>; bundling?: boolean; cfnValidation?: boolean } = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'layerbench-cdk-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    builtinCloudFormationValidation: opts.cfnValidation ?? false,
    context: {
      ...cdkJsonContext(),
      // As the CDK CLI does: asset paths in resource metadata (where the bundles and build context lie).
      'aws:cdk:enable-asset-metadata': true,
      ...(opts.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...opts.context,
    },
  });
  const { stack } = buildApp(app);
  const assembly = app.synth();
  const json = assembly.getStackByName(stack.stackName).template as CfnTemplate;
  return { app, stack, template: Template.fromJSON(json), outdir, json };
}

export function resourcesOfType(json: CfnTemplate, type: string): [string, CfnTemplate['Resources'][string]][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

/**
 * Resolves the CloudFormation intrinsics a template string is built from: Fn::Join, Fn::GetAtt
 * (`<logicalId>.Arn` → a fake ARN naming the logical id) and Ref (pseudo parameters, resources).
 */
export function resolveIntrinsics(value: unknown, json: CfnTemplate): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, json));
  if (value === null || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => String(resolveIntrinsics(p, json))).join(sep);
  }
  if ('Fn::GetAtt' in v) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    return fakeArn(id, json.Resources[id]?.Type ?? '', attr);
  }
  if ('Ref' in v) {
    const ref = v.Ref as string;
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': FAKE_REGION,
      'AWS::AccountId': FAKE_ACCOUNT,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[ref]) return pseudo[ref];
    const type = json.Resources[ref]?.Type ?? '';
    return type === 'AWS::S3::Bucket' ? ref.toLowerCase() : fakeArn(ref, type, 'Arn');
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveIntrinsics(x, json)]));
}

function fakeArn(id: string, type: string, attr: string): string {
  if (type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${id}`;
  if (type === 'AWS::StepFunctions::StateMachine') return `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:stateMachine:${id}`;
  if (type === 'AWS::S3::Bucket' && attr === 'Arn') return `arn:aws:s3:::${id.toLowerCase()}`;
  return `arn:aws:${type}:${id}:${attr}`;
}

/** Plain ASL JSON of the one state machine in the template. */
export function stateMachineDefinition(json: CfnTemplate): AslDefinition {
  const machines = resourcesOfType(json, 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const [, machine] = machines[0]!;
  return JSON.parse(String(resolveIntrinsics(machine.Properties?.DefinitionString, json))) as AslDefinition;
}

export type { AslDefinition };

/** The logical id of the Lambda function whose POWERTOOLS_SERVICE_NAME is `layerbench-<name>`. */
export function functionLogicalId(json: CfnTemplate, name: StepFunctionName): string {
  const found = resourcesOfType(json, 'AWS::Lambda::Function').find(([, r]) => {
    const env = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    return env?.POWERTOOLS_SERVICE_NAME === `layerbench-${name}`;
  });
  if (!found) throw new Error(`no ${name} function in the template`);
  return found[0];
}

/** Where each handler's deployed bundle lies in the cloud assembly (synthesized with bundling on). */
export function lambdaAssets(s: Synthesized): Record<HandlerName, string> {
  const dir = (name: HandlerName) => {
    const meta = s.json.Resources[functionLogicalId(s.json, name)]?.Metadata ?? {};
    const path = meta['aws:asset:path'];
    if (typeof path !== 'string') throw new Error(`the ${name} function has no asset path`);
    return join(s.outdir, path);
  };
  return Object.fromEntries(HANDLERS.map((name) => [name, dir(name)])) as Record<HandlerName, string>;
}
