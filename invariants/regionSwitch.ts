/**
 * DR invariant 16 (this program's): the ARC Region switch plan (`recovery.orchestrator: region-switch`)
 * can fail the application over to the DR region, and back, in the outage model (DESIGN.md). The DR
 * invariants and the policy pack judge the plan as they judge the Step Functions workflows:
 *
 * - placement: the plan (`aws:arcregionswitch/plan:Plan`) is declared by the DR stack, never by the
 *   primary (the primary region is the one that fails); exactly one when the DR stack's orchestrator is
 *   `region-switch`, none when it is `step-functions`;
 * - shape: `regions` are exactly the two stacks' regions, `primaryRegion` the primary stack's,
 *   `recoveryApproach` is `activePassive`, `recoveryTimeObjectiveMinutes` at least the declared RTO in
 *   minutes rounded up (ARC API Reference, CreatePlan);
 * - blocks: the workflow that activates the DR region promotes the DR database (RdsPromoteReadReplica on
 *   the DR replica, or AuroraGlobalDatabase on the primary's global cluster and the DR cluster), scales the
 *   DR Auto Scaling group (EC2AutoScaling), moves traffic with the plan's Route 53 health checks on the
 *   application's hosted zone and record name (Route53HealthCheck), and asks a person first
 *   (ManualApproval) unless the failover is automatic; a workflow activates the primary region again
 *   (failback), always behind an approval; an RdsCreateCrossRegionReplica step (re-protection) sits in a
 *   postRecovery workflow (ARC API Reference, RdsCreateCrossRegionReplicaConfiguration: "during
 *   post-recovery"); it is not required, since @pulumi/aws 7.48 takes only activate and deactivate workflows
 *   (recovery/regionSwitch/workflows.ts; `npm run reprotect` re-protects meanwhile);
 * - Lambda steps (`lambdaProblems`): every CustomActionLambda step lists both regions' copies of its function and
 *   runs in the activating region;
 * - capacity (`capacityProblems`): every EC2AutoScaling block names exactly two groups, one per region;
 * - order (`sequenceProblems`): in instance mode `stop-primary-writes` before the failover's promotion and
 *   `stop-dr-writes` before the failback's; the failback promotes, shifts traffic, then `return-dr-to-standby`;
 * - triggers exist exactly when the failover is automatic, activate the DR region only, read alarms of the DR
 *   region (an alarm of the failed region cannot turn red), and wait for the guard `<plan>-dr-standby` to be red,
 *   so that a DR region already active is not activated again;
 * - execution reports go to a bucket of the DR stack in the DR region;
 * - the execution role trusts `arc-region-switch.amazonaws.com` and allows what each block does (the
 *   ARC Developer Guide's sample policy per execution block, `blockRequests`); the invariant matches the
 *   role's Allow statements (`allows`, no conditions), the policy `dr-region-switch-role-permissions`
 *   runs the IAM policy simulator on the same requests;
 * - the failover records answer by the plan's health checks (their `healthCheckId`, or a calculated
 *   check's children, were built from the plan).
 *
 * Pure functions of a resource view, so that the offline invariant (synthesized plans) and the policy
 * pack (preview resources) share them.
 */
import { parseRecoveryManifest, RECOVERY_MANIFEST_NAME_SUFFIX, type RecoveryManifest } from "../config/recoveryManifest";
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import {
  allows,
  arnRegion,
  AUTOSCALING_GROUP,
  IAM_ROLE,
  IAM_ROLE_POLICY,
  type InvariantResult,
  type PlanPair,
  RDS_INSTANCE,
  ROUTE53_RECORD,
  S3_BUCKET,
} from "./plan";
import { RDS_CLUSTER } from "./auroraGlobal";
import { STEP_NAMES } from "../recovery/regionSwitch/workflows";

export const REGION_SWITCH_PLAN = "aws:arcregionswitch/plan:Plan";
/** The service principal the plan's execution role must trust (ARC Developer Guide, "Plan execution role trust policy"). */
export const ARC_REGION_SWITCH_PRINCIPAL = "arc-region-switch.amazonaws.com";
/** The values of the DR stack output `recoveryOrchestrator` (`recovery.orchestrator`). */
export const ORCHESTRATORS = ["step-functions", "region-switch"] as const;
export type Orchestrator = (typeof ORCHESTRATORS)[number];

const S3_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";

/** A resource as these checks read it: inputs and outputs together, its region and, per input, the URNs it was built from. */
export interface ResourceView {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  region: string;
  propertyDependencies: Record<string, string[]>;
}

/** A synthesized resource as a view: outputs over inputs. */
export function viewOfPlanned(resource: PlannedResource): ResourceView {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: { ...resource.inputs, ...resource.outputs },
    region: resource.region,
    propertyDependencies: resource.propertyDependencies,
  };
}

// --- The plan's shape, as the provider takes it (@pulumi/aws `arcregionswitch.PlanArgs`) -------------

/** Execution block types this program's plan uses (ARC API Reference, Step `executionBlockType`). */
export type BlockType =
  | "ManualApproval"
  | "RdsPromoteReadReplica"
  | "RdsCreateCrossRegionReplica"
  | "AuroraGlobalDatabase"
  | "EC2AutoScaling"
  | "Route53HealthCheck"
  | "CustomActionLambda"
  | "Parallel";

/** The provider's configuration list of each block type (one element each: `workflow.step.<block>Config`). */
const CONFIG_KEYS: Record<BlockType, string> = {
  ManualApproval: "executionApprovalConfigs",
  RdsPromoteReadReplica: "rdsPromoteReadReplicaConfigs",
  RdsCreateCrossRegionReplica: "rdsCreateCrossRegionReadReplicaConfigs",
  AuroraGlobalDatabase: "globalAuroraConfigs",
  EC2AutoScaling: "ec2AsgCapacityIncreaseConfigs",
  Route53HealthCheck: "route53HealthCheckConfigs",
  CustomActionLambda: "customActionLambdaConfigs",
  Parallel: "parallelConfigs",
};

