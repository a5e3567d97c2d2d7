/**
 * DR invariants judged on one stack, from its own resources and its recovery manifest: declared
 * RTO and RPO within the organization's targets (11), the read replica's region, source, key and
 * size (1, 2), the DR tier's capacity against the primary's (7), no cross-region runtime dependency
 * (8), stateful resources protected (10), and resources only in allowed regions.
 */
import type { PolicyResource } from "@pulumi/policy";
import { isGlobalType } from "../../invariants/globalTypes";
import { arnRegion } from "../../invariants/plan";
import {
  type FunctionFacts,
  startsFailover,
  successWithoutFence,
  type TriggerFacts,
  triggerProblems,
  unplannedPathProblems,
} from "../../invariants/dataPlaneFailover";
import { arnsIn, crossRegionReferenceAllowed, isGlobalDatabaseMemberArn } from "../../invariants/regionIsolation";
import { classAtLeast } from "../../invariants/replica";
import { replicatedBackupsProblems } from "../../invariants/replicatedBackups";
import { budgetInputsFromResources } from "../../budget/fromResources";
import { budgetProblems, recoveryBudget } from "../../budget/recoveryBudget";
import { drRunsRecoveryWorkflows } from "../../config/strategies";
import { protectionProblems, RETAINED_TAG, STATEFUL_TYPES } from "../../invariants/statefulProtection";
import { RDS_CLUSTER, RDS_CLUSTER_INSTANCE } from "../../invariants/auroraGlobal";
import { REGION_SWITCH_PLAN } from "../../invariants/regionSwitch";
import { isReplica } from "./database";
import { ofType, parseJson, regionOf, schema, stackPolicy, TYPES } from "./kit";
import { manifestOf, manifestsOf } from "./manifest";

const objectivesDeclared = stackPolicy({
  name: "dr-recovery-objectives-declared",
  description:
    "DR invariant 11: the stack declares its RTO and RPO in its recovery manifest, within the organization's targets, the DR stack the same as its primary",
  enforcementLevel: "mandatory",
  config: {
    schema: {
      properties: {
        maximumRtoSeconds: schema.integer("Longest recovery time objective the organization accepts, seconds", 1, 86400),
        maximumRpoSeconds: schema.integer("Longest recovery point objective the organization accepts, seconds", 1, 86400),
      },
    },
    // Four hours and one hour: room for backup-restore (AWS DR whitepaper: RTO and RPO in hours), caught beyond that.
    defaults: { maximumRtoSeconds: 14400, maximumRpoSeconds: 3600 },
  },
  check: (resources, config, report) => {
    const found = manifestsOf(resources);
    if (found.length !== 1) {
      report(
        `the stack has ${found.length} recovery manifests (SSM parameters named /<project>/<stack>/recovery-manifest); it needs exactly one to declare its RTO and RPO`,
      );
      return;
    }
    const [{ resource, manifest, problems }] = found;
    for (const problem of problems) report(`${resource.name}: the recovery manifest is invalid: ${problem}`, resource.urn);
    if (!manifest) return;
    if (regionOf(resource) !== manifest.region) report(`${resource.name}: declares region ${manifest.region} but lives in ${regionOf(resource)}`, resource.urn);
    if (manifest.rtoSeconds > config.maximumRtoSeconds)
      report(`declared RTO ${manifest.rtoSeconds} s exceeds the organization's target of ${config.maximumRtoSeconds} s`, resource.urn);
    if (manifest.rpoSeconds > config.maximumRpoSeconds)
      report(`declared RPO ${manifest.rpoSeconds} s exceeds the organization's target of ${config.maximumRpoSeconds} s`, resource.urn);
    const primary = manifest.primary;
    if (primary && (primary.rtoSeconds !== manifest.rtoSeconds || primary.rpoSeconds !== manifest.rpoSeconds)) {
      report(
        `declares RTO ${manifest.rtoSeconds} s / RPO ${manifest.rpoSeconds} s but its primary declares ${primary.rtoSeconds} s / ${primary.rpoSeconds} s; the pair must share one objective`,
        resource.urn,
      );
    }
    if (primary && primary.region === manifest.region)
      report(`the DR stack is in its primary's region ${manifest.region}; it must run in another region`, resource.urn);
  },
});

