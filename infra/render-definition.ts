/**
 * The state machine definition, rendered from the CDK construct that is deployed (infra/workflow.ts):
 * the construct is built in a bare Stack with placeholder functions and bucket (no assets, no
 * bundling) and its DefinitionString is resolved to plain Amazon States Language JSON.
 *
 * The local runner does not load this (nor aws-cdk-lib): it runs the committed copy,
 * src/workflow/definition_template.ts, written by `npx tsx infra/render-definition.ts --write-template`
 * — the definition with the construct's defaults, and where each option's value sits in it, found by
 * rendering the construct with two values of the option and comparing (no sentinel values).
 * test/workflow.template.test.ts proves the committed copy is what this renders.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { AslDefinition, DefinitionPath, RenderOption, RenderOptions } from '../src/workflow/asl.js';
import { TASK_NAMES, type TaskName } from '../src/workflow/contract.js';
import { type MapExecution, SweepWorkflow } from './workflow.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
/** The bucket the rendered definition names (the local runner never asks S3 for it). */
export const PLACEHOLDER_BUCKET = 'layerbench-local';
/**
 * The Map's children as the local runner runs them: Standard. A local child has no five-minute limit,
 * so Train keeps its whole timeout; the deployed default, Express, differs only in the children's
 * ExecutionType and in Train's timeout, capped at 4 minutes (test/workflow.template.test.ts).
 */
const LOCAL_MAP_EXECUTION: MapExecution = 'standard';
export const placeholderArn = (task: TaskName) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:layerbench-${task.toLowerCase()}`;

export interface RenderedDefinition {
  definition: AslDefinition;
  /** The placeholder function ARN each Task state names as its Resource. */
  taskResources: Record<TaskName, string>;
}

export function renderDefinition(opts: RenderOptions & { mapExecution?: MapExecution } = {}): RenderedDefinition {
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
    mapExecution: opts.mapExecution ?? LOCAL_MAP_EXECUTION,
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

/** Every leaf where two definitions differ, as its path of keys. */
function differingLeaves(a: unknown, b: unknown, path: string[] = []): string[][] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differingLeaves((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, k]));
  }
  return isDeepStrictEqual(a, b) ? [] : [path];
}

/** Two values of each option, neither the construct's default: the leaves that differ between their renders are where the option sits. */
const PROBES: Record<RenderOption, [number, number]> = { maxConcurrency: [3, 5], trainTimeoutSeconds: [30, 50] };

/**
 * Where each option's value sits in the rendered definition. Checked, not assumed: each render with a
 * probe value holds that value at every place found, and nothing else in it differs from the defaults'.
 */
export function optionPaths(defaults: AslDefinition = renderDefinition().definition): Record<RenderOption, DefinitionPath[]> {
  const out = {} as Record<RenderOption, DefinitionPath[]>;
  for (const option of Object.keys(PROBES) as RenderOption[]) {
    const [one, two] = PROBES[option].map((v) => renderDefinition({ [option]: v }).definition);
    const paths = differingLeaves(one, two);
    const valueAt = (d: unknown, p: string[]) => p.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], d);
    const elsewhere = differingLeaves(defaults, one).filter((p) => !paths.some((q) => isDeepStrictEqual(p, q)));
    if (paths.length === 0 || elsewhere.length > 0 || paths.some((p) => valueAt(one, p) !== PROBES[option][0] || valueAt(two, p) !== PROBES[option][1])) {
      throw new Error(`cannot locate option ${option} in the rendered definition (found ${JSON.stringify(paths)}, other changes ${JSON.stringify(elsewhere)})`);
    }
    out[option] = paths;
  }
  return out;
}

/** The source of src/workflow/definition_template.ts: the definition with the construct's defaults, and where each option sits. */
export function templateSource(): string {
  const defaults = renderDefinition().definition;
  return [
    '// Generated by `npx tsx infra/render-definition.ts --write-template` from infra/workflow.ts. Do not edit.',
    '/** Where each option of the construct (src/workflow/asl.ts RenderOptions) sits in the definition: paths of keys. */',
    `export const TEMPLATE_OPTIONS = ${JSON.stringify(optionPaths(defaults))} as const;`,
    "/** The definition with the construct's defaults. */",
    `export const DEFINITION_TEMPLATE: unknown = ${JSON.stringify(defaults, null, 2)};`,
    '',
  ].join('\n');
}

if (process.argv.includes('--write-template') && import.meta.url === `file://${process.argv[1]}`) {
  const file = fileURLToPath(new URL('../src/workflow/definition_template.ts', import.meta.url));
  await writeFile(file, templateSource());
  process.stdout.write(`wrote ${file}\n`);
}
