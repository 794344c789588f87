/**
 * The layerbench bucket: datasets/, sweeps/, runs/, history/ under one roof. Private, SSL only,
 * S3-managed encryption, versioned (an overwritten dataset stays recoverable), and EventBridge
 * notifications on so an upload can start a run. Server access logs go to a second bucket.
 * Both buckets are retained when the stack is deleted: they hold the user's data and results.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CHECKPOINT_OBJECT_TAG, MODEL_OBJECT_TAG } from '../../src/store/s3.js';

export interface DataBucketProps {
  /** Days before noncurrent object versions expire. Default 30. */
  readonly noncurrentVersionDays?: number;
  /** Days before the per-candidate models (objects tagged MODEL_TAG, i.e. runs/<runId>/models/…) expire. Default 90. */
  readonly modelRetentionDays?: number;
  /**
   * Days before checkpoints (objects tagged CHECKPOINT_TAG, i.e. runs/<runId>/checkpoints/…) expire.
   * A run deletes its own when it finishes; this catches those of runs that never do. Default 14:
   * longer than any execution (24 hours at most), so a run can still be resumed from them for two weeks.
   */
  readonly checkpointRetentionDays?: number;
}

/** The tag the S3 store puts on every object under runs/<runId>/models/ (src/store/s3.ts). */
export const MODEL_TAG = MODEL_OBJECT_TAG;
/** The tag the S3 store puts on every checkpoint. */
export const CHECKPOINT_TAG = CHECKPOINT_OBJECT_TAG;
/** Where checkpoints are (keys.checkpoint), as a key pattern. */
/** Datasets parsed once per run (src/data/prepared.ts): Plan writes, Train reads. */
export const PREPARED = 'prepared/*';
export const CHECKPOINTS = 'runs/*/checkpoints/*';

/** Days an item list (plans/) is kept: an execution lasts a day at most. */
export const ITEM_LIST_DAYS = 7;

export class DataBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataBucketProps = {}) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      eventBridgeEnabled: true,
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'layerbench/',
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 30) },
        { abortIncompleteMultipartUploadAfter: Duration.days(7) },
        { id: 'ExpireCandidateModels', tagFilters: { [MODEL_TAG.key]: MODEL_TAG.value }, expiration: Duration.days(props.modelRetentionDays ?? 90) },
        { id: 'ExpireCheckpoints', tagFilters: { [CHECKPOINT_TAG.key]: CHECKPOINT_TAG.value }, expiration: Duration.days(props.checkpointRetentionDays ?? 14) },
        { id: 'ExpireItemLists', prefix: 'plans/', expiration: Duration.days(ITEM_LIST_DAYS) },
        // Parsed datasets (src/data/prepared.ts): Plan writes one again for every run; a Train task that finds it gone reads the dataset itself.
        { id: 'ExpirePreparedData', prefix: 'prepared/', expiration: Duration.days(ITEM_LIST_DAYS) },
        // What deleting scratch leaves in a versioned bucket: delete markers, once their noncurrent versions have expired.
        { id: 'RemoveDeleteMarkers', expiredObjectDeleteMarker: true },
      ],
    });
    // eventBridgeEnabled makes CDK add its own singleton function that turns the notifications on.
    for (const handler of Stack.of(this).node.children.filter((c) => c.node.id.startsWith('BucketNotificationsHandler'))) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's own bucket-notifications handler (runs once at deploy); the managed policy only allows writing its logs.",
      });
    }
  }
}
