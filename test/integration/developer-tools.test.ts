/**
 * The tools an integrator learns the API with, against one local runtime (callbacks may reach
 * loopback, one extra tenant for the event feed): API versions, the typed client, the
 * webhook tooling and the /docs page in a real browser. One runtime for all of them keeps
 * the suite fast; each concept is its own module under developer-tools/.
 */
import { testTenant } from "../../lib/local/seed";
import { referencePageTests } from "./developer-tools/docs";
import { typedClientTests } from "./developer-tools/typed-client";
import { versioningTests } from "./developer-tools/versioning";
import { webhookToolingTests } from "./developer-tools/webhook-tooling";
import { useLocalRuntime } from "./harness";

const api = useLocalRuntime({
  env: { CALLBACK_ALLOW_PRIVATE: "true" },
  extraTenants: [testTenant("feed", { plan: "premium" })],
});

versioningTests(api);
typedClientTests(api);
webhookToolingTests(api);
referencePageTests(api);
