/**
 * DR invariant 8 (checks.md): no cross-region runtime dependency. A regional resource of the DR
 * stack never references an ARN of another region (a primary key, topic, bucket or role of the
 * primary region), so the DR region runs alone when the primary region is gone. The one designed
 * exception is the replica's `replicateSourceDb`, the replication link itself (cut by promotion).
 * Global resources (IAM, Route 53) and resources the DR stack places in the primary region (the
 * primary bucket's replication configuration) are not run-time dependencies of the DR region.
 */
import { RECOVERY_MANIFEST_NAME_SUFFIX } from "../config/recoveryManifest";
import { RECEIVERS } from "../monitoring/chartValues";
import { arnRegion, type InvariantResult, type PlanPair } from "./plan";

/**
 * Inputs that may point into the primary region by design: `type.input`. The replica's source is
 * the replication link; the primary-region operations function exists to reach the primary during
 * a planned switchover and failback, never for the DR region to serve; an event pattern only
 * matches the alarm event it names.
 */
export const ALLOWED_CROSS_REGION_INPUTS = new Set([
  "aws:rds/instance:Instance.replicateSourceDb",
  // backup-restore: RDS copies the primary's backups from its ARN; the copy is restorable without it.
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication.sourceDbInstanceArn",
  "aws:lambda/function:Function.environment.variables.PRIMARY_TARGET_GROUP_ARN",
  // Failback's catch-up proof: the primary-region operations function asks the primary region's heartbeat function.
  "aws:lambda/function:Function.environment.variables.PRIMARY_HEARTBEAT_FUNCTION_ARN",
  // The Region switch actions function's stop-writes steps act on the deactivating region in a graceful execution only; an
  // ungraceful one skips them (ARC Developer Guide, "Custom action Lambda execution block"), so the failover never needs them.
  "aws:lambda/function:Function.environment.variables.ACTIONS",
  // The automatic failover rule matches the forwarded health-check alarm (us-east-1) by its ARN.
  "aws:cloudwatch/eventRule:EventRule.eventPattern",
  // A DynamoDB replica names the global table it joins; it serves reads and writes without the primary region.
  "aws:dynamodb/tableReplica:TableReplica.globalTableArn",
  // After a failover the DR region's plan copies the promoted database's backups to the primary vault: a copy target, never needed to serve.
  "aws:backup/plan:Plan.rules[0].copyActions[0].destinationVaultArn",
]);

/**
 * True when an ARN of another region at `path` is not a run-time dependency: the replica's source
 * (the replication link, cut by promotion), the source of replicated backups (restorable without it), or the recovery manifest, which records the primary's
 * ARNs as documentation and is never resolved at run time.
 */
export function crossRegionReferenceAllowed(type: string, path: string, inputs: Record<string, unknown>, arn?: string): boolean {
  if (ALLOWED_CROSS_REGION_INPUTS.has(`${type}.${path}`)) return true;
  if (arn !== undefined && secretReplicaKeyInItsRegion(type, path, inputs, arn)) return true;
  if (heartbeatToTheOtherRegion(type, path, inputs)) return true;
  if (type === "aws:sfn/stateMachine:StateMachine" && path === "definition" && arn !== undefined && isGlobalDatabaseMemberArn(arn)) return true;
  if (arn !== undefined && regionSwitchPerRegionTarget(type, path, inputs, arn)) return true;
  return (
    type === "aws:ssm/parameter:Parameter" &&
    (path === "insecureValue" || path === "value") &&
    String(inputs.name ?? "").endsWith(RECOVERY_MANIFEST_NAME_SUFFIX)
  );
}

/**
 * A secret's replica encrypted by a key of the replica's own region (`replicas[i].kmsKeyId` with
 * `replicas[i].region` the key's region): ReplicateSecretToRegions takes "the ARN, key ID, or alias
 * of the KMS key to encrypt the secret in the Region" for each replica (Secrets Manager API
 * Reference, ReplicaRegionType). The replica is read in its region with that region's key, so the
 * reference is the replica's own dependency, not the source region's on another region.
 */
export function secretReplicaKeyInItsRegion(type: string, path: string, inputs: Record<string, unknown>, arn: string): boolean {
  const match = /^replicas\[(\d+)\]\.kmsKeyId$/.exec(path);
  if (type !== "aws:secretsmanager/secret:Secret" || match === null) return false;
  const replicas = inputs.replicas as { region?: unknown }[] | undefined;
  return replicas?.[Number(match[1])]?.region === arnRegion(arn);
}

/**
 * The Alertmanager receiver `heartbeat`'s SNS topic: the dead man's switch of this region's
 * monitoring lives in the other region by design (components/monitoringHeartbeat.ts), since a watch
 * inside the watched region dies with it. It is a signal sent out, never needed to serve: with the
 * other region gone, the sends fail and nothing else changes.
 */
export function heartbeatToTheOtherRegion(type: string, path: string, inputs: Record<string, unknown>): boolean {
  const match = /^values\.alertmanager\.config\.receivers\[(\d+)\]\.sns_configs\[\d+\]\.topic_arn$/.exec(path);
  if (!type.startsWith("kubernetes:helm.sh/") || match === null) return false;
  const receivers = ((inputs.values as { alertmanager?: { config?: { receivers?: { name?: unknown }[] } } } | undefined)?.alertmanager?.config?.receivers ??
    []) as {
    name?: unknown;
  }[];
  return receivers[Number(match[1])]?.name === RECEIVERS.heartbeat;
}