/** One step of a workflow: its name, block type and block configuration; a Parallel step's children in `children`. */
export interface PlanStep {
  name: string;
  type: string;
  description?: string;
  config: Record<string, unknown>;
  children: PlanStep[];
}

/** One workflow of the plan. */
export interface PlanWorkflow {
  targetAction: string;
  targetRegion?: string;
  description?: string;
  steps: PlanStep[];
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);
const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function stepOf(raw: unknown): PlanStep {
  const step = record(raw);
  const type = String(step.executionBlockType ?? "");
  const config = record(list(step[CONFIG_KEYS[type as BlockType] ?? ""])[0]);
  return {
    name: String(step.name ?? ""),
    type,
    description: text(step.description),
    config,
    children: type === "Parallel" ? list(config.steps).map(stepOf) : [],
  };
}

/** The plan's workflows, normalized. */
export function workflowsOf(plan: ResourceView): PlanWorkflow[] {
  return list(plan.props.workflows).map((raw) => {
    const workflow = record(raw);
    return {
      targetAction: String(workflow.workflowTargetAction ?? ""),
      targetRegion: text(workflow.workflowTargetRegion),
      description: text(workflow.workflowDescription),
      steps: list(workflow.steps).map(stepOf),
    };
  });
}

/** Every step of `steps`, a Parallel step's children after it. */
export function flatSteps(steps: PlanStep[]): PlanStep[] {
  return steps.flatMap((step) => [step, ...flatSteps(step.children)]);
}

/** The workflow that activates `region`, if any. */
export function activationOf(plan: ResourceView, region: string): PlanWorkflow | undefined {
  return workflowsOf(plan).find((workflow) => workflow.targetAction === "activate" && workflow.targetRegion === region);
}

/** A plan trigger, normalized (ARC API Reference, Trigger and TriggerCondition). */
export interface PlanTrigger {
  action: string;
  targetRegion: string;
  /** The names (`mapBlockKey`) of the associated alarms its conditions read. */
  alarms: string[];
  /** Its conditions: the alarm's name and the state it waits for (`red` or `green`). */
  conditions: { alarm: string; condition: string }[];
}

export function triggersOf(plan: ResourceView): PlanTrigger[] {
  return list(plan.props.triggers).map((raw) => {
    const trigger = record(raw);
    const conditions = list(trigger.conditions).map((condition) => ({
      alarm: String(record(condition).associatedAlarmName ?? ""),
      condition: String(record(condition).condition ?? ""),
    }));
    return {
      action: String(trigger.action ?? ""),
      targetRegion: String(trigger.targetRegion ?? ""),
      alarms: conditions.map((condition) => condition.alarm),
      conditions,
    };
  });
}

/**
 * The name of the automatic trigger's guard alarm: red while the DR database is still a replica, green once it is
 * promoted (components/regionSwitchPlan.ts `standbyAlarm`, `<plan name>-dr-standby`).
 */
export function standbyGuardName(planName: string): string {
  return `${planName}-dr-standby`;
}

/** The plan's associated alarms by name: type and alarm ARN (ARC API Reference, AssociatedAlarm). */
export function associatedAlarmsOf(plan: ResourceView): Map<string, { alarmType: string; arn: string }> {
  return new Map(
    list(plan.props.associatedAlarms).map((raw) => {
      const alarm = record(raw);
      return [String(alarm.mapBlockKey ?? alarm.name ?? ""), { alarmType: String(alarm.alarmType ?? ""), arn: String(alarm.resourceIdentifier ?? "") }];
    }),
  );
}

/** The report buckets of the plan: `bucketPath` is "bucket" or "bucket/prefix" (ARC API Reference, S3ReportOutputConfiguration). */
export function reportPathsOf(plan: ResourceView): string[] {
  return list(plan.props.reportConfigurations ?? plan.props.reportConfiguration)
    .flatMap((configuration) => list(record(configuration).reportOutputs ?? record(configuration).reportOutput))
    .flatMap((output) => list(record(output).s3Configurations ?? record(output).s3Configuration))
    .map((s3) => String(record(s3).bucketPath ?? ""))
    .filter((path) => path !== "");
}

// --- What the checks know about the stack ---------------------------------------------------------

/** The DR stack as the plan checks need it. */
export interface RegionSwitchContext {
  primaryRegion: string;
  drRegion: string;
  /** The DR stack's orchestrator; undefined when not known (a policy cannot read stack outputs): judged from the resources alone. */
  orchestrator?: Orchestrator;
  /** `failover.automatic`; undefined when not known: inferred from the plan's triggers. */
  automatic?: boolean;
  /** Declared RTO, seconds (`recovery.rtoSeconds`), when known. */
  rtoSeconds?: number;
  /** The DR stack's resources. */
  resources: ResourceView[];
}

const ofType = (resources: ResourceView[], type: string) => resources.filter((resource) => resource.type === type);

/** The DR database the failover promotes: the read replica (instance), or the cluster that joins a global cluster (aurora-global). */
function drDatabase(context: RegionSwitchContext): { mode: "instance" | "aurora-global"; resource?: ResourceView } {
  const cluster = ofType(context.resources, RDS_CLUSTER).find((candidate) => typeof candidate.props.globalClusterIdentifier === "string");
  if (cluster) return { mode: "aurora-global", resource: cluster };
  const replica = ofType(context.resources, RDS_INSTANCE).find(
    (candidate) => typeof candidate.props.replicateSourceDb === "string" && candidate.props.replicateSourceDb !== "",
  );
  return { mode: "instance", resource: replica };
}

