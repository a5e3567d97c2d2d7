/**
 * RecoveryWorkflows: the failover, failback and drill state machines in the DR region (DR invariant
 * 9), each with its own role allowed exactly the calls its definition makes on exactly the resources
 * it names (`recovery/permissions.ts`), logging ALL events to a KMS-encrypted log group (Security
 * Hub StepFunctions.1) with X-Ray tracing; the primary-region operations function they share; and,
 * when enabled, the automatic failover trigger: an alarm of the DR region starts an unplanned failover
 * through EventBridge in the DR region. Failback has no trigger: it is never automatic.
 *
 * The definitions, the roles' policies and the function's environment follow the targets' engine
 * mode (`targets.database`): an Aurora global database is switched with SwitchoverGlobalCluster and
 * FailoverGlobalCluster instead of promoting a read replica (recovery/failover.ts).
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type Definition } from "../recovery/asl";
import { drillDefinition } from "../recovery/drill";
import { failbackDefinition } from "../recovery/failback";
import { failoverDefinition } from "../recovery/failover";
import { stateMachineArn, stateMachineName, type Workflow, WORKFLOWS } from "../recovery/names";
import { primaryRegionFunctionPolicy, stateMachinePolicy } from "../recovery/permissions";
import { primaryRegionEnvironment } from "../recovery/primaryRegion";
import { type RecoveryTargets } from "../recovery/targets";
import { accountContext } from "./account";
import { policyDocument, serviceTrustPolicy } from "./policyDocuments";

/** Where the primary-region operations function's code lives (plain ES module, run as is by nodejs22.x). */
export const PRIMARY_REGION_FUNCTION_SOURCE = path.join(__dirname, "..", "recovery", "lambda", "primaryRegionOperations.mjs");
/** The Lambda runtime: Node.js 22 ships the AWS SDK v3 clients the function imports (Lambda Developer Guide, "Lambda runtimes"). */
export const PRIMARY_REGION_FUNCTION_RUNTIME = "nodejs22.x";
/** The function's timeout, seconds (recovery/primaryRegion.ts: its Task waits 60 s). */
export const PRIMARY_REGION_FUNCTION_TIMEOUT_SECONDS = 50;

export interface RecoveryWorkflowsArgs {
  /** Resource prefix of the DR stack; names the state machines (`<prefix>-failover`, ...). */
  prefix: string;
  /** Everything the definitions act on, resolved from the stack's resources. */
  targets: pulumi.Input<RecoveryTargets>;
  /** DR-region KMS key: log groups and the topic it notifies. */
  kmsKeyArn: pulumi.Input<string>;
  /** Days of execution logs kept (CloudWatch Logs retention value). */
  logRetentionDays: number;
  /** Minimum delay between automatic failover executions, seconds. */
  cooldownSeconds: number;
  /** Name of the primary-region operations function (Lambda). */
  functionName: string;
  /** Automatic failover from an alarm of the DR region (stacks/recovery.ts: the probe's, while the primary is not fenced); absent = manual only (the default). */
  automaticFailover?: {
    ruleName: string;
    /** ARN of the alarm, in the DR region. */
    alarmArn: pulumi.Input<string>;
  };
}

export class RecoveryWorkflows extends pulumi.ComponentResource {
  /** State machine ARNs by workflow. */
  readonly stateMachineArns: Record<Workflow, pulumi.Output<string>>;
  readonly functionArn: pulumi.Output<string>;

