/**
 * Operations: what tells a person that something went wrong, and what keeps a lost trigger.
 *  - an SQS dead-letter queue for the upload rule's and the nightly schedule's deliveries that could
 *    not start an execution (after their retries);
 *  - CloudWatch alarms: executions that failed, timed out or were aborted; candidates that failed
 *    (Aggregate's CandidatesFailed); runs that regressed beyond noise (Report's Regressions); anything
 *    in the dead-letter queue;
 *  - one SNS topic the alarms notify, with an e-mail subscription when context alarmEmail is set.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** The custom metrics the alarms watch (Powertools EMF, namespace layerbench, dimension service). */
export const WATCHED_METRICS = {
  candidatesFailed: { metricName: 'CandidatesFailed', service: 'layerbench-aggregate' },
  regressions: { metricName: 'Regressions', service: 'layerbench-report' },
} as const;

export class DeadLetters extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the upload rule and the nightly schedule; its messages are only inspected and redriven by hand.',
    });
  }
}

export interface OperationsProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly deadLetters: sqs.IQueue;
  /** Subscribe this address to the alarm topic. */
  readonly alarmEmail?: string;
}

export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'layerbench alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and states, no data; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key would add cost for no protected content.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const period = Duration.minutes(5);
    const sm = props.stateMachine;
    const custom = (m: { metricName: string; service: string }) =>
      new cloudwatch.Metric({ namespace: 'layerbench', metricName: m.metricName, dimensionsMap: { service: m.service }, statistic: 'Sum', period });
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string) =>
      new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
    this.alarms = [
      alarm(
        'ExecutionsFailed',
        new cloudwatch.MathExpression({
          expression: 'failed + timedOut + aborted',
          usingMetrics: { failed: sm.metricFailed({ period }), timedOut: sm.metricTimedOut({ period }), aborted: sm.metricAborted({ period }) },
          period,
          label: 'executions failed, timed out or aborted',
        }),
        'layerbench: a sweep execution failed, timed out or was aborted',
      ),
      alarm('CandidatesFailed', custom(WATCHED_METRICS.candidatesFailed), 'layerbench: a run has failed candidates (see its leaderboard)'),
      alarm('Regressions', custom(WATCHED_METRICS.regressions), 'layerbench: a run regressed beyond noise against the previous run of its sweep'),
      alarm(
        'DeadLetters',
        props.deadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        'layerbench: an upload or schedule event could not start an execution (see the dead-letter queue)',
      ),
    ];
    for (const a of this.alarms) a.addAlarmAction(new actions.SnsAction(this.topic));
  }
}