/** The application's failover records (Route 53 records with a failover routing policy) of the stack. */
function failoverRecords(context: RegionSwitchContext): ResourceView[] {
  return ofType(context.resources, ROUTE53_RECORD).filter((candidate) => list(candidate.props.failoverRoutingPolicies).length > 0);
}

const withoutDot = (name: string) => name.replace(/\.$/, "").toLowerCase();

/** Whether the plan's triggers start the DR activation (an automatic failover). */
function automaticOf(plan: ResourceView, context: RegionSwitchContext): boolean {
  return context.automatic ?? triggersOf(plan).some((trigger) => trigger.action === "activate" && trigger.targetRegion === context.drRegion);
}

// --- Plan problems --------------------------------------------------------------------------------

/**
 * Why the plans of the pair are misplaced or miscounted: any plan in the primary stack, and in the DR
 * stack not exactly one with `region-switch`, none with `step-functions`, at most one when unknown.
 */
export function placementProblems(primaryPlans: ResourceView[], drPlans: ResourceView[], orchestrator: Orchestrator | undefined): string[] {
  const problems = primaryPlans.map(
    (plan) =>
      `${plan.name}: a Region switch plan in the primary stack; the DR stack must own it (recovery.orchestrator in the DR stack file), so that nothing the failover needs is declared with the region that fails`,
  );
  if (orchestrator === "region-switch" && drPlans.length !== 1)
    problems.push(`the DR stack's recovery.orchestrator is region-switch but it declares ${drPlans.length} Region switch plans; it needs exactly one`);
  if (orchestrator === "step-functions" && drPlans.length > 0)
    problems.push(
      `the DR stack's recovery.orchestrator is step-functions but it declares ${drPlans.length} Region switch plan(s): two orchestrators would fail over at once; set recovery.orchestrator to region-switch or remove the plan`,
    );
  if (orchestrator === undefined && drPlans.length > 1) problems.push(`the DR stack declares ${drPlans.length} Region switch plans; it needs at most one`);
  return problems;
}

/** Why the plan's top-level settings are wrong: regions, primary region, recovery approach, RTO. */
export function settingsProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  const problems: string[] = [];
  const regions = list(plan.props.regions).map(String);
  const expected = [context.primaryRegion, context.drRegion];
  if (regions.length !== 2 || !expected.every((region) => regions.includes(region)))
    problems.push(
      `${plan.name}: regions ${JSON.stringify(regions)}; they must be exactly the primary's and the DR stack's regions ${JSON.stringify(expected)}`,
    );
  if (plan.props.primaryRegion !== context.primaryRegion)
    problems.push(
      `${plan.name}: primaryRegion ${String(plan.props.primaryRegion)}; it must be the primary stack's region ${context.primaryRegion}, or the plan's failover and failback are swapped`,
    );
  if (plan.props.recoveryApproach !== "activePassive")
    problems.push(
      `${plan.name}: recoveryApproach ${String(plan.props.recoveryApproach)}; the pair is active/passive (one writable database): set activePassive`,
    );
  if (context.rtoSeconds !== undefined) {
    const minutes = Math.ceil(context.rtoSeconds / 60);
    const declared = plan.props.recoveryTimeObjectiveMinutes;
    if (typeof declared !== "number" || declared < minutes)
      problems.push(
        `${plan.name}: recoveryTimeObjectiveMinutes ${String(declared)}; it must be at least the declared RTO (recovery.rtoSeconds ${context.rtoSeconds} s = ${minutes} min, rounded up)`,
      );
  }
  return problems;
}

