import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { buildApp } from "fauxqs";
import { dlqIdOf, QUEUES, type QueueDescription, type QueueKey } from "../resources";
import { messageMover } from "./sqs-message-move";

export interface LocalSqs {
  readonly endpoint: string;
  /** Queue URL by key, and the URL of each queue's dead-letter queue. */
  readonly queueUrls: Record<QueueKey, string>;
  readonly dlqUrls: Record<QueueKey, string>;
  readonly queueArns: Record<QueueKey, string>;
  /** The bus targets' dead-letter queue (standard, as EventBridge and Lambda destinations need). */
  readonly undeliveredEventsUrl: string;
  close(): Promise<void>;
}

interface FauxqsInternals {
  SqsStore: new () => { allQueues(): Iterable<{ persistence?: unknown }>; persistence?: unknown };
  SnsStore: new () => { persistence?: unknown };
  S3Store: new () => { persistence?: unknown };
  PersistenceManager: new (dataDir: string) => { load(sqs: unknown, sns: unknown, s3: unknown): void; close(): void };
}

/**
 * fauxqs's public `startFauxqs` persists state but binds 0.0.0.0; its `buildApp` binds where
 * we ask but does not persist. We want both (loopback only, state kept in DATA_DIR), so we
 * wire its stores and persistence as startFauxqs does. fauxqs is pinned to an exact version
 * for this reason, and test/integration covers a restart.
 */
const loadFauxqsInternals = async (): Promise<FauxqsInternals> => {
  // The package exports only its ESM entry (dist/app.js); its siblings are the internals we need.
  const dist = dirname(fileURLToPath(import.meta.resolve("fauxqs")));
  const load = (file: string) => import(pathToFileURL(join(dist, file)).href);
  const [sqs, sns, s3, persistence] = await Promise.all([
    load("sqs/sqsStore.js"),
    load("sns/snsStore.js"),
    load("s3/s3Store.js"),
    load("persistence.js"),
  ]);
  return {
    SqsStore: sqs.SqsStore,
    SnsStore: sns.SnsStore,
    S3Store: s3.S3Store,
    PersistenceManager: persistence.PersistenceManager,
  };
};

const createStores = async (dataDir: string | undefined) => {
  if (dataDir === undefined) return { stores: undefined, persistence: undefined };
  const internals = await loadFauxqsInternals();
  const sqsStore = new internals.SqsStore();
  const snsStore = new internals.SnsStore();
  const s3Store = new internals.S3Store();
  const persistence = new internals.PersistenceManager(dataDir);
  persistence.load(sqsStore, snsStore, s3Store);
  sqsStore.persistence = persistence;
  snsStore.persistence = persistence;
  s3Store.persistence = persistence;
  for (const queue of sqsStore.allQueues()) queue.persistence = persistence;
  return { stores: { sqsStore, snsStore, s3Store }, persistence };
};

interface HookRequest {
  readonly headers: Record<string, unknown>;
  readonly body: unknown;
}
interface HookReply {
  header(name: string, value: string): unknown;
  status(code: number): unknown;
  send(payload: unknown): unknown;
}

export const fifoName = (prefix: string, id: string): string => `${prefix}-${id}.fifo`;

export const startLocalSqs = async (options: {
  dataDir?: string;
  port?: number;
  prefix: string;
}): Promise<LocalSqs> => {
  const { stores, persistence } = await createStores(options.dataDir);
  // No `host` option: fauxqs would build queue URLs as sqs.<region>.127.0.0.1, which a URL
  // parser rejects (a host ending in a number must be an IPv4 address); without it, queue URLs
  // carry the request's own Host, 127.0.0.1:<port>.
  const app = buildApp({ logger: false, ...(stores === undefined ? {} : { stores: stores as never }) });
  if (persistence !== undefined) app.addHook("preClose", () => persistence.close());
  let mover: ReturnType<typeof messageMover> | undefined;
  app.addHook("preHandler", async (request: HookRequest, reply: HookReply) => {
    const action = String(request.headers["x-amz-target"] ?? "").replace("AmazonSQS.", "");
    if ((action !== "StartMessageMoveTask" && action !== "ListMessageMoveTasks") || mover === undefined) return;
    const raw: unknown = typeof request.body === "string" ? JSON.parse(request.body || "{}") : request.body;
    const answer = mover.handle(
      action,
      typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {},
    );
    reply.header("content-type", "application/x-amz-json-1.0");
    if ("error" in answer) {
      reply.status(400);
      return reply.send({ __type: "com.amazonaws.sqs#UnsupportedOperation", message: answer.error });
    }
    return reply.send(answer);
  });
  app.addHook("onClose", async () => mover?.close());
  await app.listen({ host: "127.0.0.1", port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const endpoint = `http://127.0.0.1:${port}`;
  mover = messageMover(endpoint, (error) => console.error(error));
  const client = new SQSClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const queueUrls = {} as Record<QueueKey, string>;
  const dlqUrls = {} as Record<QueueKey, string>;
  const queueArns = {} as Record<QueueKey, string>;
  for (const [key, queue] of Object.entries(QUEUES) as [QueueKey, QueueDescription][]) {
    const dlqUrl = await createFifo(client, fifoName(options.prefix, dlqIdOf(queue)), {
      MessageRetentionPeriod: "1209600",
    });
    const dlqArn = await queueArn(client, dlqUrl);
    queueUrls[key] = await createFifo(client, fifoName(options.prefix, queue.id), {
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.maxReceiveCount }),
    });
    dlqUrls[key] = dlqUrl;
    queueArns[key] = await queueArn(client, queueUrls[key]);
  }
  const undelivered = await client.send(
    new CreateQueueCommand({
      QueueName: `${options.prefix}-undelivered-events`,
      Attributes: { MessageRetentionPeriod: "1209600" },
    }),
  );
  client.destroy();
  return {
    endpoint,
    queueUrls,
    dlqUrls,
    queueArns,
    undeliveredEventsUrl: undelivered.QueueUrl ?? "",
    close: () => app.close(),
  };
};

const createFifo = async (client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> => {
  const result = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { FifoQueue: "true", ContentBasedDeduplication: "false", ...attributes },
    }),
  );
  if (result.QueueUrl === undefined) throw new Error(`fauxqs did not create ${name}`);
  return result.QueueUrl;
};

const queueArn = async (client: SQSClient, url: string): Promise<string> => {
  const result = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  const arn = result.Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`no ARN for ${url}`);
  return arn;
};
