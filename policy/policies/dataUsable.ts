/**
 * Issue 19: policies that prove, at every preview, that the data would be there and usable at once
 * after a failover:
 *
 * - `s3-replication-every-object`: no Enabled replication rule skips objects (a prefix or tag filter).
 * - `s3-replication-readable-class`: no rule lands replicas in a storage class that needs a restore
 *   before a GET (GLACIER, DEEP_ARCHIVE).
 * - `backup-selection-covers-primary-stores`: the AWS Backup selection of the primary-region plan names
 *   the primary database and the global table the manifest names; after a failover the DR region's
 *   plan names the promoted DR database.
 * - `db-parameters-match-primary`: every DB parameter group sets exactly the program's parameters
 *   (TLS enforcement among them), every database uses a parameter group of its stack, and the DR
 *   database's group is of the primary's family.
 * - `aurora-secondary-engine-version`: an Aurora global database member runs its global cluster's
 *   engine and engine version.
 *
 * What is already checked elsewhere is not checked again: the rule's RTC, deletes, SSE-KMS and
 * destination (storage.ts `s3-replication-rules`, `s3-replication-cross-region`), the copy to the DR
 * region (database.ts `backup-copy-to-dr-region`), an Aurora cluster without a cluster parameter group
 * and the TLS parameter of a cluster parameter group (database.ts `aurora-tls-only`). The offline DR
 * invariants 3, 7 and 12 judge the same facts on both synthesized plans together; these policies judge
 * one stack at `pulumi preview`, reading the primary from the DR stack's recovery manifest.
 */
import type { Policies, PolicyResource } from "@pulumi/policy";
import type { RecoveryManifest } from "../../config/recoveryManifest";
import { AURORA_ENGINES, databaseParameters, parameterGroupFamily, TLS_PARAMETERS } from "../../components/databaseEngine";
import type { Engine } from "../../config/schema";
import { iamPatternMatches } from "../../invariants/plan";
import { AURORA_TYPES, isGlobalMember } from "./database";
import { asList, dependsOn, ofType, regionOf, resourcePolicy, stackPolicy, TYPES } from "./kit";
import { manifestOf } from "./manifest";

/** The resource types these policies read beyond those of `TYPES` (kit.ts) and `AURORA_TYPES` (database.ts). */
export const DATA_USABLE_TYPES = {
  backupSelection: "aws:backup/selection:Selection",
  parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
} as const;

// ---------------------------------------------------------------------------------------------
// S3 replication: every object, readable at once

/** The first element of a property the provider may hand over as an object or a one-item list. */
function firstOf(value: unknown): Record<string, any> | undefined {
  return asList<Record<string, any>>(value as Record<string, any> | Record<string, any>[] | undefined)[0];
}

