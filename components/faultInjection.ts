/**
 * FaultExperiment: one AWS FIS experiment template of the DR drill (issue 21, item 4), with what it
 * needs and nothing more: its own role trusted by `fis.amazonaws.com` whose inline policy is exactly
 * the action's documented permissions, scoped (recovery/faults/catalogue.ts `faultRolePolicy`), an
 * encrypted CloudWatch Logs group of the template's region with a bounded retention, and the
 * template: one action on one target, stop conditions on the DR alarms of its region, logs to the
 * group (schema 2), `emptyTargetResolutionMode: fail` so a template whose targets are gone fails
 * instead of passing as a drill that did nothing (FIS API, `EmptyTargetResolutionMode`).
 *
 * The region is the provider's (pass it through `opts`): the template, its role's targets, its alarms
 * and its log group are all in it (see the catalogue's module comment for which region each fault's is).
 * A template costs nothing at rest: FIS charges per action-minute of a running experiment.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "./policyDocuments";
import {
  alarmArn,
  FAULT_TAG,
  type FaultContext,
  type FaultName,
  faultRolePolicy,
  faultTemplate,
  FIS_LOG_SCHEMA_VERSION,
  FIS_SERVICE_PRINCIPAL,
  isoDuration,
} from "../recovery/faults/catalogue";

export interface FaultExperimentArgs {
  fault: FaultName;
  /** The fault's context: the template's region and account, the other region, the targets (catalogue `FaultContext`). */
  context: pulumi.Input<FaultContext>;
  /** How long the fault lasts, whole minutes, 1 to 120 (`FAULT_DURATION_MINUTES`). */
  durationMinutes: number;
  /** KMS key of the template's region for the log group (its policy must let CloudWatch Logs use it, as `RegionalKey`'s does). */
  kmsKeyArn: pulumi.Input<string>;
  /** Days to keep experiment logs: a CloudWatch Logs retention value. */
  logRetentionDays: number;
}

export class FaultExperiment extends pulumi.ComponentResource {
  readonly templateId: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly logGroupArn: pulumi.Output<string>;

  /**
   * @throws RangeError when the duration is out of bounds (before any child is created).
   */
  constructor(name: string, args: FaultExperimentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:recovery:FaultExperiment", name, {}, opts);
    isoDuration(args.durationMinutes);
    const child = { parent: this };
    const context = pulumi.output(args.context);

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: context.apply((resolved) => `/aws/fis/${resolved.prefix}-${args.fault}`), retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
      child,
    );
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy(FIS_SERVICE_PRINCIPAL)) }, child);
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: role.id, policy: context.apply((resolved) => JSON.stringify(faultRolePolicy(args.fault, resolved))) },
      child,
    );
    const template = context.apply((resolved) => faultTemplate(args.fault, resolved, args.durationMinutes));
    const experiment = new aws.fis.ExperimentTemplate(
      `${name}-template`,
      {
        description: template.description,
        roleArn: role.arn,
        actions: [
          {
            name: args.fault,
            actionId: template.actionId,
            target: { key: template.targetKey, value: template.target.name },
            parameters: template.parameters.apply((parameters) => Object.entries(parameters).map(([key, value]) => ({ key, value }))),
          },
        ],
        targets: [template.target],
        stopConditions: pulumi
          .all([template, context])
          .apply(([resolved, { partition, accountId }]) =>
            resolved.stopAlarms.map((alarm) => ({ source: "aws:cloudwatch:alarm", value: alarmArn(partition, alarm.region, accountId, alarm.name) })),
          ),
        // The log group's ARN with `:*`, the form FIS experiment templates are written with (its examples' `log-group:<name>:*`).
        logConfiguration: { logSchemaVersion: FIS_LOG_SCHEMA_VERSION, cloudwatchLogsConfiguration: { logGroupArn: pulumi.interpolate`${logGroup.arn}:*` } },
        experimentOptions: { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" },
        tags: { [FAULT_TAG]: args.fault, Name: name },
      },
      // The role must carry its permissions before an experiment can start.
      { ...child, dependsOn: [policy] },
    );

    this.templateId = experiment.id;
    this.roleArn = role.arn;
    this.logGroupArn = logGroup.arn;
    this.registerOutputs({ templateId: this.templateId, roleArn: this.roleArn, logGroupArn: this.logGroupArn });
  }
}
