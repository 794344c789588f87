/**
 * Completion: Step Functions itself publishes "Step Functions Execution Status Change" events to the
 * default event bus for every Standard execution, so completion is already an EventBridge event that
 * anyone can subscribe to. With `-c notifyEmail=you@example.com` a rule forwards the end states
 * (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) of this state machine to an SNS topic with that email
 * subscription, as a short readable line.
 */
import { Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export const END_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export interface CompletionNotificationsProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly email: string;
}

export class CompletionNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: CompletionNotificationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'layerbench runs', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'Messages carry only an execution name and status, no data; an AWS-managed SNS key cannot be used by ' + 'EventBridge, and a customer key would add cost for no protected content.',
    });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.rule = new events.Rule(this, 'Rule', {
      description: 'layerbench: a sweep execution ended',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [props.stateMachine.stateMachineArn], status: [...END_STATUSES] },
      },
    });
    this.rule.addTarget(
      new targets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromText(
          `layerbench execution ${events.EventField.fromPath('$.detail.name')} ended: ` + `${events.EventField.fromPath('$.detail.status')} (${events.EventField.fromPath('$.detail.executionArn')})`,
        ),
      }),
    );
  }
}
