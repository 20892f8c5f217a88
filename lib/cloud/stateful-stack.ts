import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Key } from "aws-cdk-lib/aws-kms";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import {
  dlqIdOf,
  physicalName,
  QUEUES,
  type QueueKey,
  SECRETS,
  type SecretKey,
  TABLES,
  type TableDescription,
  type TableKey,
} from "../resources";

export interface StatefulStackProps extends StackProps {
  readonly prefix: string;
  /** Production keeps data when the stack is deleted; a dev stage may destroy it. */
  readonly retainData: boolean;
}

const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * What holds data: tables, queues, secrets and the key that encrypts them. Kept apart from
 * the stateless stack so functions and APIs can be replaced freely without touching data.
 */
export class StatefulStack extends Stack {
  readonly prefix: string;
  readonly key: Key;
  /** Passengers' and contacts' fields only (AWS Encryption SDK): apart from the tables' key. */
  readonly piiKey: Key;
  readonly tables = {} as Record<TableKey, TableV2>;
  readonly queues = {} as Record<QueueKey, Queue>;
  readonly deadLetterQueues = {} as Record<QueueKey, Queue>;
  readonly secrets = {} as Record<SecretKey, Secret>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.prefix = props.prefix;
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new Key(this, "DataKey", {
      description: "Aviaframe data at rest: tables, queues, secrets",
      enableKeyRotation: true,
      removalPolicy,
    });
    // A function that may read a table (and so decrypt it with the data key) still cannot read
    // the passenger fields inside it: only the functions declared `pii` may use this key, and
    // only under the encryption context the field cipher binds each field to.
    this.piiKey = new Key(this, "PiiKey", {
      description: "Aviaframe passenger and contact fields (field-level, AWS Encryption SDK)",
      enableKeyRotation: true,
      removalPolicy,
    });

    for (const [key, table] of Object.entries(TABLES) as [TableKey, TableDescription][]) {
      this.tables[key] = new TableV2(this, table.id, {
        tableName: physicalName(props.prefix, table.id),
        partitionKey: stringKey(table.partitionKey),
        ...(table.sortKey === undefined ? {} : { sortKey: stringKey(table.sortKey) }),
        globalSecondaryIndexes: (table.globalIndexes ?? []).map((index) => ({
          indexName: index.name,
          partitionKey: stringKey(index.partitionKey),
          ...(index.sortKey === undefined ? {} : { sortKey: stringKey(index.sortKey) }),
        })),
        timeToLiveAttribute: table.ttlAttribute,
        billing: Billing.onDemand(),
        encryption: TableEncryptionV2.customerManagedKey(this.key),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: props.retainData,
        removalPolicy,
      });
    }

    for (const [key, queue] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) {
      const dlq = new Queue(this, dlqIdOf(queue), {
        queueName: `${props.prefix}-${dlqIdOf(queue)}.fifo`,
        fifo: true,
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy,
      });
      Validations.of(dlq).acknowledge({
        id: "AwsSolutions-SQS3",
        reason: "This queue is itself a dead-letter queue; operators redrive from it.",
      });
      Validations.of(dlq).acknowledge({
        id: "Serverless::Serverless-SQSRedrivePolicy",
        reason:
          "A dead-letter queue has no dead-letter queue of its own: messages stay 14 days for operators to redrive.",
      });
      this.deadLetterQueues[key] = dlq;
      this.queues[key] = new Queue(this, queue.id, {
        queueName: `${props.prefix}-${queue.id}.fifo`,
        fifo: true,
        contentBasedDeduplication: false,
        visibilityTimeout: Duration.seconds(queue.visibilityTimeoutSeconds),
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        deadLetterQueue: { queue: dlq, maxReceiveCount: queue.maxReceiveCount },
        removalPolicy,
      });
    }

    for (const [key, secret] of Object.entries(SECRETS) as [SecretKey, (typeof SECRETS)[SecretKey]][]) {
      this.secrets[key] = new Secret(this, secret.id, {
        secretName: `${props.prefix}/${secret.id}`,
        description: secret.purpose,
        encryptionKey: this.key,
        removalPolicy,
      });
      Validations.of(this.secrets[key]).acknowledge({ id: "AwsSolutions-SMG4", reason: secret.noRotationBecause });
    }
  }
}
