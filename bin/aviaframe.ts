/**
 * The CDK app: `npx cdk synth` (offline) and `npx cdk deploy --all`.
 *
 * Context (cdk.json or -c): stage, drctBaseUrl, retainData, tenants (JSON list of
 * {tenantId, plan}). cdk-nag's AwsSolutions and Serverless checks run on every synth.
 */
import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { buildAviaframe } from "../lib/cloud/app";

const app = new App();
buildAviaframe(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
Tags.of(app).add("project", "aviaframe");
