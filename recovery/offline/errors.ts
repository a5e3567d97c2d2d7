/**
 * Errors the simulated cloud throws, named as Step Functions reports them, so that Retry and Catch
 * `ErrorEquals` match them as they would in AWS:
 * - AWS SDK integrations: `<Service>.<Exception>`, the exception as the AWS SDK for Java v2 names it
 *   (`Rds.DbInstanceNotFoundException` for RDS's DBInstanceNotFound fault; Step Functions Developer
 *   Guide, "AWS SDK service integrations", error handling);
 * - the Lambda integration: the function's `errorType` (`InvalidDBInstanceStateFault` when the
 *   function rethrows the AWS SDK for JavaScript v3 error), or `Lambda.<Exception>` for the service.
 */

/** An error returned by an AWS API (or a Lambda function), as Step Functions names it. */
export class AwsError extends Error {
  constructor(
    name: string,
    message: string,
    /** True when the simulator threw it because the call targeted a resource the workflow must not touch. */
    readonly wrongTarget = false,
  ) {
    super(message);
    this.name = name;
  }
}

/**
 * `States.Runtime`: a path that cannot be applied, e.g. a ResultSelector path missing from the
 * result. Step Functions neither retries nor catches it, even with `States.ALL` (Step Functions
 * Developer Guide, "Error names"); aws-local-stepfunctions reads `isRetryable`/`isCatchable`.
 */
export class StatesRuntimeError extends Error {
  override name = "States.Runtime";
  readonly isRetryable = false;
  readonly isCatchable = false;
}

/** The simulator could not handle a call (a defect of the simulator or a request it does not model): fails the execution, uncatchable. */
export class SimulatorError extends Error {
  override name = "Simulator.Error";
  readonly isRetryable = false;
  readonly isCatchable = false;
}

/** The unhappy-path answers a scenario can inject on a call (`WorldSetup.apiFaults`). */
export type ApiFault = "throttling" | "prior-request-not-complete" | "resource-contention";

/**
 * The error each injected fault reports through each service's AWS SDK integration. Step Functions
 * names it `<ServiceName>.<ErrorName>` with the `Exception` suffix added where the service's code has
 * none (Step Functions Developer Guide, "AWS SDK service integrations"):
 * - `throttling`: `ThrottlingException` / `Throttling`, HTTP 400, in the "Common Errors" of the RDS,
 *   Amazon EC2 Auto Scaling, CloudWatch, Elastic Load Balancing and Step Functions API References;
 *   Route 53 `Throttling` "Rate exceeded" (Route 53 Developer Guide, "Throttling for Amazon Route 53 API
 *   requests"); SNS `Throttled`, HTTP 429 (Amazon SNS API Reference, Publish); the Lambda service
 *   `TooManyRequestsException` (Lambda API Reference, Invoke);
 * - `prior-request-not-complete`: Route 53 ChangeResourceRecordSets while "Route 53 can't process a
 *   request before the next request arrives" for the same hosted zone, HTTP 400 (Route 53 API
 *   Reference, ChangeResourceRecordSets, PriorRequestNotComplete);
 * - `resource-contention`: Amazon EC2 Auto Scaling "You already have a pending update to an Amazon EC2
 *   Auto Scaling resource", HTTP 500 (API Reference, UpdateAutoScalingGroup, ResourceContention).
 */
export const FAULT_ERRORS: Record<ApiFault, Record<string, string>> = {
  throttling: {
    rds: "Rds.ThrottlingException",
    autoscaling: "AutoScaling.ThrottlingException",
    route53: "Route53.ThrottlingException",
    elasticloadbalancingv2: "ElasticLoadBalancingV2.ThrottlingException",
    cloudwatch: "CloudWatch.ThrottlingException",
    sns: "Sns.ThrottledException",
    sfn: "Sfn.ThrottlingException",
    lambda: "Lambda.TooManyRequestsException",
  },
  "prior-request-not-complete": { route53: "Route53.PriorRequestNotCompleteException" },
  "resource-contention": { autoscaling: "AutoScaling.ResourceContentionException" },
};
