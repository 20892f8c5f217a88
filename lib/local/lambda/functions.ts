import { RolePolicy } from "../../template/iam";
import { type DeployedApp, type LocalPlumbing, localEnvironment } from "../deployed-app";
import { type Denial, type PolicyProxyOptions, type ProxiedService, startPolicyProxy } from "../iam/policy-proxy";
import { HandlerBundles } from "./bundle";
import { LocalFunction } from "./local-function";
import type { OutboundCall } from "./outbound-calls";

/** How many execution environments one function may have at once, locally. */
const MAX_INSTANCES = 4;

export interface LocalFunctions {
  get(name: string): LocalFunction;
  /** Endpoints (the IAM proxies) the functions' SDK clients call. */
  readonly endpoints: LocalPlumbing["endpoints"];
  /** Calls refused so far, oldest first. */
  readonly denials: Denial[];
  /** Replaces a function's role statements (tests take grants away); `undefined` restores the template's. */
  setPolicy(name: string, policy: RolePolicy | undefined): void;
  policyOf(name: string): RolePolicy;
  close(): Promise<void>;
}

export interface LocalFunctionsOptions {
  readonly app: DeployedApp;
  readonly projectRoot: string;
  /** Each stand-in's endpoint, or its request listener when it runs in this process (policy-proxy.ts). */
  readonly upstreams: Readonly<Record<ProxiedService, PolicyProxyOptions["upstream"]>>;
  readonly region: string;
  readonly account: string;
  readonly plumbing: Omit<LocalPlumbing, "endpoints">;
  /** IAM enforcement; on unless a caller turns it off. */
  readonly enforceIam?: boolean;
  readonly onDenied?: (denial: Denial) => void;
  /** Hears each invocation's outbound calls, by function name (the bench); off when unset. */
  readonly onInvoked?: (functionName: string, calls: readonly OutboundCall[]) => void;
}

const ENDPOINT_VARIABLE: Record<ProxiedService, keyof LocalPlumbing["endpoints"]> = {
  dynamodb: "DYNAMODB",
  sqs: "SQS",
  states: "SFN",
  events: "EVENTBRIDGE",
  apigateway: "API_GATEWAY",
};

/**
 * Every function of the app as a LocalFunction (own worker threads, own environment, own
 * timeout), behind one IAM proxy per stand-in that checks each call against the calling
 * function's role.
 */
export const startLocalFunctions = async (options: LocalFunctionsOptions): Promise<LocalFunctions> => {
  const overrides = new Map<string, RolePolicy>();
  const denials: Denial[] = [];
  const policyOf = (name: string): RolePolicy => {
    const deployed = options.app.functions.get(name);
    if (deployed === undefined) throw new Error(`no function ${name}`);
    return overrides.get(name) ?? deployed.policy;
  };
  const everything = new RolePolicy([{ effect: "Allow", actions: ["*"], resources: ["*"] }]);
  const proxies = await Promise.all(
    (Object.entries(options.upstreams) as [ProxiedService, PolicyProxyOptions["upstream"]][]).map(
      async ([service, upstream]) => ({
        service,
        proxy: await startPolicyProxy({
          service,
          upstream,
          region: options.region,
          account: options.account,
          policyOf: (caller) =>
            options.app.functions.has(caller)
              ? options.enforceIam === false
                ? everything
                : policyOf(caller)
              : undefined,
          onDenied: (denial) => {
            denials.push(denial);
            options.onDenied?.(denial);
          },
        }),
      }),
    ),
  );
  const endpoints = Object.fromEntries(
    proxies.map(({ service, proxy }) => [ENDPOINT_VARIABLE[service], proxy.endpoint]),
  ) as LocalPlumbing["endpoints"];
  const bundles = new HandlerBundles(options.projectRoot);
  const functions = new Map<string, LocalFunction>();
  for (const deployed of options.app.functions.values()) {
    functions.set(
      deployed.name,
      new LocalFunction({
        name: deployed.name,
        code: () => bundles.codeOf(deployed.handler),
        env: localEnvironment(deployed, { ...options.plumbing, endpoints }),
        timeoutMs: deployed.timeoutMs,
        memoryMb: deployed.memoryMb,
        maxInstances: MAX_INSTANCES,
        ...(options.onInvoked === undefined
          ? {}
          : { onInvoked: (calls: readonly OutboundCall[]) => options.onInvoked?.(deployed.name, calls) }),
      }),
    );
  }
  return {
    get: (name) => {
      const fn = functions.get(name);
      if (fn === undefined) throw new Error(`no function ${name}`);
      return fn;
    },
    endpoints,
    denials,
    setPolicy: (name, policy) => {
      if (policy === undefined) overrides.delete(name);
      else overrides.set(name, policy);
    },
    policyOf,
    close: async () => {
      await Promise.all([...functions.values()].map((fn) => fn.close()));
      await Promise.all(proxies.map(({ proxy }) => proxy.close()));
    },
  };
};
