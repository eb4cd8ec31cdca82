/**
 * OpenAPI v2 and v3 documents generated from the served kinds and their
 * structural schemas (the same schemas field validation uses), and the
 * endpoint server for `/openapi/v2` and `/openapi/v3/**`. See README.md for
 * how the router wires it in.
 *
 * @example
 * ```ts
 * const openapi = createOpenApiServer();
 * const res = await openapi.serveOpenApi(
 *   url.pathname, url.searchParams, req.headers, kinds,
 * );
 * if (res) return res;
 * ```
 *
 * @module
 */

export type { ServedKind } from "./types.ts";
export { openApiV2 } from "./v2.ts";
export { openApiV3 } from "./v3.ts";
export {
  createOpenApiServer,
  OPENAPI_V2_PROTOBUF,
  type OpenApiServer,
  type OpenApiServerOptions,
} from "./serve.ts";
export { defaultDefinitionName } from "./_names.ts";