const replicaWiring = stackPolicy({
  name: "dr-replica-wiring",
  description:
    "DR invariants 1 and 2: one read replica of the primary database, in another region, encrypted with a key of its own region, at least the primary's class and storage (RDS cross-region read replicas); for an Aurora global database, one secondary cluster in the primary's global cluster under a key of its own region, on at least the primary's class; for backup-restore, one replication of its automated backups under a key of the DR region",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    const replicas = ofType(resources, TYPES.rdsInstance).filter((database) => isReplica(database.props));
    for (const replica of replicas) {
      const source = String(replica.props.replicateSourceDb);
      const region = regionOf(replica);
      if (!source.startsWith("arn:"))
        report(`${replica.name}: replicateSourceDb ${source} is not an ARN; a cross-region replica names its source by ARN`, replica.urn);
      else if (arnRegion(source) === region)
        report(`${replica.name}: the replica and its source are both in ${region}; a DR replica must live in another region`, replica.urn);
      const key = replica.props.kmsKeyId;
      // A cross-region replica is encrypted by its kmsKeyId; the provider ignores storageEncrypted there.
      if (typeof key !== "string" || key === "") report(`${replica.name}: must be encrypted with a KMS key of ${region} (kmsKeyId)`, replica.urn);
      else if (arnRegion(key) !== region)
        report(`${replica.name}: kmsKeyId is a key of ${arnRegion(key)}; a cross-region replica needs a key of its own region ${region}`, replica.urn);
      const primary = manifest?.primary;
      if (!primary) continue;
      if (source !== primary.dbArn) report(`${replica.name}: replicateSourceDb ${source} is not the primary's database ${primary.dbArn}`, replica.urn);
      if (!classAtLeast(String(replica.props.instanceClass), primary.dbInstanceClass)) {
        report(
          `${replica.name}: instance class ${replica.props.instanceClass} is smaller than or of another family than the primary's ${primary.dbInstanceClass}; after promotion it carries the full load`,
          replica.urn,
        );
      }
      if (Number(replica.props.allocatedStorage ?? 0) < primary.dbAllocatedStorageGib) {
        report(
          `${replica.name}: allocatedStorage ${replica.props.allocatedStorage} GiB is below the primary's ${primary.dbAllocatedStorageGib} GiB`,
          replica.urn,
        );
      }
    }
    if (manifest?.role === "dr" && manifest.primary && manifest.strategy === "backup-restore") {
      const replications = ofType(resources, TYPES.backupReplication).map((replication) => ({
        ...replication.props,
        name: replication.name,
        region: regionOf(replication) ?? manifest.region,
      }));
      const problems = replicatedBackupsProblems(
        replications,
        manifest.primary.dbArn,
        replicas.map((replica) => replica.name),
      );
      for (const problem of problems) report(problem);
      return;
    }
    if (manifest?.role === "dr" && manifest.primary?.dbEngineMode === "aurora-global") {
      for (const problem of secondaryClusterProblems(resources, manifest.primary)) report(problem.message, problem.urn);
      return;
    }
    // After a failover the DR database is standalone (database.promoted): no replica until failback re-protects.
    if (manifest?.role === "dr" && manifest.primary && manifest.databasePromoted !== true) {
      const count = replicas.filter((replica) => replica.props.replicateSourceDb === manifest.primary!.dbArn).length;
      if (count !== 1) report(`the primary database ${manifest.primary.dbArn} has ${count} replicas in this DR stack; it needs exactly one`);
    }
  },
});

/**
 * The Aurora half of `dr-replica-wiring`: exactly one cluster of this DR stack joins the primary's
 * global cluster; it is encrypted with a key of its own region and every instance of it runs at
 * least the primary's class (it becomes the writer on failover).
 */
