/**
 * The DRCT simulator on its own (docs/DRCT-API.md): for a gateway started with DRCT_BASE_URL,
 * so that killing the gateway does not kill its supplier (npm run soak).
 *
 *   DRCT_SIM_PORT=4010 DRCT_SIM_STATE=.data/drct.json node --import tsx bin/drct-simulator.ts
 */
import { holdMsFromEnv, startDrctSimulator } from "../lib/drct-simulator/simulator";

const simulator = await startDrctSimulator({
  port: Number(process.env.DRCT_SIM_PORT ?? 4010),
  stateFile: process.env.DRCT_SIM_STATE || undefined,
  holdMs: holdMsFromEnv(),
});
console.log(`DRCT simulator is up at ${simulator.url}`);

const shutdown = async () => {
  await simulator.close();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