/** Why the plan lacks a block the failover, the failback or the re-protection needs, or names the wrong resource in it. */
export function blockProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  const problems: string[] = [];
  const activation = activationOf(plan, context.drRegion);
  if (!activation)
    return [
      `${plan.name}: no workflow activates the DR region ${context.drRegion}; add one (workflowTargetAction activate, workflowTargetRegion ${context.drRegion})`,
    ];
  const steps = flatSteps(activation.steps);
  const ofBlock = (type: BlockType) => steps.filter((step) => step.type === type);
  const missing = (type: BlockType, what: string) => problems.push(`${plan.name}: the DR activation has no ${type} step; add one that ${what}`);

  const database = drDatabase(context);
  const drArn = text(database.resource?.props.arn);
  if (database.mode === "instance") {
    const promotions = ofBlock("RdsPromoteReadReplica");
    if (promotions.length === 0) missing("RdsPromoteReadReplica", `promotes the DR read replica${drArn ? ` ${drArn}` : ""}`);
    else if (drArn && !promotions.some((step) => record(step.config.dbInstanceArnMap)[context.drRegion] === drArn))
      problems.push(
        `${plan.name}: no RdsPromoteReadReplica step maps ${context.drRegion} to the DR read replica ${drArn} (dbInstanceArnMap); the failover would promote another database`,
      );
  } else {
    const failovers = ofBlock("AuroraGlobalDatabase");
    const global = text(database.resource?.props.globalClusterIdentifier);
    if (failovers.length === 0) missing("AuroraGlobalDatabase", `fails the global cluster ${global ?? ""} over to the DR cluster`);
    else if (
      !failovers.some(
        (step) => step.config.globalClusterIdentifier === global && (drArn === undefined || list(step.config.databaseClusterArns).includes(drArn)),
      )
    )
      problems.push(
        `${plan.name}: no AuroraGlobalDatabase step names the global cluster ${global} and the DR cluster ${drArn}; the failover would move another database`,
      );
  }

  const groups = ofType(context.resources, AUTOSCALING_GROUP).filter((group) => group.region === context.drRegion);
  const scaling = ofBlock("EC2AutoScaling");
  const groupArns = groups.map((group) => text(group.props.arn)).filter((arn): arn is string => arn !== undefined);
  if (scaling.length === 0)
    missing("EC2AutoScaling", `scales the DR Auto Scaling group${groupArns.length ? ` ${groupArns.join(", ")}` : ""} to the primary's capacity`);
  else if (groupArns.length > 0 && !scaling.some((step) => list(step.config.asgs).some((asg) => groupArns.includes(String(record(asg).arn)))))
    problems.push(
      `${plan.name}: no EC2AutoScaling step names the DR Auto Scaling group ${groupArns.join(", ")} (asgs[].arn); the DR region would stay at its standby capacity`,
    );

  const records = failoverRecords(context);
  const shift = ofBlock("Route53HealthCheck");
  if (shift.length === 0) missing("Route53HealthCheck", "moves the application's failover records to the DR region");
  else if (records.length > 0) {
    const zone = String(records[0].props.zoneId);
    const name = withoutDot(String(records[0].props.name));
    if (!shift.some((step) => step.config.hostedZoneId === zone && withoutDot(String(step.config.recordName ?? "")) === name))
      problems.push(
        `${plan.name}: no Route53HealthCheck step names the application's hosted zone ${zone} and record ${name} (hostedZoneId, recordName); the plan's health checks would move no traffic`,
      );
  }

  const automatic = automaticOf(plan, context);
  const approvals = ofBlock("ManualApproval");
  if (!automatic && approvals.length === 0) missing("ManualApproval", "asks the on-call before the failover (failover.automatic is false)");
  if (automatic && approvals.length > 0)
    problems.push(
      `${plan.name}: the DR activation waits for a ManualApproval although failover.automatic is true; remove the approval or set failover.automatic to false`,
    );

  const failback = activationOf(plan, context.primaryRegion);
  if (!failback)
    problems.push(
      `${plan.name}: no workflow activates the primary region ${context.primaryRegion}; add the failback workflow (workflowTargetAction activate, workflowTargetRegion ${context.primaryRegion})`,
    );
  else if (!flatSteps(failback.steps).some((step) => step.type === "ManualApproval"))
    problems.push(`${plan.name}: the failback workflow has no ManualApproval step; failback must never run without a person's approval`);

  const reprotects = workflowsOf(plan).flatMap((workflow) =>
    flatSteps(workflow.steps)
      .filter((step) => step.type === "RdsCreateCrossRegionReplica")
      .map((step) => ({ workflow, step })),
  );
  for (const { workflow, step } of reprotects)
    if (workflow.targetAction !== "postRecovery")
      problems.push(
        `${plan.name}: step "${step.name}" (RdsCreateCrossRegionReplica) is in an ${workflow.targetAction} workflow; ARC runs it during post-recovery: move it to a postRecovery workflow`,
      );
  return problems;
}

/**
 * Why a CustomActionLambda step cannot run where and when the plan needs it: every such step of every workflow
 * lists exactly the two copies of its function, one in each of the plan's regions ("you're required to specify two
 * Lambda functions for the step to execute—one in each of the plan's Regions", ARC Developer Guide, "Custom action
 * Lambda execution block"; `lambdas` 1-2 items, ARC API Reference, CustomActionLambdaConfiguration), and runs it in
 * the activating region (`regionToRun`: "We do not recommend that you take a dependency on the deactivating Region",
 * same page; in a failover the deactivating region is the failed one).
 */
export function lambdaProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  const problems: string[] = [];
  const regions = [context.primaryRegion, context.drRegion];
  for (const workflow of workflowsOf(plan).filter((candidate) => candidate.targetAction === "activate")) {
    const where = workflow.targetRegion === context.drRegion ? "in a failover" : "in a failback";
    for (const step of flatSteps(workflow.steps).filter((candidate) => candidate.type === "CustomActionLambda")) {
      if (step.config.regionToRun !== "activatingRegion")
        problems.push(
          `${plan.name}: step "${step.name}" runs its function in the ${String(step.config.regionToRun)}; ${where} that is the region being left (the failed primary, in a failover): set regionToRun to activatingRegion`,
        );
      const functionRegions = list(step.config.lambdas).map((lambda) => arnRegion(String(record(lambda).arn ?? "")) ?? "?");
      const missing = regions.filter((region) => !functionRegions.includes(region));
      const outside = functionRegions.filter((region) => !regions.includes(region));
      if (functionRegions.length !== 2 || missing.length > 0 || outside.length > 0)
        problems.push(
          `${plan.name}: step "${step.name}" lists functions of ${JSON.stringify(functionRegions)}; it needs exactly two copies, one in each of the plan's regions ${JSON.stringify(regions)}` +
            `${missing.length > 0 ? ` (none in ${missing.join(", ")}, so the step cannot run when that region is the one activated)` : ""}`,
        );
    }
  }
  return problems;
}

/**
 * Why an EC2AutoScaling block would be refused or scale the wrong groups: each lists exactly two groups (botocore
 * arc-region-switch 2022-07-26, `AsgList` min 2 max 2), one in each of the plan's regions (the activating region's
 * group scales to the other's capacity: ARC Developer Guide, "EC2 Auto Scaling execution block").
 */
