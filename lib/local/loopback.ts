import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackService {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Listens on a free loopback port; `close` ends open connections too (keep-alive clients). */
export const serveOnLoopback = async (server: Server): Promise<LoopbackService> => {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
