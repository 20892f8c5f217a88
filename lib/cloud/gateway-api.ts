import { RemovalPolicy, type Stack } from "aws-cdk-lib";
import {
  AccessLogFormat,
  ApiKeySourceType,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  type RequestValidator,
  type Resource,
  ResponseType,
  RestApi,
  type UsagePlan,
} from "aws-cdk-lib/aws-apigateway";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { CURRENT_API_VERSION, VERSION_HEADER } from "../../functions/api/versions";
import { PLANS, type PlanName, type RouteDescription } from "../resources";
import { ACCESS_LOG_FORMAT, operatorsPolicy, usagePlanName } from "./access-control";
import { Layer } from "./layout";
import { addTenantKeys, type TenantKeyProps } from "./tenant-keys";

export interface GatewayApiProps {
  readonly prefix: string;
  readonly stage: string;
  /** Tenants whose API keys this stack creates; undefined keeps the existing keys. */
  readonly tenants: readonly TenantKeyProps[] | undefined;
}

const envelopeTemplate = (code: string, message: string) =>
  JSON.stringify({
    error: {
      code,
      message,
      retryable: code.startsWith("AVF_429") || code.startsWith("AVF_5"),
      correlation_id: "$context.requestId",
    },
  });

// API Gateway's own refusals keep the contract's envelope (and 401, not 403, for a missing or unknown key).
const GATEWAY_RESPONSES: [ResponseType, string, string, string][] = [
  [ResponseType.INVALID_API_KEY, "401", "AVF_401_UNAUTHORIZED", "send a valid API key in the x-api-key header"],
  [ResponseType.MISSING_AUTHENTICATION_TOKEN, "404", "AVF_404_NOT_FOUND", "no such route"],
  [ResponseType.THROTTLED, "429", "AVF_429_RATE_LIMITED", "too many requests; try again shortly"],
  [ResponseType.QUOTA_EXCEEDED, "429", "AVF_429_RATE_LIMITED", "the plan's quota is used up"],
  [ResponseType.REQUEST_TOO_LARGE, "413", "AVF_413_PAYLOAD_TOO_LARGE", "the request is too large"],
  [ResponseType.ACCESS_DENIED, "401", "AVF_401_UNAUTHORIZED", "send a valid API key in the x-api-key header"],
  // Operators' routes (IAM): a bad or expired SigV4 signature.
  [ResponseType.INVALID_SIGNATURE, "401", "AVF_401_UNAUTHORIZED", "operators' routes take a valid SigV4 signature"],
  [ResponseType.EXPIRED_TOKEN, "401", "AVF_401_UNAUTHORIZED", "operators' routes take a valid SigV4 signature"],
  [ResponseType.WAF_FILTERED, "403", "AVF_403_FORBIDDEN", "the request was refused by the firewall"],
  [ResponseType.BAD_REQUEST_BODY, "400", "AVF_400_VALIDATION", "the request is not valid"],
  [ResponseType.BAD_REQUEST_PARAMETERS, "400", "AVF_400_VALIDATION", "the request is not valid"],
  [ResponseType.UNSUPPORTED_MEDIA_TYPE, "415", "AVF_415_UNSUPPORTED_MEDIA_TYPE", "send the body as application/json"],
  // Any other refusal API Gateway makes before our code runs (a missing key among them).
  [ResponseType.DEFAULT_4XX, "403", "AVF_403_FORBIDDEN", "the request was refused; check the x-api-key header"],
  [ResponseType.DEFAULT_5XX, "500", "AVF_500_INTERNAL", "something went wrong on our side"],
];

/**
 * The REST API: one Lambda per route, API keys and usage plans per plan for tenants' routes,
 * IAM authorization for the operators' routes, access logs, and API Gateway's own refusals
 * in the contract's error envelope.
 */
export class GatewayApi extends Layer {
  readonly api: RestApi;
  /** API Gateway's access log (ACCESS_LOG_FORMAT): its refusals are subscribed to as AuthEvents. */
  readonly accessLogs: LogGroup;
  private readonly validator: RequestValidator;

  constructor(scope: Stack, id: string, props: GatewayApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.accessLogs = accessLogs;
    this.api = new RestApi(this, "Api", {
      restApiName: `${props.prefix}-api`,
      description: "Aviaframe public API (CONTRACT.md §3)",
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.HEADER,
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stage,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
        throttlingRateLimit: 200,
        throttlingBurstLimit: 400,
      },
    });
    // No request models are attached: bodies are validated by the handlers' zod schemas, which
    // answer the contract's error envelope with every issue, not API Gateway's plain message.
    this.validator = this.api.addRequestValidator("Validator", {
      requestValidatorName: "parameters-and-body",
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    for (const [type, statusCode, code, message] of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(`Response${type.responseType}`, {
        type,
        statusCode,
        responseHeaders: { "x-correlation-id": "context.requestId", [VERSION_HEADER]: `'${CURRENT_API_VERSION}'` },
        templates: { "application/json": envelopeTemplate(code, message) },
      });
    }
    const plans = Object.fromEntries(
      (Object.entries(PLANS) as [PlanName, (typeof PLANS)[PlanName]][]).map(([name, plan]) => [
        name,
        this.api.addUsagePlan(`Plan-${name}`, {
          name: usagePlanName(props.prefix, name),
          throttle: { rateLimit: plan.rateLimit, burstLimit: plan.burstLimit },
          quota: { limit: plan.quotaPerDay, period: Period.DAY },
          apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
        }),
      ]),
    ) as Record<PlanName, UsagePlan>;
    addTenantKeys(scope, this.api, plans, props.prefix, props.tenants);
    operatorsPolicy(scope, this.api, props.prefix, props.stage);
  }

  /** The route's method on its resource path, calling `fn` (proxy integration). */
  addRoute(route: RouteDescription, fn: IFunction): void {
    const resource = route.path
      .split("/")
      .filter(Boolean)
      .reduce<Resource | RestApi["root"]>(
        (parent, part) => parent.getResource(part) ?? parent.addResource(part),
        this.api.root,
      );
    resource.addMethod(route.method, new LambdaIntegration(fn, { proxy: true }), {
      apiKeyRequired: route.auth === "api-key",
      // Operators sign their requests (SigV4) with an IAM identity allowed execute-api:Invoke on
      // /ops/api (the operators' managed policy); an agency's API key never opens these routes.
      ...(route.auth === "operator" ? { authorizationType: AuthorizationType.IAM } : {}),
      requestValidator: this.validator,
      operationName: route.operationId,
      ...(route.idempotent ? { requestParameters: { "method.request.header.Idempotency-Key": false } } : {}),
    });
  }
}
