/**
 * Least-privilege access to the bucket, by key pattern, with explicit actions only (no `s3:*`, no
 * `s3:GetObject*`). Patterns are relative keys with `*` wildcards (`runs/*\/run.json`).
 *
 * `s3:ListBucket` is granted on the bucket without a prefix condition whenever a step must tell a
 * missing key from a forbidden one: without it S3 answers 403 instead of 404 for a missing object
 * (HeadObject/GetObject carry no `s3:prefix` to match a condition on), and "does this run exist?"
 * could not be asked. Listing reveals key names, never content.
 */
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

export interface KeyAccess {
  /** Key patterns the grantee may read (s3:GetObject; HeadObject uses the same permission). */
  readonly read?: readonly string[];
  /** Key patterns the grantee may write (s3:PutObject). */
  readonly write?: readonly string[];
  /** Whether the grantee may list the bucket (s3:ListBucket). */
  readonly list?: boolean;
  /** Key patterns the grantee may tag as it writes them (s3:PutObjectTagging). */
  readonly tag?: readonly string[];
  /** Key patterns the grantee may delete (s3:DeleteObject): a run's scratch only, never results. */
  readonly delete?: readonly string[];
}

/** The policy statements for one grantee. */
export function bucketAccessStatements(bucket: s3.IBucket, access: KeyAccess): iam.PolicyStatement[] {
  const out: iam.PolicyStatement[] = [];
  if (access.list) {
    out.push(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  }
  if (access.read?.length) {
    out.push(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: access.read.map((k) => bucket.arnForObjects(k)) }));
  }
  if (access.write?.length) {
    out.push(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: access.write.map((k) => bucket.arnForObjects(k)) }));
  }
  if (access.tag?.length) {
    out.push(new iam.PolicyStatement({ actions: ['s3:PutObjectTagging'], resources: access.tag.map((k) => bucket.arnForObjects(k)) }));
  }
  if (access.delete?.length) {
    out.push(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: access.delete.map((k) => bucket.arnForObjects(k)) }));
  }
  return out;
}

/**
 * Adds the statements to the grantee's policy and acknowledges, on `scope`, each key-pattern finding
 * of cdk-nag (AwsSolutions-IAM5): object keys are chosen at run time, never at deploy time.
 */
export function grantBucketAccess(scope: IConstruct, bucket: s3.IBucket & IConstruct, grantee: iam.IGrantable, access: KeyAccess): void {
  for (const statement of bucketAccessStatements(bucket, access)) grantee.grantPrincipal.addToPrincipalPolicy(statement);
  const patterns = [...new Set([...(access.read ?? []), ...(access.write ?? []), ...(access.tag ?? []), ...(access.delete ?? [])])];
  const cfnBucket = bucket.node.defaultChild;
  if (!(cfnBucket instanceof CfnElement)) return;
  const bucketArn = `<${Stack.of(bucket).getLogicalId(cfnBucket)}.Arn>`;
  for (const pattern of patterns) {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${pattern}]`,
      reason: `Object keys (run ids, candidate ids, dataset names) are only known at run time; this grants ${describe(access, pattern)} on the key pattern ${pattern} of the layerbench bucket only.`,
    });
  }
}

function describe(access: KeyAccess, pattern: string): string {
  const actions = [
    access.read?.includes(pattern) && 's3:GetObject',
    access.write?.includes(pattern) && 's3:PutObject',
    access.tag?.includes(pattern) && 's3:PutObjectTagging',
    access.delete?.includes(pattern) && 's3:DeleteObject',
  ].filter((a): a is string => typeof a === 'string');
  return actions.join(' and ');
}