function secondaryClusterProblems(
  resources: PolicyResource[],
  primary: { dbGlobalClusterIdentifier?: string; dbInstanceClass: string },
): { message: string; urn?: string }[] {
  const problems: { message: string; urn?: string }[] = [];
  const clusters = ofType(resources, RDS_CLUSTER);
  const secondaries = clusters.filter((cluster) => cluster.props.globalClusterIdentifier === primary.dbGlobalClusterIdentifier);
  if (secondaries.length !== 1) {
    problems.push({
      message: `the primary's global cluster ${primary.dbGlobalClusterIdentifier} has ${secondaries.length} secondary clusters in this DR stack; it needs exactly one`,
    });
  }
  for (const cluster of clusters.filter((candidate) => !secondaries.includes(candidate))) {
    problems.push({
      message: `${cluster.name}: joins ${String(cluster.props.globalClusterIdentifier)}, not the primary's global cluster ${primary.dbGlobalClusterIdentifier}`,
      urn: cluster.urn,
    });
  }
  for (const secondary of secondaries) {
    const region = regionOf(secondary);
    const key = secondary.props.kmsKeyId;
    if (typeof key !== "string" || key === "")
      problems.push({ message: `${secondary.name}: must be encrypted with a KMS key of ${region} (kmsKeyId)`, urn: secondary.urn });
    else if (arnRegion(key) !== region) {
      problems.push({
        message: `${secondary.name}: kmsKeyId is a key of ${arnRegion(key)}; the secondary cluster needs a key of its own region ${region}`,
        urn: secondary.urn,
      });
    }
  }
  for (const instance of ofType(resources, RDS_CLUSTER_INSTANCE)) {
    if (!classAtLeast(String(instance.props.instanceClass), primary.dbInstanceClass)) {
      problems.push({
        message: `${instance.name}: instance class ${instance.props.instanceClass} is smaller than or of another family than the primary's ${primary.dbInstanceClass}; after failover it carries the full load`,
        urn: instance.urn,
      });
    }
  }
  return problems;
}

const capacityParity = stackPolicy({
  name: "dr-capacity-parity",
  description: "DR invariant 7: the DR app tier runs the primary's instance type and can scale to the primary's maximum capacity (WA REL13-BP01, warm standby)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const primary = manifestOf(resources)?.manifest?.primary;
    if (!primary) return;
    const groups = ofType(resources, TYPES.autoScalingGroup);
    const maximum = Math.max(0, ...groups.map((group) => Number(group.props.maxSize ?? 0)));
    if (maximum < primary.appMaxSize)
      report(`the DR Auto Scaling Group can reach ${maximum} instances, below the primary's maximum ${primary.appMaxSize}; raise app.maxSize`);
    // App templates carry the instance type; an EKS node group's template has none (the node group sets it).
    for (const template of ofType(resources, TYPES.launchTemplate).filter((template) => template.props.instanceType !== undefined)) {
      if (template.props.instanceType !== primary.appInstanceType) {
        report(
          `${template.name}: instance type ${template.props.instanceType} differs from the primary's ${primary.appInstanceType}; failover capacity is planned in the primary's type`,
          template.urn,
        );
      }
    }
  },
});

const regionIsolation = stackPolicy({
  name: "dr-region-isolation",
  description:
    "DR invariant 8: no resource of the stack's region uses a key, topic, bucket or other resource of another region at run time (each region runs alone)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const home = manifestOf(resources)?.manifest?.region;
    // The manifest records the primary's ARNs as documentation, read from `insecureValue` or `value` (manifest.ts).
    const manifests = new Set(manifestsOf(resources).map((found) => found.resource));
    const documentation = (resource: PolicyResource, path: string) => manifests.has(resource) && (path === "insecureValue" || path === "value");
    for (const resource of resources.filter((candidate) => candidate.type.startsWith("aws:") && !isGlobalType(candidate.type))) {
      const region = regionOf(resource);
      if (!region || (home !== undefined && region !== home)) continue;
      for (const { path, arn } of arnsIn(resource.props)) {
        const other = arnRegion(arn);
        if (!other || other === region || crossRegionReferenceAllowed(resource.type, path, resource.props, arn) || documentation(resource, path)) continue;
        report(`${resource.name}: ${path} uses ${arn} of ${other}; use a resource of ${region} so the region runs alone`, resource.urn);
      }
    }
  },
});