/**
 * The per-region targets of an ARC Region switch plan (`aws:arcregionswitch/plan:Plan`), and nothing else
 * of it: a plan names each region's database and Auto Scaling group by AWS's design, and acts only on
 * those of the region being activated, from that region. The exempt fields, in any workflow and any step
 * (a Parallel step's children included):
 * - `rdsPromoteReadReplicaConfigs[i].dbInstanceArnMap.<region>` and
 *   `rdsCreateCrossRegionReadReplicaConfigs[i].dbInstanceArnMap.<region>`, where the ARN is of the region
 *   it is keyed by (ARC API Reference, RdsPromoteReadReplicaConfiguration `dbInstanceArnMap`: "a map of
 *   Regions to DB instance ARNs"; ARC Developer Guide, "Amazon RDS Promote Read Replica execution block":
 *   ARC promotes the instance "in the Region that you're activating");
 * - `ec2AsgCapacityIncreaseConfigs[i].asgs[j].arn` and `globalAuroraConfigs[i].databaseClusterArns[j]`, of
 *   a region the plan spans (its `regions`): "you enter the EC2 Auto Scaling ARNs for the specific Regions
 *   that are associated with your plan" (ARC Developer Guide, "Amazon EC2 Auto Scaling group execution
 *   block"), the deactivating region's group read only for its capacity, which an ungraceful execution does
 *   without (`ungraceful.minimumSuccessPercentage`); the Aurora global database switches by the clusters of
 *   both regions, as the Step Functions path does (`isGlobalDatabaseMemberArn`);
 * - `customActionLambdaConfigs[i].lambdas[j].arn` of a region the plan spans: ARC wants "two Lambda functions
 *   for the step to execute—one in each of the plan's Regions" and runs the activating region's (ARC Developer
 *   Guide, "Custom action Lambda execution block"; regionToRun `activatingRegion`).
 * Region switch "plans are executed from the Region being activated" (ARC Developer Guide, "About Region
 * switch"), with "a data plane in each AWS Region" (ARC Developer Guide, "Region switch in ARC"), and an
 * ungraceful execution "either changes the behavior of the execution blocks in a workflow or skips
 * specific execution blocks" (ARC API Reference, StartPlanExecution `mode`): naming the failed region's
 * resources is how a plan recognises them, not a call into that region during a failover.
 */
export function regionSwitchPerRegionTarget(type: string, path: string, inputs: Record<string, unknown>, arn: string): boolean {
  if (type !== "aws:arcregionswitch/plan:Plan") return false;
  const step = String.raw`workflows\[\d+\]\.steps\[\d+\](?:\.parallelConfigs\[\d+\]\.steps\[\d+\])?`;
  const mapped = new RegExp(
    `^${step}\\.(?:rdsPromoteReadReplicaConfigs|rdsCreateCrossRegionReadReplicaConfigs)\\[\\d+\\]\\.dbInstanceArnMap\\.([a-z]{2}-[a-z-]+-\\d+)$`,
  ).exec(path);
  if (mapped) return arnRegion(arn) === mapped[1];
  const listed = new RegExp(
    `^${step}\\.(?:ec2AsgCapacityIncreaseConfigs\\[\\d+\\]\\.asgs\\[\\d+\\]\\.arn|globalAuroraConfigs\\[\\d+\\]\\.databaseClusterArns\\[\\d+\\]|customActionLambdaConfigs\\[\\d+\\]\\.lambdas\\[\\d+\\]\\.arn)$`,
  ).test(path);
  const regions = Array.isArray(inputs.regions) ? inputs.regions.map(String) : [];
  return listed && regions.includes(String(arnRegion(arn)));
}

/**
 * An Aurora DB cluster ARN, which a recovery workflow may name in any region: the global-cluster
 * operations (DescribeGlobalClusters, SwitchoverGlobalCluster, FailoverGlobalCluster) are called in
 * the workflow's own region and identify the member clusters of every region by ARN (RDS API
 * Reference, SwitchoverGlobalCluster: TargetDbClusterIdentifier "the Amazon Resource Name (ARN) of
 * the secondary Aurora DB cluster"). Naming the primary's cluster is how the failover recognises it,
 * not a call into its region.
 */
export function isGlobalDatabaseMemberArn(arn: string): boolean {
  return /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:[A-Za-z][A-Za-z0-9-]*$/.test(arn);
}

/** Every ARN string inside a value, with the path where it was found. */
export function arnsIn(value: unknown, path = ""): { path: string; arn: string }[] {
  if (typeof value === "string") {
    return value.startsWith("arn:")
      ? [{ path, arn: value }]
      : [...value.matchAll(/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[^"'\s,)\]]+/g)].map((match) => ({ path, arn: match[0] }));
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => arnsIn(item, `${path}[${index}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => arnsIn(item, path ? `${path}.${key}` : key));
  }
  return [];
}

export function checkRegionIsolation({ dr }: PlanPair): InvariantResult {
  const violations: string[] = [];
  for (const resource of dr.resources) {
    if (resource.region === "global" || resource.region !== dr.region) continue;
    for (const { path, arn } of arnsIn(resource.inputs)) {
      const region = arnRegion(arn);
      if (!region || region === resource.region) continue;
      if (crossRegionReferenceAllowed(resource.type, path, resource.inputs, arn)) continue;
      violations.push(`${resource.name}: ${path} uses ${arn} of ${region}; a DR resource must use resources of ${resource.region} so the region runs alone`);
    }
  }
  return { id: 8, title: "No cross-region runtime dependency: DR resources use only DR-region keys, topics, buckets and roles (8)", violations };
}
