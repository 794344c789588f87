/**
 * The deployed workflow: engineer W's SweepWorkflow (Plan → Map(Train) → Aggregate → Finalize → Report) as a Standard
 * state machine, with every event logged to its own log group and X-Ray tracing on.
 */
import { CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { ITEM_LISTS, SweepWorkflow, workflowFunctions, type SweepWorkflowProps } from '../workflow.js';

export type SweepStateMachineProps = SweepWorkflowProps;

export class SweepStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly workflow: SweepWorkflow;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SweepStateMachineProps) {
    super(scope, id);
    this.workflow = new SweepWorkflow(this, 'Workflow', props);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: this.workflow.definitionBody,
      stateMachineType: sfn.StateMachineType.STANDARD,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      timeout: Duration.hours(24),
      comment: 'layerbench sweep: Plan → TrainCandidates (Map of Train) → Aggregate → Finalize → Report',
    });
    this.acknowledgeGeneratedPolicies(props);
  }

  /**
   * The wildcards CDK itself writes into this state machine's role, each acknowledged with its reason:
   * invoking a step function's versions and aliases (`<fn>:*`), the CloudWatch Logs delivery and X-Ray
   * actions (which take no narrower resource than `*`), the Distributed Map's child executions and its
   * item lists.
   */
  private acknowledgeGeneratedPolicies(props: SweepStateMachineProps): void {
    const stack = Stack.of(this);
    const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
    const ack = (finding: string, reason: string) => Validations.of(this.stateMachine).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    for (const fn of workflowFunctions(props)) {
      ack(`Resource::<${logicalId(fn)}.Arn>:*`, 'Invokes exactly this step function; ":*" only adds its versions and aliases (CDK LambdaInvoke).');
    }
    if (props.bucket.node.defaultChild instanceof CfnElement) {
      ack(`Resource::<${logicalId(props.bucket)}.Arn>/${ITEM_LISTS}`, "The Distributed Map's ItemReader reads the item list Plan wrote; its key (plans/<planId>.json) is made at run time.");
    }
    ack('Resource::*', 'logs:CreateLogDelivery & co. and xray:PutTraceSegments accept no resource narrower than "*" (Step Functions logging and tracing).');
    // cdk-nag prints pseudo parameters as <AWS::…> unless the stack's environment fixed them.
    const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const executions = `arn:<AWS::Partition>:states:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId(this.stateMachine)}"}]}]}`;
    ack(`Resource::${executions}:*`, 'The Distributed Map describes and stops its own child executions, whose names are only known at run time.');
    ack(`Resource::${executions}/*:*`, "The Distributed Map's child executions of this state machine; their names are only known at run time.");
  }
}