const statefulProtected = stackPolicy({
  name: "stateful-resources-protected",
  description:
    "DR invariant 10: databases, Aurora clusters, DynamoDB tables, buckets, backup vaults and keys carry Pulumi protect, deletion protection, a final snapshot, no forceDestroy and the longest key deletion window",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    for (const resource of resources.filter((candidate) => STATEFUL_TYPES.includes(candidate.type))) {
      // A policy pack sees `protect` but not `retainOnDelete` (@pulumi/policy PolicyResourceOptions), so it asks for `protect`,
      // or for the tag the DR stack puts on what it retains on delete instead (stacks/regionalProvider.ts RETAINED_TAG:
      // keys and vaults in the primary region, which Pulumi could not drop in the outage mode if they were protected);
      // DR invariant 10, which sees the real option, checks that those carry retainOnDelete.
      // The tag counts only where the DR stack puts it: a key or a vault outside the stack's own region (the manifest's).
      const manifest = manifestOf(resources)?.manifest;
      const tagApplies = RETAINED_TAG_TYPES.includes(resource.type) && manifest !== undefined && regionOf(resource) !== manifest.region;
      const retained = tagApplies && retainedOnDelete(resource.props);
      for (const problem of protectionProblems({ type: resource.type, inputs: resource.props, protect: resource.opts.protect, retainOnDelete: retained })) {
        report(
          `${resource.name}: ${problem.replace("has neither Pulumi protect nor retainOnDelete", "is not Pulumi-protected (protect: true)")}`,
          resource.urn,
        );
      }
    }
  },
});

/** The types the DR stack retains in the primary region and tags so (stacks/regionalProvider.ts STATEFUL_RETAINED_TYPES). */
const RETAINED_TAG_TYPES = ["aws:kms/key:Key", "aws:backup/vault:Vault"];

/** True when a resource's tags say it is retained on delete (`RetainOnDelete: "true"`, stacks/regionalProvider.ts RETAINED_TAG). */
export function retainedOnDelete(props: Record<string, unknown>): boolean {
  const tags = props.tags as Record<string, unknown> | undefined;
  return tags?.[RETAINED_TAG] === "true";
}

/** Every region a stack's resources live in: each resource's own, and each AWS provider's. */
export function regionsUsed(resources: PolicyResource[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const resource of resources) {
    const region =
      resource.type === "pulumi:providers:aws"
        ? resource.props.region
        : resource.type.startsWith("aws:") && !isGlobalType(resource.type)
          ? regionOf(resource)
          : undefined;
    if (typeof region === "string") used.set(region, [...(used.get(region) ?? []), resource.name]);
  }
  return used;
}

const allowedRegions = stackPolicy({
  name: "allowed-regions",
  description: "Resources are created only in the organization's allowed regions (data residency; an empty list allows every region)",
  enforcementLevel: "mandatory",
  config: {
    schema: { properties: { regions: schema.strings("Allowed AWS regions, e.g. us-east-1, us-west-2; empty allows all", []) } },
    defaults: { regions: [] as string[] },
  },
  check: (resources, config, report) => {
    if (config.regions.length === 0) return;
    for (const [region, names] of regionsUsed(resources)) {
      if (!config.regions.includes(region))
        report(
          `${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}: region ${region} is not allowed (${config.regions.join(", ")})`,
        );
    }
  },
});

