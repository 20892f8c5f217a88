/**
 * `npm start` as a separate process, for the tests that stop, kill and restart it.
 */
export { freePort, type RunningProcess as Gateway, startGateway } from "../../lib/soak/processes";