export function capacityProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  const regions = [context.primaryRegion, context.drRegion];
  return workflowsOf(plan)
    .flatMap((workflow) => flatSteps(workflow.steps))
    .filter((step) => step.type === "EC2AutoScaling")
    .flatMap((step) => {
      const groupRegions = list(step.config.asgs).map((asg) => arnRegion(String(record(asg).arn ?? "")) ?? "?");
      const oneEach = groupRegions.length === 2 && regions.every((region) => groupRegions.includes(region));
      return oneEach
        ? []
        : [
            `${plan.name}: step "${step.name}" (EC2AutoScaling) names ${groupRegions.length} Auto Scaling group(s) in ${JSON.stringify(groupRegions)}; ` +
              `it takes exactly two, one in each of the plan's regions ${JSON.stringify(regions)} (AsgList: 2 items), or ARC refuses the plan`,
          ];
    });
}

/** The top-level index of the first step of `workflow` that is, or holds in a Parallel step, a step matching `matches`; -1 if none. */
function topIndexOf(workflow: PlanWorkflow, matches: (step: PlanStep) => boolean): number {
  return workflow.steps.findIndex((step) => flatSteps([step]).some(matches));
}

/**
 * Why the plan could lose writes or leave DR scaled out: in instance mode, the failover stops the primary's writes and
 * proves the replica replayed them (`stop-primary-writes`, a CustomActionLambda step) before the promotion, and the
 * failback does the same for DR's writes (`stop-dr-writes`) before promoting the primary-region replica (a graceful
 * promotion of a replica that has not replayed every commit loses them; recovery/regionSwitch/workflows.ts). In both
 * modes the failback promotes a database and, after its traffic shift, returns DR to standby (`return-dr-to-standby`).
 * ARC skips Lambda steps in an ungraceful execution ("In ungraceful execution mode, Region switch skips the Lambda
 * execution block step", ARC Developer Guide, "Custom action Lambda execution block"), so the unplanned failover does
 * not depend on them. Aurora-global mode has no stop-writes step: its switchover makes the old writer read-only itself.
 */
export function sequenceProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  const problems: string[] = [];
  const instance = drDatabase(context).mode === "instance";
  const promotion = (step: PlanStep) => step.type === (instance ? "RdsPromoteReadReplica" : "AuroraGlobalDatabase");
  const lambdaStep = (name: string) => (step: PlanStep) => step.name === name && step.type === "CustomActionLambda";
  const stopBeforePromotion = (workflow: PlanWorkflow, stepName: string, label: string, loss: string) => {
    const stop = topIndexOf(workflow, lambdaStep(stepName));
    const promote = topIndexOf(workflow, promotion);
    if (stop < 0)
      problems.push(
        `${plan.name}: the ${label} has no "${stepName}" step (CustomActionLambda) before its promotion; a graceful ${label} would promote while ${loss} still takes writes and lose what the replica had not replayed: add it before the promotion`,
      );
    else if (promote >= 0 && stop >= promote)
      problems.push(
        `${plan.name}: step "${stepName}" of the ${label} runs at or after the promotion (step ${stop + 1}, promotion at step ${promote + 1}); writes must stop, and the replica catch up, before the promotion`,
      );
  };
  const failover = activationOf(plan, context.drRegion);
  if (failover && instance) stopBeforePromotion(failover, STEP_NAMES.stopPrimaryWrites, "failover", `the primary region ${context.primaryRegion}`);
  const failback = activationOf(plan, context.primaryRegion);
  if (!failback) return problems;
  if (topIndexOf(failback, promotion) < 0)
    problems.push(
      `${plan.name}: the failback workflow has no ${instance ? "RdsPromoteReadReplica" : "AuroraGlobalDatabase"} step; the primary region's database would stay a replica: add the promotion`,
    );
  else if (instance) stopBeforePromotion(failback, STEP_NAMES.stopDrWrites, "failback", `the DR region ${context.drRegion}`);
  const shift = topIndexOf(failback, (step) => step.type === "Route53HealthCheck");
  const standby = topIndexOf(failback, lambdaStep(STEP_NAMES.returnDrToStandby));
  if (shift < 0)
    problems.push(`${plan.name}: the failback workflow has no Route53HealthCheck step; traffic would stay in ${context.drRegion}: add the traffic shift`);
  if (standby < 0)
    problems.push(
      `${plan.name}: the failback workflow has no "${STEP_NAMES.returnDrToStandby}" step (CustomActionLambda) after its traffic shift; DR would keep the primary's capacity (and its cost): add it last`,
    );
  else if (shift >= 0 && standby <= shift)
    problems.push(
      `${plan.name}: step "${STEP_NAMES.returnDrToStandby}" runs before the failback's traffic shift (step ${standby + 1}, shift at step ${shift + 1}); DR would scale in while it still serves: move it after the shift`,
    );
  return problems;
}

/** Why the plan's triggers are wrong: present without failover.automatic (or missing with it), activating the primary, reading an alarm outside the DR region. */
export function planTriggerProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  const problems: string[] = [];
  const triggers = triggersOf(plan);
  const alarms = associatedAlarmsOf(plan);
  const toDr = triggers.filter((trigger) => trigger.action === "activate" && trigger.targetRegion === context.drRegion);
  if (context.automatic === true && toDr.length === 0)
    problems.push(
      `${plan.name}: failover.automatic is true but no trigger activates the DR region ${context.drRegion}; add one on the DR region's failover alarm`,
    );
  if (context.automatic === false && triggers.length > 0)
    problems.push(`${plan.name}: ${triggers.length} trigger(s) although failover.automatic is false; remove them or set failover.automatic to true`);
  for (const trigger of triggers) {
    if (!toDr.includes(trigger))
      problems.push(
        `${plan.name}: a trigger would ${trigger.action} ${trigger.targetRegion}; only the failover to the DR region may start by itself (failback is always a person's decision)`,
      );
    for (const name of trigger.alarms) {
      const alarm = alarms.get(name);
      if (!alarm) {
        problems.push(`${plan.name}: a trigger reads the associated alarm "${name}", which the plan does not declare (associatedAlarms)`);
        continue;
      }
      const region = arnRegion(alarm.arn);
      if (region !== context.drRegion)
        problems.push(
          `${plan.name}: the trigger alarm "${name}" (${alarm.arn}) is in ${region}; it must live in the DR region ${context.drRegion}, which survives the outage`,
        );
    }
  }
  // The outage alarm stays red for the whole outage, and a trigger fires when all its conditions hold (ARC API Reference,
  // Trigger `conditions`): without the guard, red only while the DR database is a replica, a DR region already active
  // would be activated again after minDelayMinutesBetweenExecutions.
  const guard = standbyGuardName(String(plan.props.name ?? ""));
  for (const trigger of toDr)
    if (!trigger.conditions.some((condition) => condition.alarm === guard && condition.condition === "red"))
      problems.push(
        `${plan.name}: the automatic trigger does not wait for the guard alarm "${guard}" to be red (the DR database still a replica); the outage alarm stays red after the failover, so the trigger would activate the DR region again: add the condition { associatedAlarmName: "${guard}", condition: "red" }`,
      );
  return problems;
}