/** The workflows the DR stack must deploy, by the suffix of their state machine names (`recovery/names.ts`). */
const WORKFLOW_SUFFIXES = ["-failover", "-failback", "-drill"];

/**
 * Why the DR stack's orchestrator is not exactly one: with an ARC Region switch plan
 * (`recovery.orchestrator: region-switch`, seen by its plan resource: the recovery manifest does not
 * record the orchestrator) the plan replaces the failover, failback and drill state machines, and a state
 * machine of those beside it is a second orchestrator that can promote, scale and move traffic at the same
 * time (docs/region-switch.md, "One orchestrator"); `dr-region-switch-plan` judges the plan itself.
 * @returns one message per problem; empty without a plan, or with one plan and none of those machines.
 */
export function orchestratorProblems(plans: PolicyResource[], machines: PolicyResource[]): string[] {
  if (plans.length === 0) return [];
  const problems =
    plans.length === 1 ? [] : [`the DR stack declares ${plans.length} ARC Region switch plans; one orchestrator needs exactly one (dr-region-switch-plan)`];
  for (const machine of machines.filter((candidate) => WORKFLOW_SUFFIXES.some((suffix) => String(candidate.props.name ?? "").endsWith(suffix))))
    problems.push(
      `${machine.name}: a ${String(machine.props.name)} state machine beside the Region switch plan ${plans[0].name}; two orchestrators could promote, scale and move traffic at once: remove it (recovery.orchestrator region-switch deploys none)`,
    );
  return problems;
}

const recoveryWorkflows = stackPolicy({
  name: "dr-recovery-workflows",
  description:
    "DR invariant 9: the DR stack deploys failover, failback and drill state machines in its own region (or, with recovery.orchestrator region-switch, one ARC Region switch plan and none of them), each with its own role, calling only its own region, and nothing starts failback automatically",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    if (manifest?.role !== "dr") return;
    const machines = ofType(resources, TYPES.stateMachine);
    const plans = ofType(resources, REGION_SWITCH_PLAN);
    for (const problem of orchestratorProblems(plans, machines)) report(problem);
    // backup-restore before a restore has no database for a workflow to act on: it recovers by a restore. With a
    // Region switch plan the plan is the workflows (orchestratorProblems above, dr-region-switch-plan).
    const expected = plans.length === 0 && drRunsRecoveryWorkflows(manifest.strategy, manifest.databaseRestored === true);
    for (const suffix of expected ? WORKFLOW_SUFFIXES : []) {
      const found = machines.filter((machine) => String(machine.props.name ?? "").endsWith(suffix));
      if (found.length !== 1) report(`the DR stack needs exactly one state machine named *${suffix}; found ${found.length}`);
    }
    const roles = new Map<string, string>();
    for (const machine of machines) {
      if (regionOf(machine) !== manifest.region)
        report(`${machine.name}: runs in ${regionOf(machine)}; the recovery workflows must run in the DR region ${manifest.region}`, machine.urn);
      const roleArn = machine.props.roleArn;
      if (typeof roleArn === "string") {
        const other = roles.get(roleArn);
        if (other) report(`${machine.name}: shares its role with ${other}; each workflow needs its own least-privilege role`, machine.urn);
        roles.set(roleArn, machine.name);
      }
      if (typeof machine.props.definition !== "string") continue;
      let definition: unknown;
      try {
        definition = JSON.parse(machine.props.definition);
      } catch {
        report(`${machine.name}: its definition is not JSON`, machine.urn);
        continue;
      }
      for (const { path, arn } of arnsIn(definition)) {
        const region = arnRegion(arn);
        // Global-cluster operations run in this region and name the member clusters of both regions.
        if (region && region !== manifest.region && !isGlobalDatabaseMemberArn(arn))
          report(
            `${machine.name}: ${path} names ${arn} of ${region}; a workflow calls its own region (Step Functions SDK integrations cannot reach another)`,
            machine.urn,
          );
      }
    }
    const failback = machines.filter((machine) => String(machine.props.name ?? "").endsWith("-failback"));
    for (const target of ofType(resources, TYPES.eventTarget)) {
      const startsFailback = failback.some(
        (machine) =>
          (typeof machine.props.arn === "string" && target.props.arn === machine.props.arn) ||
          String(target.props.arn ?? "").endsWith(`:stateMachine:${machine.props.name}`),
      );
      if (startsFailback) report(`${target.name}: starts the failback workflow; failback must never be automatic (no flapping)`, target.urn);
    }
  },
});

