/**
 * DR invariant 7 (checks.md): both regions have the same kinds of resources; the DR app tier can
 * scale to the primary's capacity on the same instance type; the databases share engine, version
 * family and parameter settings. A strategy that runs less in the DR region (backup-restore) is
 * judged on what it runs.
 */
import {
  AUTOSCALING_GROUP,
  type InvariantResult,
  LAUNCH_TEMPLATE,
  PARAMETER_GROUP,
  type PlanPair,
  resourcesOfType,
  S3_REPLICATION,
  ROUTE53_HEALTH_CHECK,
  ROUTE53_RECORD,
} from "./plan";
import type { StackPlan } from "../synth/recordStack";
import { STRATEGY_PROFILES, type Strategy } from "../config/strategies";
import { BACKUP_REPLICATION } from "./replicatedBackups";
import { GLOBAL_DATASTORE } from "./cache";

/** What a DR database instance brings (ReplicatedDatabase and the stable name that points at it). */
const DATABASE_KINDS = [
  "aws:rds/instance:Instance",
  PARAMETER_GROUP,
  "aws:rds/subnetGroup:SubnetGroup",
  "multi-region-dr:data:ReplicatedDatabase",
  "multi-region-dr:dns:StableDatabaseName",
];
/** What the monitoring cluster brings. */
const MONITORING_KINDS = [
  "eks:index:Cluster",
  "eks:index:ManagedNodeGroup",
  "multi-region-dr:monitoring:MonitoringCluster",
  "multi-region-dr:monitoring:PrometheusGrafana",
  "multi-region-dr:monitoring:PodIdentityRole",
  "aws:eks/addon:Addon",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  "aws:secretsmanager/secret:Secret",
  "aws:secretsmanager/secretVersion:SecretVersion",
  "random:index/randomPassword:RandomPassword",
  "pulumi:providers:kubernetes",
  "kubernetes:core/v1:ConfigMap",
  "kubernetes:core/v1:Namespace",
  "kubernetes:core/v1:Secret",
  "kubernetes:helm.sh/v3:Release",
  "kubernetes:storage.k8s.io/v1:StorageClass",
];
/** What replicated automated backups bring (backup-restore). */
const BACKUP_KINDS = [BACKUP_REPLICATION, "multi-region-dr:data:ReplicatedBackups"];

/**
 * Kinds the DR region may lack, or have alone, because its strategy runs no such thing
 * (config/strategies.ts): backup-restore keeps backups instead of a database instance until a
 * restore, and runs no monitoring cluster.
 */
export function strategyExemptions(strategy: Strategy, databaseRestored: boolean): { drMayLack: Set<string>; drMayHaveAlone: Set<string> } {
  const profile = STRATEGY_PROFILES[strategy];
  // No instances before a failover (pilot light, backup-restore until a restore): no load balancer alarms either
  // (stacks/monitoring.ts loadBalancerAlarms), and without a monitoring cluster that may leave no alarm at all.
  const runsNoInstances = profile.appCapacity !== "primary" && profile.appCapacity.desiredCapacity === 0 && !databaseRestored;
  const drMayLack = new Set<string>([
    ...(profile.monitoringCluster ? [] : MONITORING_KINDS),
    ...(runsNoInstances ? ["aws:cloudwatch/metricAlarm:MetricAlarm"] : []),
    ...(profile.databaseCopy === "automated-backups" && !databaseRestored ? DATABASE_KINDS : []),
  ]);
  const drMayHaveAlone = new Set<string>(profile.databaseCopy === "automated-backups" ? BACKUP_KINDS : []);
  return { drMayLack, drMayHaveAlone };
}

/** Types only one side may have: the pair's wiring, owned by the DR stack, and the primary's public zone. */
const ROLE_SPECIFIC_TYPES = new Set([
  "pulumi:pulumi:StackReference",
  "aws:route53/zone:Zone",
  S3_REPLICATION,
  ROUTE53_HEALTH_CHECK,
  ROUTE53_RECORD,
  "multi-region-dr:storage:BucketReplication",
  "multi-region-dr:dns:FailoverRouting",
  // An Aurora global database has one global cluster, created with the primary cluster.
  "aws:rds/globalCluster:GlobalCluster",
  // AWS Backup for the pair: the DR stack builds both vaults, the plan (in the primary region) and its copy to the DR vault.
  "aws:backup/vault:Vault",
  "aws:backup/vaultPolicy:VaultPolicy",
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
  "aws:backup/plan:Plan",
  "aws:backup/selection:Selection",
  "multi-region-dr:data:BackupProtection",
  // A DynamoDB global table: the table in the primary, its replica in the DR region.
  "aws:dynamodb/table:Table",
  "aws:dynamodb/tableReplica:TableReplica",
  "multi-region-dr:data:GlobalTable",
  "multi-region-dr:data:GlobalTableReplica",
  // Object Lock protects the DR copy of the data bucket only (objectLock, a DR stack key).
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  // The automatic failover's signal (the probe's alarm while the primary is not fenced), DR stack only (stacks/recovery.ts).
  "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  // The app's secrets: made in the primary region and replicated, with the replica key in the standby region (components/appSecrets.ts).
  "multi-region-dr:security:AppSecrets",
  "aws:kms/replicaKey:ReplicaKey",
  // The DR region's copy of the primary's AMI (components/appImage.ts).
  "aws:ec2/amiCopy:AmiCopy",
  // The cache (issue 22): the global datastore is the primary's (one per pair, on the primary's group), and each stack
  // wraps its group in its role's component. The groups and subnet groups under them are compared here as kinds, and
  // their engine, node type and shards by DR invariant 18 (cache.ts `cacheParityProblems`).
  GLOBAL_DATASTORE,
  "multi-region-dr:cache:PrimaryCache",
  "multi-region-dr:cache:SecondaryCache",
]);

