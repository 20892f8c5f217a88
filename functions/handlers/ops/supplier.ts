import { operatorRoute } from "../../shared/http";
import { opsSupplierReads } from "../../shared/ops-wiring";
import { supplierState } from "../../use-cases/ops";

export const handler = operatorRoute({
  handle: async () => ({ status: 200, body: await supplierState(opsSupplierReads(), Date.now()) }),
});
