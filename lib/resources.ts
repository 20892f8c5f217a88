/**
 * The one description of Aviaframe's resources, by concept in lib/resources/. The CDK stacks
 * (lib/cloud) and the local runtime (lib/local) are both built from it, so the two cannot
 * drift: a table, queue or route added here exists in both places, under the same environment
 * variable name.
 *
 * Pure data: no CDK and no AWS SDK imports, so Lambda code may read it too.
 */
export * from "./resources/events";
export * from "./resources/functions";
export * from "./resources/ops-routes";
export * from "./resources/routes";
export * from "./resources/settings";
export * from "./resources/storage";
export * from "./resources/supplier";
