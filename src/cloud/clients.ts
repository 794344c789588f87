/**
 * The AWS clients the CLI uses against a deployed stack, and the stack they point at. Built once per
 * command; tests replace the SDK clients with aws-sdk-client-mock and S3 with s3rver.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { errorMessage, LayerbenchError } from '../errors.js';
import { makeS3Client } from '../store/s3.js';

export interface CloudClients {
  cfn: CloudFormationClient;
  sfn: SFNClient;
  s3: S3Client;
}

/** Clients for one region (default: the SDK's own resolution — AWS_REGION, the profile). */
export function cloudClients(opts: { region?: string } = {}): CloudClients {
  const region = opts.region ? { region: opts.region } : {};
  return {
    cfn: new CloudFormationClient(region),
    sfn: new SFNClient(region),
    s3: makeS3Client(region),
  };
}

/** A failure talking to AWS, as one line naming what was being done. */
export class CloudError extends LayerbenchError {
  override readonly name = 'CloudError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'E_CLOUD', kind: 'fatal', cause });
  }
}

/** Wraps an SDK failure: missing credentials and region get a hint, anything else its SDK name. */
export function cloudError(err: unknown, doing: string): Error {
  if (err instanceof LayerbenchError) return err;
  const name = (err as { name?: string } | undefined)?.name ?? 'Error';
  const message = errorMessage(err);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new CloudError(`${doing}: no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run aws configure)`, err);
  }
  if (/Region is missing/i.test(message)) return new CloudError(`${doing}: no AWS region (pass --region or set AWS_REGION)`, err);
  return new CloudError(`${doing}: ${name}: ${message}`, err);
}
