import { FlightStatusQuery } from "../../api/disruption-schemas";
import { flightStatusDeps } from "../../shared/flight-status-wiring";
import { parseQuery, tenantRoute } from "../../shared/http";
import { getFlightStatus } from "../../use-cases/flight-status";

export const handler = tenantRoute({
  handle: async ({ query, tenant, correlationId, deadlineAt }) => {
    const { carrier, flight_number: flightNumber, date } = parseQuery(FlightStatusQuery, query);
    const { status, role } = await getFlightStatus(
      flightStatusDeps(),
      { carrier, flightNumber, date },
      { tenantId: tenant.tenantId, plan: tenant.plan, correlationId, deadlineAt },
    );
    return { status: 200, body: status, headers: { "x-coalesced": String(role === "joined") } };
  },
});
