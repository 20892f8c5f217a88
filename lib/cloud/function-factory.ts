import { ArnFormat, Duration, type Stack } from "aws-cdk-lib";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import {
  ENV,
  EVENTS,
  type FunctionDescription,
  QUEUES,
  type StageSetting,
  WORKFLOWS,
  type WorkflowKey,
} from "../resources";
import { grantTenantAdministration } from "./access-control";
import { GatewayFunction, type WorkflowRef } from "./gateway-function";
import type { ImportedState } from "./imported-state";
import { acknowledgeInvocationModel } from "./serverless-nag";

export interface FunctionFactoryProps {
  readonly prefix: string;
  readonly stage: string;
  readonly drctBaseUrl: string;
  readonly state: ImportedState;
  readonly bus: IEventBus;
  /** The stage's settings (lib/resources.ts STAGE_SETTINGS), from the app's context. */
  readonly settings: Readonly<Record<StageSetting, string>>;
}

/**
 * Makes each function of lib/resources.ts with exactly the access its description declares,
 * every grant through GatewayFunction's bind* methods. Functions live directly in the stack
 * (their logical ids, which the local runtime and the deployed stack know them by, stay put).
 */
export class FunctionFactory {
  /** Tenants' signing secrets live at <prefix>/webhook/<tenant id>, created at onboarding (README). */
  readonly webhookSecretPrefix: string;
  /** Every tenant's signing secret (`<prefix>/webhook/*`). */
  readonly webhookSecretsArn: string;

  constructor(
    private readonly stack: Stack,
    private readonly props: FunctionFactoryProps,
  ) {
    this.webhookSecretPrefix = `${props.prefix}/webhook`;
    this.webhookSecretsArn = stack.formatArn({
      service: "secretsmanager",
      resource: "secret",
      resourceName: `${this.webhookSecretPrefix}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** A workflow by name, not by reference: the reconcile task starts the workflow that invokes it. */
  workflow(key: WorkflowKey): WorkflowRef {
    const name = `${this.props.prefix}-${WORKFLOWS[key].id}`;
    return {
      description: WORKFLOWS[key],
      stateMachineArn: this.stack.formatArn({
        service: "states",
        resource: "stateMachine",
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      executionsArn: this.stack.formatArn({
        service: "states",
        resource: "execution",
        resourceName: `${name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    };
  }

  create(id: string, description: FunctionDescription): GatewayFunction {
    const { state } = this.props;
    const fn = new GatewayFunction(this.stack, id, {
      handler: description.handler,
      environment: {
        [ENV.stage]: this.props.stage,
        [ENV.drctBaseUrl]: this.props.drctBaseUrl,
        ...Object.fromEntries((description.settings ?? []).map((name) => [ENV[name], this.props.settings[name]])),
      },
      bundledFiles: description.bundledFiles,
      ...(description.timeoutSeconds === undefined ? {} : { timeout: Duration.seconds(description.timeoutSeconds) }),
    });
    for (const table of description.tables) {
      // A read-only function writes nothing but what it must record: a refusal (AuthEvents),
      // an audited access (AuditLog), DRCT's books for a GET that asks DRCT.
      const writes =
        description.readOnly !== true ||
        description.writes?.includes(table) === true ||
        (description.audited === true && table === "auditLog");
      fn.bindTable(table, state.tables[table], writes ? "readWrite" : table === "authEvents" ? "append" : "read");
    }
    for (const secret of description.secrets) fn.bindSecret(secret, state.secrets[secret]);
    for (const queue of description.sendsTo ?? []) fn.bindQueue(QUEUES[queue], state.queues[queue]);
    for (const queue of description.deadLettersTo ?? []) {
      fn.bindDeadLetterSend(QUEUES[queue], state.deadLetterQueues[queue]);
    }
    for (const queue of description.redrives ?? []) {
      fn.bindRedrive(QUEUES[queue], state.queues[queue], state.deadLetterQueues[queue]);
    }
    if (description.publishesEvents !== undefined) {
      fn.bindEventBus(
        this.props.bus,
        description.publishesEvents.map((source) => EVENTS[source].source),
      );
    }
    if (description.pii) fn.bindPiiKey(state.piiKey);
    for (const key of description.starts ?? []) fn.bindWorkflowStart(this.workflow(key));
    for (const key of description.listsRunsOf ?? []) fn.bindWorkflowRuns(this.workflow(key));
    for (const key of description.inspectsRunsOf ?? []) fn.bindWorkflowInspection(this.workflow(key));
    if (description.administersTenants) {
      grantTenantAdministration(fn.fn, {
        prefix: this.props.prefix,
        webhookSecretPrefix: this.webhookSecretPrefix,
        webhookSecretsArn: this.webhookSecretsArn,
      });
    }
    if (description.webhookSecrets) {
      fn.bindWebhookSecrets(this.webhookSecretPrefix, this.webhookSecretsArn, state.key);
    }
    acknowledgeInvocationModel(fn.fn, id);
    return fn;
  }
}