/** Why the plan's execution reports would not land in the DR region: no report configuration, or a bucket not of this stack in the DR region. */
export function reportProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  const paths = reportPathsOf(plan);
  if (paths.length === 0) return [`${plan.name}: no execution reports (reportConfigurations); send them to a bucket of the DR region`];
  const problems: string[] = [];
  for (const path of paths) {
    const bucketName = path.split("/")[0];
    const bucket = ofType(context.resources, S3_BUCKET).find((candidate) => candidate.props.bucket === bucketName);
    if (!bucket) problems.push(`${plan.name}: reports go to bucket ${bucketName}, which this DR stack does not declare; declare it in the DR region`);
    else if (bucket.region !== context.drRegion)
      problems.push(`${plan.name}: reports go to bucket ${bucketName} in ${bucket.region}; it must be in the DR region ${context.drRegion}`);
  }
  return problems;
}

/**
 * Why the failover records do not answer by the plan's health checks: each PRIMARY or SECONDARY
 * failover record's `healthCheckId`, or the children of the calculated check it names, must be built
 * from the plan (its health check IDs: arcregionswitch `getRoute53HealthChecks` of the plan ARN).
 */
export function recordProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  const fromPlan = (resource: ResourceView, property: string) => (resource.propertyDependencies[property] ?? []).includes(plan.urn);
  const checks = context.resources.filter((resource) => resource.type === "aws:route53/healthCheck:HealthCheck");
  const problems: string[] = [];
  for (const failoverRecord of failoverRecords(context)) {
    if (fromPlan(failoverRecord, "healthCheckId")) continue;
    const named = checks.filter((check) => (failoverRecord.propertyDependencies.healthCheckId ?? []).includes(check.urn));
    if (named.some((check) => fromPlan(check, "childHealthchecks"))) continue;
    problems.push(
      `${failoverRecord.name}: its health check is not one of the Region switch plan's (healthCheckId, or a calculated check's childHealthchecks, from getRoute53HealthChecks of ${plan.name}); the plan's Route53HealthCheck step would move no traffic`,
    );
  }
  return problems;
}

// --- What the execution role must allow ------------------------------------------------------------

/** One request the plan makes of IAM: which role, for which step, the action, the resource, and the source of the requirement. */
export interface BlockRequest {
  /** `execution` (the plan's executionRole) or the ARN of a ManualApproval step's approval role. */
  role: "execution" | string;
  step: string;
  action: string;
  resource: string;
  context?: Record<string, string>;
}

const guide = (page: string) => `ARC Developer Guide, "${page}"`;
/** Where each block's permissions come from (the sample policy of the ARC Developer Guide, "Execution block permissions"). */
export const BLOCK_SOURCES: Record<string, string> = {
  plan: guide("Complete plan execution role permissions"),
  RdsPromoteReadReplica: guide("Amazon RDS execution block sample policy"),
  RdsCreateCrossRegionReplica: guide("Amazon RDS execution block sample policy"),
  AuroraGlobalDatabase: guide("Aurora Global Database execution block sample policy"),
  EC2AutoScaling: guide("EC2 Auto Scaling execution block sample policy"),
  Route53HealthCheck: guide("Route 53 health check execution block sample policy"),
  CustomActionLambda: guide("Custom action Lambda execution block sample policy"),
  ManualApproval: guide("Manual approval execution block sample policy"),
  triggers: guide("CloudWatch alarms for application health permissions"),
  reports: guide("Automatic plan execution reports permissions"),
};

/** The ARN of an Aurora global cluster (RDS: `arn:<partition>:rds::<account>:global-cluster:<id>`). */
function globalClusterArn(partition: string, account: string, identifier: string): string {
  return `arn:${partition}:rds::${account}:global-cluster:${identifier}`;
}

/**
 * Every request of the plan's blocks, with the resources the plan names: what a role must allow for the
 * plan to evaluate and to run (sources in `BLOCK_SOURCES`). Execution-role requests for the plan itself,
 * each block of every workflow (Parallel children included), the trigger alarms and the report bucket
 * (with its KMS key, when the bucket is encrypted with one); approval-role requests for each
 * ManualApproval (ApprovePlanExecutionStep on the plan). Actions without resource-level permissions are
 * requested on "*".
 */
