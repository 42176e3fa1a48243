import type { HttpRouter } from "../http-router.js";
import { ok } from "./common.js";

/** The backend's IsAliveResource, outside `/v1/private`: what the SDK and health probes call. */
export const SERVER_VERSION = "opik-local-server";

export function registerHealthRoutes(router: HttpRouter): void {
  router.get("/is-alive/ping", () => ok({ message: "Healthy Server", healthy: true }));
  router.get("/is-alive/ver", () => ok({ version: SERVER_VERSION }));
}
