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
