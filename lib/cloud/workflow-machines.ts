import { Duration, RemovalPolicy, type Stack, Validations } from "aws-cdk-lib";
import type { CfnFunction, IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Schedule, ScheduleExpression } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke, StepFunctionsStartExecution } from "aws-cdk-lib/aws-scheduler-targets";
import { DefinitionBody, type IChainable, LogLevel, StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { RETENTION_INTERVAL_HOURS, type TaskKey, WORKFLOWS, type WorkflowKey } from "../resources";
import { Layer } from "./layout";
import { orderLifecycleDefinition, reconciliationDefinition, SWEEP } from "./workflows";

export interface WorkflowMachinesProps {
  readonly prefix: string;
  readonly tasks: Record<TaskKey, IFunction>;
  readonly reconcileIntervalSeconds: number;
}

/**
 * The state machines (lib/cloud/workflows.ts chains), their logs, the reconciliation's schedule
 * and the personal-data retention job's.
 */
export class WorkflowMachines extends Layer {
  readonly machines: Record<WorkflowKey, StateMachine>;

  constructor(scope: Stack, id: string, props: WorkflowMachinesProps) {
    super(scope, id);
    for (const fn of Object.values(props.tasks)) {
      const logicalId = scope.getLogicalId(fn.node.defaultChild as CfnFunction);
      Validations.of(scope).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: "Step Functions' grant to invoke its own task function, any version (CDK's LambdaInvoke default).",
      });
    }
    const machine = (key: WorkflowKey, definition: IChainable, timeout: Duration) => {
      const logs = new LogGroup(this, `WorkflowLogs-${key}`, {
        retention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      return new StateMachine(this, `Workflow-${key}`, {
        stateMachineName: `${props.prefix}-${WORKFLOWS[key].id}`,
        comment: WORKFLOWS[key].purpose,
        definitionBody: DefinitionBody.fromChainable(definition),
        tracingEnabled: true,
        logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
        timeout,
      });
    };
    this.machines = {
      // Long enough for the booking and then DRCT's hold (the Wait on the ticketing deadline: days
      // at most for an airline's hold); a longer hold is still expired by the reconciliation sweep.
      orderLifecycle: machine("orderLifecycle", orderLifecycleDefinition(scope, props.tasks), Duration.days(10)),
      reconciliation: machine("reconciliation", reconciliationDefinition(scope, props.tasks), SWEEP.timeout),
    };
    new Schedule(this, "ReconciliationSchedule", {
      description: WORKFLOWS.reconciliation.purpose,
      schedule: ScheduleExpression.rate(Duration.minutes(Math.max(1, Math.round(props.reconcileIntervalSeconds / 60)))),
      target: new StepFunctionsStartExecution(this.machines.reconciliation, {}),
    });
    // The retention job: personal data erased PII_RETENTION_DAYS after the order's last flight.
    new Schedule(this, "RetentionSchedule", {
      description: "Erases passengers' personal data PII_RETENTION_DAYS after the order's last flight",
      schedule: ScheduleExpression.rate(Duration.hours(RETENTION_INTERVAL_HOURS)),
      target: new LambdaInvoke(props.tasks.eraseExpiredPersonalData, {}),
    });
  }
}