/**
 * Components of the DR stack's recovery layer (stacks/recovery.ts): the workflows, their alarms and
 * topics exist once, in the DR region, for the pair; and the one-off set-up of the writable database
 * (the app's database user). They and everything under them are not regional footprint.
 */
export const RECOVERY_LAYER_TYPES = new Set([
  // The failover pair's fence alarm lives in the DR region with the records' health checks.
  "multi-region-dr:dns:FailoverRouting",
  "multi-region-dr:recovery:RecoveryWorkflows",
  "multi-region-dr:recovery:RecoveryAlarms",
  "multi-region-dr:recovery:NotificationTopic",
  // The DR region's probe of the primary endpoint: the failover's signal, once, in the DR region.
  "multi-region-dr:recovery:PrimaryEndpointProbe",
  // The app's database user is made once, on the writable database; replication carries it to the DR copy.
  "multi-region-dr:database:AppDatabaseUser",
  // recovery.orchestrator region-switch: the ARC Region switch plan spans both regions from the DR stack (its reports
  // bucket, function and roles with it): one plan per pair, declared by the stack that survives the primary's outage
  // (docs/region-switch.md; ARC Developer Guide, "About Region switch": one plan's workflows activate either region).
  "multi-region-dr:recovery:RegionSwitchPlan",
  // The DR drills' AWS FIS experiment templates (faultInjection): the DR stack owns the drills of the pair, each
  // template in the region of the fault it injects (stacks/faultInjection.ts, docs/fault-injection.md).
  "multi-region-dr:recovery:FaultExperiment",
  // The edge (issue 22): one CloudFront distribution for the pair, with its us-east-1 certificate and web ACL and its
  // alias records, owned by the DR stack that survives the primary's outage (docs/edge.md; DR invariant 17).
  "multi-region-dr:edge:EdgeDistribution",
  // A regional DR cache's warm-up: a failover step the DR stack runs once, in the DR region (components/cache/warmUpFunction.ts).
  "multi-region-dr:cache:CacheWarmUp",
]);

function inRecoveryLayer(plan: StackPlan, resource: StackPlan["resources"][number]): boolean {
  const byUrn = new Map(plan.resources.map((candidate) => [candidate.urn, candidate]));
  for (let current: StackPlan["resources"][number] | undefined = resource; current; current = current.parentUrn ? byUrn.get(current.parentUrn) : undefined) {
    if (RECOVERY_LAYER_TYPES.has(current.type)) return true;
  }
  return false;
}

function kinds(plan: StackPlan): Set<string> {
  return new Set(
    plan.resources.filter((resource) => !ROLE_SPECIFIC_TYPES.has(resource.type) && !inRecoveryLayer(plan, resource)).map((resource) => resource.type),
  );
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

export function checkRegionalParity({ primary, dr }: PlanPair): InvariantResult {
  const violations: string[] = [];
  const primaryKinds = kinds(primary);
  const drKinds = kinds(dr);
  const strategy = (dr.outputs.strategy as Strategy | undefined) ?? "warm-standby";
  const exempt = strategyExemptions(strategy, dr.outputs.databaseRestored === true);
  const missingInDr = sorted([...primaryKinds].filter((type) => !drKinds.has(type) && !exempt.drMayLack.has(type)));
  const missingInPrimary = sorted([...drKinds].filter((type) => !primaryKinds.has(type) && !exempt.drMayHaveAlone.has(type)));
  if (missingInDr.length > 0) violations.push(`the DR region lacks resource kinds the primary has: ${missingInDr.join(", ")}`);
  if (missingInPrimary.length > 0) violations.push(`the primary region lacks resource kinds the DR region has: ${missingInPrimary.join(", ")}`);

  const maxOf = (plan: StackPlan) => Math.max(0, ...resourcesOfType(plan, AUTOSCALING_GROUP).map((group) => Number(group.inputs.maxSize ?? 0)));
  if (maxOf(dr) < maxOf(primary)) {
    violations.push(`the DR Auto Scaling Group can reach ${maxOf(dr)} instances, below the primary's maximum ${maxOf(primary)}`);
  }
  // App templates carry the instance type; an EKS node group's template has none (the node group sets it).
  const typesOf = (plan: StackPlan) =>
    sorted(
      new Set(
        resourcesOfType(plan, LAUNCH_TEMPLATE)
          .filter((template) => template.inputs.instanceType !== undefined)
          .map((template) => String(template.inputs.instanceType)),
      ),
    );
  if (typesOf(dr).join() !== typesOf(primary).join()) {
    violations.push(`app instance types differ: primary ${typesOf(primary).join(", ")}, DR ${typesOf(dr).join(", ")}`);
  }
  const parametersOf = (plan: StackPlan) =>
    sorted(
      resourcesOfType(plan, PARAMETER_GROUP).map((group) => {
        const parameters = (group.inputs.parameters as { name: string; value: string }[] | undefined) ?? [];
        return `${group.inputs.family}: ${sorted(parameters.map((parameter) => `${parameter.name}=${parameter.value}`)).join(", ")}`;
      }),
    );
  const drHasDatabase = resourcesOfType(dr, PARAMETER_GROUP).length > 0 || !exempt.drMayLack.has(PARAMETER_GROUP);
  if (drHasDatabase && parametersOf(dr).join("; ") !== parametersOf(primary).join("; ")) {
    violations.push(`database parameter groups differ: primary [${parametersOf(primary).join("; ")}], DR [${parametersOf(dr).join("; ")}]`);
  }
  return { id: 7, title: "Regional parity: same kinds of resources, DR capacity and instance type, same engine family and parameters (7)", violations };
}