const dataPlaneFailover = stackPolicy({
  name: "dr-failover-data-plane-only",
  description:
    'DR invariant 14: no task the unplanned failover can run calls the primary region or a control plane homed in one region (Route 53 record changes, IAM: us-east-1), and the automatic failover\'s rule and alarm live in the DR region (AWS Well-Architected REL11-BP04; AWS Fault Isolation Boundaries, "Global services")',
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    if (manifest?.role !== "dr" || !manifest.primary) return;
    const functions: FunctionFacts[] = ofType(resources, TYPES.lambdaFunction).map((resource) => ({
      ...(typeof resource.props.arn === "string" ? { arn: resource.props.arn } : {}),
      ...(typeof resource.props.name === "string" ? { name: resource.props.name } : {}),
      region: regionOf(resource) ?? manifest.region,
      environment: (resource.props.environment?.variables ?? {}) as Record<string, unknown>,
    }));
    const failovers = ofType(resources, TYPES.stateMachine).filter((machine) => String(machine.props.name ?? "").endsWith("-failover"));
    for (const machine of failovers) {
      const definition = parseJson(machine.props.definition);
      if (definition === undefined) continue;
      const context = { region: regionOf(machine) ?? manifest.region, primaryRegion: manifest.primary.region, functions };
      for (const problem of unplannedPathProblems(definition, context)) report(`${machine.name}: ${problem}`, machine.urn);
      for (const state of successWithoutFence(definition))
        report(`${machine.name}: "${state}" is reached without fencing the primary (recovery/fence.ts); the old primary would take traffic back`, machine.urn);
    }
    const failoverArns = new Set(failovers.map((machine) => String(machine.props.arn ?? "")).filter((arn) => arn !== ""));
    const rules = ofType(resources, TYPES.eventRule);
    const triggers: TriggerFacts[] = ofType(resources, TYPES.eventTarget)
      .filter((target) => startsFailover(target.props, failoverArns))
      .flatMap((target) =>
        rules
          .filter((rule) => rule.props.name === target.props.rule)
          .map((rule) => ({ ruleName: rule.name, ruleRegion: regionOf(rule) ?? manifest.region, eventPattern: String(rule.props.eventPattern ?? "") })),
      );
    for (const problem of triggerProblems(triggers, manifest.region)) report(problem);
  },
});

const recoveryBudgetMet = stackPolicy({
  name: "dr-recovery-budget",
  description:
    "DR invariant 11: the RTO and RPO budget of the DR stack's own configuration (detection, decision, promotion or restore, capacity warm-up, DNS, replication lag alarms; AWS figures in budget/figures.ts) meets the declared targets",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    if (manifest?.role !== "dr") return;
    const read = budgetInputsFromResources(
      resources.map((resource) => ({ type: resource.type, name: resource.name, inputs: resource.props })),
      manifest,
    );
    for (const problem of read.problems) report(`the recovery budget cannot be computed: ${problem}`);
    if (!read.inputs) return;
    try {
      for (const problem of budgetProblems(recoveryBudget(read.inputs))) report(problem);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      report(`the recovery budget cannot be computed: ${error.message}`);
    }
  },
});

export const recoveryPolicies = [
  objectivesDeclared,
  replicaWiring,
  capacityParity,
  regionIsolation,
  statefulProtected,
  allowedRegions,
  recoveryWorkflows,
  dataPlaneFailover,
  recoveryBudgetMet,
];