export function blockRequests(plan: ResourceView, context: RegionSwitchContext): BlockRequest[] {
  const planArn = String(plan.props.arn ?? "*");
  const roleArn = String(plan.props.executionRole ?? "");
  const [, partition = "aws", , , account = ""] = roleArn.split(":");
  const requests: BlockRequest[] = [];
  const add = (step: string, actions: string[], resources: string[], extra?: Record<string, string>) => {
    for (const action of actions)
      for (const resource of resources) requests.push({ role: "execution", step, action, resource, ...(extra ? { context: extra } : {}) });
  };
  add("(plan evaluation)", ["iam:SimulatePrincipalPolicy"], [roleArn]);
  add("(plan evaluation)", ["arc-region-switch:GetPlan", "arc-region-switch:GetPlanExecution", "arc-region-switch:ListPlanExecutions"], [planArn]);
  for (const step of workflowsOf(plan).flatMap((workflow) => flatSteps(workflow.steps))) {
    const config = step.config;
    switch (step.type as BlockType) {
      case "RdsPromoteReadReplica":
        add(
          step.name,
          ["rds:DescribeDBInstances", "rds:PromoteReadReplica", "rds:ModifyDBInstance"],
          Object.values(record(config.dbInstanceArnMap)).map(String),
        );
        break;
      case "RdsCreateCrossRegionReplica":
        add(
          step.name,
          ["rds:DescribeDBInstances", "rds:CreateDBInstanceReadReplica", "rds:ModifyDBInstance"],
          Object.values(record(config.dbInstanceArnMap)).map(String),
        );
        break;
      case "AuroraGlobalDatabase":
        add(step.name, ["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"], ["*"]);
        add(
          step.name,
          ["rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"],
          [globalClusterArn(partition, account, String(config.globalClusterIdentifier ?? "")), ...list(config.databaseClusterArns).map(String)],
        );
        break;
      case "EC2AutoScaling":
        add(step.name, ["autoscaling:DescribeAutoScalingGroups"], ["*"]);
        add(
          step.name,
          ["autoscaling:UpdateAutoScalingGroup"],
          list(config.asgs).map((asg) => String(record(asg).arn)),
        );
        // No context: the Service Authorization Reference lists no condition key for GetMetricStatistics (cloudwatch:namespace is
        // PutMetricData's), so IAM sees none from this request (recovery/regionSwitch/permissions.ts autoScalingStatements).
        add(step.name, ["cloudwatch:GetMetricStatistics"], ["*"]);
        break;
      case "Route53HealthCheck":
        add(step.name, ["route53:ListResourceRecordSets"], [`arn:${partition}:route53:::hostedzone/${String(config.hostedZoneId ?? "")}`]);
        break;
      case "CustomActionLambda":
        add(
          step.name,
          ["lambda:GetFunction", "lambda:InvokeFunction"],
          list(config.lambdas).map((lambda) => String(record(lambda).arn)),
        );
        break;
      case "ManualApproval":
        // The approval block does not assume the execution role (ARC Developer Guide, "Plan execution role trust policy"): the approver's role approves.
        requests.push({ role: String(config.approvalRole ?? ""), step: step.name, action: "arc-region-switch:ApprovePlanExecutionStep", resource: planArn });
        break;
      default:
        break;
    }
  }
  const alarms = associatedAlarmsOf(plan);
  for (const trigger of triggersOf(plan))
    for (const name of trigger.alarms) {
      const alarm = alarms.get(name);
      if (alarm) add(`(trigger on ${name})`, ["cloudwatch:DescribeAlarms"], [alarm.arn]);
    }
  for (const path of reportPathsOf(plan)) {
    add("(execution reports)", ["s3:PutObject"], [`arn:${partition}:s3:::${path.replace(/\/$/, "")}/report`]);
    const bucketName = path.split("/")[0];
    const key = kmsKeyOfBucket(context.resources, bucketName);
    // S3 asks KMS on the writer's behalf (SSE-KMS): kms:ViaService is S3 in the key's region and kms:CallerAccount the writer's
    // (AWS KMS Developer Guide, "kms:ViaService", "kms:CallerAccount"; both in GenerateDataKey's and Encrypt's condition keys).
    if (key)
      add("(execution reports)", ["kms:GenerateDataKey", "kms:Encrypt"], [key], {
        "kms:ViaService": `s3.${arnRegion(key)}.amazonaws.com`,
        "kms:CallerAccount": account,
      });
  }
  return requests;
}

/** The KMS key ARN a bucket's default encryption names, if any. */
function kmsKeyOfBucket(resources: ResourceView[], bucketName: string): string | undefined {
  for (const encryption of ofType(resources, S3_ENCRYPTION).filter((candidate) => candidate.props.bucket === bucketName))
    for (const rule of list(encryption.props.rules)) {
      const key = record(record(rule).applyServerSideEncryptionByDefault).kmsMasterKeyId;
      if (typeof key === "string" && key.startsWith("arn:")) return key;
    }
  return undefined;
}