  /** @throws RangeError when the cool-down is under 15 minutes or the prefix makes a name over 80 characters (Step Functions limit). */
  constructor(name: string, args: RecoveryWorkflowsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:recovery:RecoveryWorkflows", name, {}, opts);
    if (!Number.isInteger(args.cooldownSeconds) || args.cooldownSeconds < 900) {
      throw new RangeError(`RecoveryWorkflows ${name}: cooldownSeconds must be at least 900, got ${args.cooldownSeconds}`);
    }
    for (const workflow of WORKFLOWS) {
      if (stateMachineName(args.prefix, workflow).length > 80)
        throw new RangeError(`RecoveryWorkflows ${name}: prefix "${args.prefix}" makes state machine names over 80 characters`);
    }
    const child = { parent: this };
    const account = accountContext(this);
    const targets = pulumi.output(args.targets);
    const region = targets.apply((resolved) => resolved.drRegion);

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/vendedlogs/states/${args.prefix}-recovery`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
      child,
    );

    // The primary-region operations function: its role reaches only the primary's resources.
    const functionLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-function-logs`,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
      child,
    );
    const functionRole = new aws.iam.Role(`${name}-function-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")) }, child);
    const functionPolicy = new aws.iam.RolePolicy(
      `${name}-function-policy`,
      { role: functionRole.id, policy: targets.apply((resolved) => JSON.stringify(primaryRegionFunctionPolicy(resolved))) },
      child,
    );
    const operations = new aws.lambda.Function(
      `${name}-primary-region-operations`,
      {
        name: args.functionName,
        description: "Fixed primary-region operations of the DR workflows (database, capacity, lag, target health, Aurora switchover)",
        runtime: PRIMARY_REGION_FUNCTION_RUNTIME,
        handler: "primaryRegionOperations.handler",
        code: new pulumi.asset.AssetArchive({ "primaryRegionOperations.mjs": new pulumi.asset.FileAsset(PRIMARY_REGION_FUNCTION_SOURCE) }),
        role: functionRole.arn,
        // Under the Task's 60 s; replayedSince waits on the primary region's heartbeat function (a VPC cold start, a secret read).
        timeout: PRIMARY_REGION_FUNCTION_TIMEOUT_SECONDS,
        memorySize: 256,
        environment: {
          // Aurora-global mode adds the global cluster and the DR cluster its switchover promotes.
          variables: targets.apply(primaryRegionEnvironment),
        },
        loggingConfig: { logFormat: "JSON", logGroup: functionLogGroup.name },
      },
      { parent: this, dependsOn: [functionPolicy, functionLogGroup] },
    );
    this.functionArn = operations.arn;

    const definitions: Record<Workflow, (resolved: RecoveryTargets) => Definition> = {
      failover: (resolved) => failoverDefinition(resolved, args.cooldownSeconds),
      failback: failbackDefinition,
      drill: drillDefinition,
    };
    const machines = {} as Record<Workflow, aws.sfn.StateMachine>;
    for (const workflow of WORKFLOWS) {
      const machineName = stateMachineName(args.prefix, workflow);
      const arn = pulumi
        .all([account, region])
        .apply(([{ partition, accountId }, regionName]) => stateMachineArn(partition, regionName, accountId, machineName));
      const role = new aws.iam.Role(
        `${name}-${workflow}-role`,
        { assumeRolePolicy: account.apply(({ accountId }) => JSON.stringify(serviceTrustPolicy("states.amazonaws.com", accountId))) },
        child,
      );
      const policy = new aws.iam.RolePolicy(
        `${name}-${workflow}-policy`,
        {
          role: role.id,
          policy: pulumi
            .all([targets, arn, args.kmsKeyArn])
            .apply(([resolved, machineArn, topicKeyArn]) =>
              JSON.stringify(stateMachinePolicy(definitions[workflow](resolved), resolved, machineArn, { topicKeyArn })),
            ),
        },
        child,
      );
      machines[workflow] = new aws.sfn.StateMachine(
        `${name}-${workflow}`,
        {
          name: machineName,
          type: "STANDARD",
          roleArn: role.arn,
          definition: targets.apply((resolved) => JSON.stringify(definitions[workflow](resolved), null, 2)),
          loggingConfiguration: { level: "ALL", includeExecutionData: true, logDestination: pulumi.interpolate`${logGroup.arn}:*` },
          tracingConfiguration: { enabled: true },
        },
        { parent: this, dependsOn: [policy] },
      );
    }
    this.stateMachineArns = { failover: machines.failover.arn, failback: machines.failback.arn, drill: machines.drill.arn };

    if (args.automaticFailover) this.automaticTrigger(name, args.automaticFailover, machines.failover, account);
    this.registerOutputs({ stateMachineArns: this.stateMachineArns, functionArn: this.functionArn });
  }

  /**
   * Alarm state change -> EventBridge -> StartExecution of the failover with an unplanned, unforced
   * input. The alarm is in the DR region, like the rule and the state machine: alarm events reach the
   * default bus of the alarm's region only, and a rule starts a state machine of its own region only
   * (CloudWatch User Guide, "Alarm events and EventBridge"), so nothing here needs another region.
   */
  private automaticTrigger(
    name: string,
    trigger: NonNullable<RecoveryWorkflowsArgs["automaticFailover"]>,
    failover: aws.sfn.StateMachine,
    account: pulumi.Output<{ accountId: string; partition: string }>,
  ): void {
    const child = { parent: this };
    const pattern = pulumi.output(trigger.alarmArn).apply((alarmArn) =>
      JSON.stringify({
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        resources: [alarmArn],
        detail: { state: { value: ["ALARM"] } },
      }),
    );
    const eventsRole = (suffix: string, statement: pulumi.Output<{ action: string; resource: string }>) => {
      const role = new aws.iam.Role(
        `${name}-${suffix}-role`,
        { assumeRolePolicy: account.apply(({ accountId }) => JSON.stringify(serviceTrustPolicy("events.amazonaws.com", accountId))) },
        child,
      );
      new aws.iam.RolePolicy(
        `${name}-${suffix}-policy`,
        {
          role: role.id,
          policy: statement.apply(({ action, resource }) => JSON.stringify(policyDocument([{ Effect: "Allow", Action: action, Resource: resource }]))),
        },
        child,
      );
      return role;
    };
    const startRole = eventsRole(
      "start-failover",
      failover.arn.apply((resource) => ({ action: "states:StartExecution", resource })),
    );
    const rule = new aws.cloudwatch.EventRule(
      `${name}-automatic-failover`,
      {
        name: trigger.ruleName,
        description: "Primary lost as the DR region sees it, not fenced -> unplanned failover (automatic failover is on)",
        eventPattern: pattern,
      },
      child,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-automatic-failover-target`,
      { rule: rule.name, arn: failover.arn, roleArn: startRole.arn, input: JSON.stringify(AUTOMATIC_FAILOVER_INPUT) },
      child,
    );
  }
}

/** The input an automatic failover starts with: unplanned, never forced (the replica-lag pre-check stands). */
export const AUTOMATIC_FAILOVER_INPUT = { mode: "unplanned", force: false, trigger: "alarm" } as const;
