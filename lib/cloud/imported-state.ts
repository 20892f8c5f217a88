import { type ITableV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { type IQueue, Queue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { type QueueKey, type SecretKey, TABLE_ENTRIES, TABLES, type TableKey } from "../resources";
import type { StatefulStack } from "./stateful-stack";

export const tableNameOf = (prefix: string, key: TableKey): string => `${prefix}-${TABLES[key].id}`;

export interface ImportedState {
  readonly key: IKey;
  /** Passengers' data key: field-level encryption of personal data only. */
  readonly piiKey: IKey;
  readonly tables: Record<TableKey, ITableV2>;
  readonly secrets: Record<SecretKey, ISecret>;
  readonly queues: Record<QueueKey, IQueue>;
  readonly deadLetterQueues: Record<QueueKey, IQueue>;
}

const importQueue = (scope: Construct, id: string, queue: Queue, keyArn: string): IQueue =>
  Queue.fromQueueAttributes(scope, id, {
    queueArn: queue.queueArn,
    queueUrl: queue.queueUrl,
    keyArn,
    fifo: true,
  });

/**
 * The stateful resources as seen from the stateless stack. Grants on imported resources go to
 * the functions' own policies only; grants on the originals would also edit the key's policy
 * in the stateful stack, which would make it depend on this one (a cycle).
 */
export const importState = (scope: Construct, state: StatefulStack): ImportedState => {
  const key = Key.fromKeyArn(scope, "ImportedDataKey", state.key.keyArn);
  const piiKey = Key.fromKeyArn(scope, "ImportedPiiKey", state.piiKey.keyArn);
  const tables = Object.fromEntries(
    (Object.keys(state.tables) as TableKey[]).map((name) => [
      name,
      TableV2.fromTableAttributes(scope, `Imported-${name}`, {
        // By name, not by a cross-stack export: the stacks stay independently deployable.
        tableName: tableNameOf(state.prefix, name),
        encryptionKey: key,
        grantIndexPermissions: (TABLE_ENTRIES.find(([key]) => key === name)?.[1].globalIndexes ?? []).length > 0,
      }),
    ]),
  ) as Record<TableKey, ITableV2>;
  const secrets = Object.fromEntries(
    (Object.entries(state.secrets) as [SecretKey, Secret][]).map(([name, secret]) => [
      name,
      Secret.fromSecretAttributes(scope, `Imported-${name}`, {
        secretCompleteArn: secret.secretArn,
        encryptionKey: key,
      }),
    ]),
  ) as Record<SecretKey, ISecret>;
  const queues = Object.fromEntries(
    (Object.entries(state.queues) as [QueueKey, Queue][]).map(([name, queue]) => [
      name,
      importQueue(scope, `Imported-${name}`, queue, state.key.keyArn),
    ]),
  ) as Record<QueueKey, IQueue>;
  const deadLetterQueues = Object.fromEntries(
    (Object.entries(state.deadLetterQueues) as [QueueKey, Queue][]).map(([name, queue]) => [
      name,
      importQueue(scope, `Imported-dlq-${name}`, queue, state.key.keyArn),
    ]),
  ) as Record<QueueKey, IQueue>;
  return { key, piiKey, tables, secrets, queues, deadLetterQueues };
};