/** Whether a trust policy lets `principal` assume the role (an Allow of sts:AssumeRole to that service principal). */
export function trusts(assumeRolePolicy: unknown, principal: string): boolean {
  const document = typeof assumeRolePolicy === "string" ? safeJson(assumeRolePolicy) : assumeRolePolicy;
  return list(record(document).Statement).some((raw) => {
    const statement = record(raw);
    const services = list(record(statement.Principal).Service).map(String);
    return statement.Effect === "Allow" && list(statement.Action).some((action) => action === "sts:AssumeRole") && services.includes(principal);
  });
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The execution role of the plan (by ARN) among `resources`, if declared. */
export function executionRoleOf(plan: ResourceView, resources: ResourceView[]): ResourceView | undefined {
  return ofType(resources, IAM_ROLE).find((role) => role.props.arn === plan.props.executionRole);
}

/** A request as a message: the step, the action and resource, and the sample policy that requires it. */
export function requestMessage(plan: ResourceView, request: BlockRequest, roleName: string, decision: string): string {
  const block = request.step.startsWith("(trigger")
    ? "triggers"
    : request.step === "(execution reports)"
      ? "reports"
      : request.step === "(plan evaluation)"
        ? "plan"
        : (workflowsOf(plan)
            .flatMap((workflow) => flatSteps(workflow.steps))
            .find((step) => step.name === request.step)?.type ?? "plan");
  const context = request.context ? ` with ${JSON.stringify(request.context)}` : "";
  return (
    `${plan.name}: step "${request.step}" needs ${request.action} on ${request.resource}${context}, which the role ${roleName} does not allow (${decision}); ` +
    `add it to the role's policy (${BLOCK_SOURCES[block] ?? BLOCK_SOURCES.plan})`
  );
}

/**
 * Why the roles cannot run the plan, with IAM's Allow statements matched as patterns (`allows`: no
 * conditions, no Deny; the policy `dr-region-switch-role-permissions` runs the IAM simulator): the
 * execution role is missing or does not trust ARC Region switch, or one of its inline policies (RolePolicy
 * resources and `inlinePolicies`) allows no request of a block. An approval role not declared in this
 * stack (an operator's role) is not judged.
 */
export function rolePatternProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  const role = executionRoleOf(plan, context.resources);
  if (!role) return [`${plan.name}: its executionRole ${String(plan.props.executionRole)} is not a role of this stack; declare it with the DR stack`];
  const problems: string[] = [];
  if (!trusts(role.props.assumeRolePolicy, ARC_REGION_SWITCH_PRINCIPAL))
    problems.push(
      `${role.name}: its trust policy does not let ${ARC_REGION_SWITCH_PRINCIPAL} assume it; ARC Region switch could not run the plan (${guide("Plan execution role trust policy")})`,
    );
  for (const request of blockRequests(plan, context)) {
    const target = request.role === "execution" ? role : ofType(context.resources, IAM_ROLE).find((candidate) => candidate.props.arn === request.role);
    if (!target) continue;
    const documents = inlineDocuments(target, context.resources);
    if (documents.some((document) => allows(document, request.action, request.resource))) continue;
    problems.push(requestMessage(plan, request, target.name, "no Allow statement matches"));
  }
  return problems;
}

/** The inline policy documents of a role: its RolePolicy resources (by role name or ARN) and its `inlinePolicies`. */
function inlineDocuments(role: ResourceView, resources: ResourceView[]): { Statement: Record<string, unknown>[] }[] {
  const isThisRole = (value: unknown) => value === role.props.name || value === role.props.arn || value === role.props.id;
  const texts = [
    ...ofType(resources, IAM_ROLE_POLICY)
      .filter((policy) => isThisRole(policy.props.role))
      .map((policy) => policy.props.policy),
    ...list(role.props.inlinePolicies).map((inline) => record(inline).policy),
  ];
  return texts
    .map((value) => (typeof value === "string" ? safeJson(value) : value))
    .filter((document): document is { Statement: Record<string, unknown>[] } => Array.isArray(record(document).Statement));
}

// --- The invariant ----------------------------------------------------------------------------------

/** The DR stack's recovery manifest, parsed, if it declares exactly one. */
function manifestOfStack(plan: StackPlan): RecoveryManifest | undefined {
  const parameters = plan.resources.filter(
    (resource) => resource.type === "aws:ssm/parameter:Parameter" && String(resource.inputs.name ?? "").endsWith(RECOVERY_MANIFEST_NAME_SUFFIX),
  );
  return parameters.length === 1 ? parseRecoveryManifest(String(parameters[0].inputs.insecureValue ?? parameters[0].inputs.value ?? "")).manifest : undefined;
}

/** The DR stack's `recoveryOrchestrator` output, when it is one of `ORCHESTRATORS`. */
export function orchestratorOutput(dr: StackPlan): Orchestrator | undefined {
  const value = dr.outputs.recoveryOrchestrator;
  return (ORCHESTRATORS as readonly unknown[]).includes(value) ? (value as Orchestrator) : undefined;
}

/** Every problem of one plan in the DR stack (module comment), the role's permissions matched as patterns. */
export function planProblems(plan: ResourceView, context: RegionSwitchContext): string[] {
  return [
    ...settingsProblems(plan, context),
    ...blockProblems(plan, context),
    ...lambdaProblems(plan, context),
    ...capacityProblems(plan, context),
    ...sequenceProblems(plan, context),
    ...planTriggerProblems(plan, context),
    ...reportProblems(plan, context),
    ...recordProblems(plan, context),
  ];
}

/** DR invariant 16 on the synthesized pair (module comment). */
export function checkRegionSwitchPlan({ primary, dr }: PlanPair): InvariantResult {
  const primaryPlans = primary.resources.filter((resource) => resource.type === REGION_SWITCH_PLAN).map(viewOfPlanned);
  const drPlans = dr.resources.filter((resource) => resource.type === REGION_SWITCH_PLAN).map(viewOfPlanned);
  const orchestrator = orchestratorOutput(dr);
  const violations = placementProblems(primaryPlans, drPlans, orchestrator);
  const summary = dr.outputs.regionSwitchPlan as { approvalRequired?: unknown } | undefined;
  const context: RegionSwitchContext = {
    primaryRegion: primary.region,
    drRegion: dr.region,
    orchestrator,
    automatic: typeof summary?.approvalRequired === "boolean" ? !summary.approvalRequired : undefined,
    rtoSeconds: manifestOfStack(dr)?.rtoSeconds,
    resources: dr.resources.map(viewOfPlanned),
  };
  for (const plan of drPlans) violations.push(...planProblems(plan, context), ...rolePatternProblems(plan, context));
  return {
    id: 16,
    title: "The Region switch plan lives in the DR stack, spans both regions, and has the blocks, role, triggers and reports a failover needs (16)",
    violations,
  };
}