/** True for a value that restricts nothing: undefined, null or the empty string. */
function blank(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/**
 * Why a replication rule (BucketReplicationConfig `rules[]`, provider shape) copies only some objects,
 * or undefined when it copies every object. A rule's `filter` identifies "the subset of objects to which
 * the replication rule applies": a `prefix`, a `tag` ("the rule applies only to objects that have the tag
 * in their tag set") or an `and` of a prefix and tags (S3 API Reference, ReplicationRuleFilter and
 * ReplicationRuleAndOperator). An empty filter, or an empty prefix, applies to every object. A rule
 * without `filter` is of the V1 schema, whose `prefix` does the same (S3 User Guide, "Replication
 * configuration file elements", backward compatibility).
 */
export function skippedObjectsProblem(rule: Record<string, any>): string | undefined {
  const filter = firstOf(rule.filter);
  if (filter === undefined) {
    return blank(rule.prefix) ? undefined : `prefix ${JSON.stringify(rule.prefix)} replicates only the keys under it`;
  }
  const restrictions: string[] = [];
  if (!blank(filter.prefix)) restrictions.push(`filter.prefix ${JSON.stringify(filter.prefix)}`);
  const tag = firstOf(filter.tag);
  if (tag !== undefined && !blank(tag.key)) restrictions.push(`filter.tag ${tag.key}=${tag.value ?? ""}`);
  const and = firstOf(filter.and);
  if (and !== undefined) {
    if (!blank(and.prefix)) restrictions.push(`filter.and.prefix ${JSON.stringify(and.prefix)}`);
    const tags = Object.entries((and.tags ?? {}) as Record<string, unknown>);
    if (tags.length > 0) restrictions.push(`filter.and.tags ${tags.map(([key, value]) => `${key}=${String(value)}`).join(", ")}`);
  }
  return restrictions.length === 0 ? undefined : `${restrictions.join(" and ")} replicates only the objects that match`;
}

/**
 * Storage classes whose objects cannot be read at once: S3 Glacier Flexible Retrieval (`GLACIER`) and
 * S3 Glacier Deep Archive (`DEEP_ARCHIVE`) objects need a RestoreObject and its wait (minutes to 12 hours)
 * before a GET, while S3 Glacier Instant Retrieval (`GLACIER_IR`) objects "are available immediately"
 * (S3 User Guide, "Understanding archive retrieval options"; storage class names from the S3 API
 * Reference, Destination `StorageClass`).
 */
export const ARCHIVE_STORAGE_CLASSES: ReadonlySet<string> = new Set(["GLACIER", "DEEP_ARCHIVE"]);

const everyObject = resourcePolicy({
  name: "s3-replication-every-object",
  description: "S3 replication rules copy every object: no prefix or tag filter, so the DR copy is complete (WA REL13-BP02, DR invariant 3)",
  enforcementLevel: "mandatory",
  type: TYPES.s3Replication,
  check: (props, _config, report) => {
    for (const rule of asList<Record<string, any>>(props.rules).filter((candidate) => candidate.status === "Enabled")) {
      const problem = skippedObjectsProblem(rule);
      if (problem) report(`rule ${rule.id ?? "(no id)"}: ${problem}; the DR bucket would lack every other object after a failover: use an empty filter`);
    }
  },
});

const readableClass = resourcePolicy({
  name: "s3-replication-readable-class",
  description:
    "S3 replication never lands replicas in GLACIER or DEEP_ARCHIVE, which need a restore before a read (GLACIER_IR reads at once) (WA REL13-BP02, DR invariant 3)",
  enforcementLevel: "mandatory",
  type: TYPES.s3Replication,
  check: (props, _config, report) => {
    for (const rule of asList<Record<string, any>>(props.rules).filter((candidate) => candidate.status === "Enabled")) {
      const storageClass = firstOf(rule.destination)?.storageClass;
      if (typeof storageClass === "string" && ARCHIVE_STORAGE_CLASSES.has(storageClass)) {
        report(
          `rule ${rule.id ?? "(no id)"}: destination.storageClass ${storageClass} needs a RestoreObject (minutes to hours) before each replica can be read; use STANDARD (or GLACIER_IR, readable at once)`,
        );
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// AWS Backup: the selection covers the primary data stores

/** The selections of a plan: their `planId` came from it, or holds its id (the last segment of its ARN). */
function selectionsOf(plan: PolicyResource, resources: PolicyResource[]): PolicyResource[] {
  const planId =
    typeof plan.props.id === "string"
      ? plan.props.id
      : String(plan.props.arn ?? "")
          .split(":")
          .pop();
  return ofType(resources, DATA_USABLE_TYPES.backupSelection).filter(
    (selection) => dependsOn(selection, plan, "planId") || (typeof selection.props.planId === "string" && selection.props.planId === planId),
  );
}

/**
 * Whether a set of selections backs up a resource: some selection's `resources` names it (AWS Backup
 * matches `*` wildcards in these ARNs) and no `notResources` entry excludes it, and that selection sets
 * no tag `conditions` or `selectionTags`, which a resource must also match (BackupSelection: conditions
 * are ANDed; the DR stack cannot see the primary's tags, so such a selection proves nothing).
 * @param arn the resource's ARN; `from` the resource of this stack it came from, when it is one.
 */
export function selectionCovers(selections: PolicyResource[], arn: string | undefined, from?: PolicyResource): boolean {
  return selections.some((selection) => {
    const matches = (patterns: unknown) =>
      asList<unknown>(patterns as unknown[]).some((pattern) => typeof pattern === "string" && arn !== undefined && iamPatternMatches(pattern, arn));
    const named = (from !== undefined && dependsOn(selection, from, "resources")) || matches(selection.props.resources);
    const excluded = (from !== undefined && dependsOn(selection, from, "notResources")) || matches(selection.props.notResources);
    // `conditions`: a list of { stringEquals, stringLikes, stringNotEquals, stringNotLikes }, each a list (provider aws.backup.Selection).
    const conditional =
      asList(selection.props.selectionTags).length > 0 ||
      asList<Record<string, unknown>>(selection.props.conditions).some((condition) =>
        Object.values(condition ?? {}).some((operator) => asList(operator as unknown[]).length > 0),
      );
    return named && !excluded && !conditional;
  });
}

const selectionCoversStores = stackPolicy({
  name: "backup-selection-covers-primary-stores",
  description:
    "The AWS Backup selection of the primary-region plan names the primary database and the manifest's global table; after a failover the DR plan names the promoted database (DR invariant 12, WA REL09-BP02)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    const primary = manifest?.role === "dr" ? manifest.primary : undefined;
    const plans = ofType(resources, TYPES.backupPlan);
    // No vault and no plan: the stack does not back up (backup.enabled: false), which invariant 12 judges with the stack's outputs.
    if (!primary || (plans.length === 0 && ofType(resources, TYPES.backupVault).length === 0)) return;
    // The outage mode declares nothing in the failed primary region: its plan is out of the stack (docs/outage-runbook.md).
    if (manifest!.primaryRegionDown !== true) {
      const primaryPlans = plans.filter((plan) => regionOf(plan) === primary.region);
      const selections = primaryPlans.flatMap((plan) => selectionsOf(plan, resources));
      if (primaryPlans.length === 0)
        report(`no AWS Backup plan in the primary region ${primary.region}: nothing backs up the primary database ${primary.dbArn}`);
      else {
        const stores = [
          { what: "the primary database", arn: primary.dbArn },
          ...(primary.globalTableArn !== undefined ? [{ what: "the global table", arn: primary.globalTableArn }] : []),
        ];
        for (const store of stores) {
          if (!selectionCovers(selections, store.arn)) {
            report(
              `${store.what} ${store.arn} is in no backup selection of the ${primary.region} plan (or is excluded by notResources or tag conditions): name it in the selection's resources`,
            );
          }
        }
      }
    }
    // After a failover the promoted DR database is the writer (components/backupProtection.ts promotedDatabaseArn; instance mode only).
    if (manifest!.databasePromoted === true && primary.dbEngineMode === "instance") {
      const drRegion = manifest!.region;
      const promotedPlans = plans.filter((plan) => regionOf(plan) === drRegion);
      const selections = promotedPlans.flatMap((plan) => selectionsOf(plan, resources));
      for (const database of ofType(resources, TYPES.rdsInstance).filter((candidate) => regionOf(candidate) === drRegion)) {
        if (!selectionCovers(selections, typeof database.props.arn === "string" ? database.props.arn : undefined, database)) {
          report(
            `${database.name}: the promoted DR database is in no backup selection of a ${drRegion} plan: after a failover it is the writer and must be backed up in its own region`,
            database.urn,
          );
        }
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// DB parameters: the DR database's equal the primary's

/** The engine and mode of a parameter-group family (`postgres17`, `mysql8.4`, `aurora-postgresql17`, `aurora-mysql8.0`), or undefined for another engine. */
export function engineOfFamily(family: unknown): { engine: Engine; aurora: boolean } | undefined {
  const match = /^(aurora-)?(postgres|mysql)/.exec(String(family ?? "").replace(/^aurora-postgresql/, "aurora-postgres"));
  return match ? { engine: match[2] as Engine, aurora: match[1] !== undefined } : undefined;
}

/**
 * How a parameter group's parameters differ from the program's (`databaseParameters(engine)`), one
 * phrase each; empty when they are the same names and values (`applyMethod` aside: it only decides when
 * a value takes effect). `skip` names parameters another policy judges.
 */
export function parameterDifferences(parameters: unknown, engine: Engine, skip: readonly string[] = []): string[] {
  const expected = new Map(databaseParameters(engine).map((parameter) => [parameter.name, parameter.value]));
  const actual = new Map(
    asList<Record<string, any>>(parameters as Record<string, any>[]).map((parameter) => [String(parameter.name), String(parameter.value)]),
  );
  const differences: string[] = [];
  for (const [name, value] of expected) {
    if (skip.includes(name)) continue;
    if (!actual.has(name)) differences.push(`${name} is not set (the program sets ${value})`);
    else if (actual.get(name) !== value) differences.push(`${name} is ${actual.get(name)}, the program sets ${value}`);
  }
  for (const [name, value] of actual) if (!expected.has(name) && !skip.includes(name)) differences.push(`${name}=${value} is not a parameter the program sets`);
  return differences;
}

/** The parameter group of this stack that a database names through `property`, by link or by name. */
function groupOf(database: PolicyResource, groups: PolicyResource[], property: string): PolicyResource | undefined {
  const name = database.props[property];
  return groups.find((group) => dependsOn(database, group, property) || (typeof name === "string" && name !== "" && group.props.name === name));
}

/**
 * The parameter-group family a database must use: from its own engine and version when it has them
 * (a primary, a promoted replica, an Aurora cluster), else the primary's as the DR stack's manifest
 * records them (a read replica takes its engine and version from its source); undefined when unknown.
 */
function expectedFamily(database: PolicyResource, primary: RecoveryManifest["primary"]): string | undefined {
  const ownEngine = engineOfFamily(database.props.engine);
  const version = database.props.engineVersion;
  try {
    if (ownEngine && typeof version === "string" && version !== "")
      return parameterGroupFamily(ownEngine.engine, version, ownEngine.aurora ? "aurora-global" : "instance");
    return primary ? parameterGroupFamily(primary.dbEngine, primary.dbEngineVersion, primary.dbEngineMode) : undefined;
  } catch {
    return undefined;
  }
}

const parametersMatchPrimary = stackPolicy({
  name: "db-parameters-match-primary",
  description:
    "Every database uses a parameter group of its stack, of the primary's family, setting exactly the program's parameters (rds.force_ssl or require_secure_transport among them), so the DR database behaves as the primary (DR invariant 7, RDS)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    const primary = manifest?.role === "dr" ? manifest.primary : undefined;
    const instanceGroups = ofType(resources, DATA_USABLE_TYPES.parameterGroup);
    const clusterGroups = ofType(resources, AURORA_TYPES.clusterParameterGroup);
    // Both stacks' groups are held to the one list the program builds them from, so the two regions agree whenever both previews pass.
    for (const group of [...instanceGroups, ...clusterGroups]) {
      const engine = engineOfFamily(group.props.family);
      if (!engine) continue;
      // A cluster parameter group's TLS parameter is aurora-tls-only's to judge.
      const skip = group.type === AURORA_TYPES.clusterParameterGroup ? [TLS_PARAMETERS[engine.engine].name] : [];
      const differences = parameterDifferences(group.props.parameters, engine.engine, skip);
      if (differences.length > 0) {
        report(
          `${group.name}: ${differences.join("; ")}: both regions' groups must set the program's parameters (components/databaseEngine.ts databaseParameters), or the DR database behaves unlike the primary after a failover`,
          group.urn,
        );
      }
    }
    const databases = [
      ...ofType(resources, TYPES.rdsInstance).map((database) => ({ database, property: "parameterGroupName", groups: instanceGroups })),
      ...ofType(resources, AURORA_TYPES.cluster)
        // An Aurora cluster without a cluster parameter group is aurora-tls-only's to report.
        .filter((cluster) => typeof cluster.props.dbClusterParameterGroupName === "string" && cluster.props.dbClusterParameterGroupName !== "")
        .map((database) => ({ database, property: "dbClusterParameterGroupName", groups: clusterGroups })),
    ];
    for (const { database, property, groups } of databases) {
      const group = groupOf(database, groups, property);
      if (!group) {
        // A cross-Region read replica without DBParameterGroupName gets the engine's default group (RDS API Reference, CreateDBInstanceReadReplica).
        report(
          `${database.name}: ${property} ${JSON.stringify(database.props[property])} is not a parameter group of this stack: the engine's default group does not set the program's parameters (TLS-only connections among them)`,
          database.urn,
        );
        continue;
      }
      const family = expectedFamily(database, primary);
      if (family !== undefined && group.props.family !== family) {
        report(
          `${database.name}: its parameter group ${group.name} is of family ${String(group.props.family)}, not ${family}, the family of the primary's engine and version`,
          database.urn,
        );
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Aurora: a secondary on its global cluster's engine version

const auroraSecondaryEngineVersion = stackPolicy({
  name: "aurora-secondary-engine-version",
  description:
    "An Aurora global database member runs its global cluster's engine and engine version; a managed switchover or failover needs the same version on both sides (RDS Aurora User Guide, DR invariants 1-2)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    const primary = manifest?.role === "dr" ? manifest.primary : undefined;
    const globals = ofType(resources, AURORA_TYPES.globalCluster);
    for (const cluster of ofType(resources, AURORA_TYPES.cluster).filter((candidate) => isGlobalMember(candidate.props))) {
      const identifier = cluster.props.globalClusterIdentifier;
      // The global cluster of this stack (the primary's), else the one the manifest records (the DR stack's secondary).
      const global = globals.find(
        (candidate) => dependsOn(cluster, candidate, "globalClusterIdentifier") || candidate.props.globalClusterIdentifier === identifier,
      );
      const expected =
        global !== undefined
          ? { engine: global.props.engine, version: global.props.engineVersion, from: `the global cluster ${global.name}` }
          : primary?.dbEngineMode === "aurora-global" && primary.dbGlobalClusterIdentifier === identifier
            ? {
                engine: AURORA_ENGINES[primary.dbEngine],
                version: primary.dbEngineVersion,
                from: `the global cluster ${identifier} (the primary's dbEngineVersion)`,
              }
            : undefined;
      if (!expected) continue;
      if (typeof expected.engine === "string" && cluster.props.engine !== expected.engine) {
        report(`${cluster.name}: engine ${JSON.stringify(cluster.props.engine)} is not ${expected.engine}, the engine of ${expected.from}`, cluster.urn);
      }
      if (typeof expected.version === "string" && cluster.props.engineVersion !== expected.version) {
        report(
          `${cluster.name}: engineVersion ${JSON.stringify(cluster.props.engineVersion)} is not ${expected.version}, the version of ${expected.from}: a secondary on another version cannot join, and a managed switchover or failover needs the same version`,
          cluster.urn,
        );
      }
    }
  },
});

/** The policies of the "data usable" concern, for `policy/policies/index.ts`. */
export const dataUsablePolicies: Policies = [everyObject, readableClass, selectionCoversStores, parametersMatchPrimary, auroraSecondaryEngineVersion];
