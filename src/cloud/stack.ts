/**
 * A deployed layerbench stack, found by name: its bucket and state machine come from the stack's
 * outputs (infra/stack.ts OUTPUTS), read with CloudFormation DescribeStacks.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Store } from '../store/s3.js';
import { CloudError, cloudError, type CloudClients } from './clients.js';

/** Output keys of the stack; kept equal to infra/stack.ts OUTPUTS (a test checks it). */
export const STACK_OUTPUTS = { bucket: 'BucketName', stateMachine: 'StateMachineArn' } as const;

export interface DeployedStack {
  stackName: string;
  bucket: string;
  stateMachineArn: string;
}

export async function findStack(clients: CloudClients, stackName: string): Promise<DeployedStack> {
  let stacks;
  try {
    stacks = (await clients.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
  } catch (err) {
    const message = (err as { message?: string } | undefined)?.message ?? '';
    if (/does not exist/i.test(message)) {
      throw new CloudError(`--stack ${stackName}: no such stack in this account and region (deploy it with npx cdk deploy, or pass --region)`, err);
    }
    throw cloudError(err, `--stack ${stackName}: describing the stack`);
  }
  const stack = stacks[0];
  if (!stack) throw new CloudError(`--stack ${stackName}: no such stack in this account and region`);
  const outputs = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const need = (key: string) => {
    const value = outputs.get(key);
    if (!value) {
      throw new CloudError(`--stack ${stackName}: has no ${key} output; is it a layerbench stack (status ${stack.StackStatus ?? 'unknown'})?`);
    }
    return value;
  };
  return { stackName, bucket: need(STACK_OUTPUTS.bucket), stateMachineArn: need(STACK_OUTPUTS.stateMachine) };
}

/** The stack's bucket as a layerbench store. */
export function stackStore(clients: CloudClients, stack: DeployedStack): S3Store {
  return new S3Store({ bucket: stack.bucket, client: clients.s3 });
}

/** The ARN of the execution named `name` of the stack's state machine. */
export function executionArn(stack: DeployedStack, name: string): string {
  return `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
