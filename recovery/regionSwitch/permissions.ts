/**
 * The plan's IAM: the execution role's trust policy, one inline policy per kind of execution block
 * (each the ARC Developer Guide's sample policy for that block, scoped to this plan's resources), the
 * triggers' and the reports' permissions, and the approver role's. Pure: tests and the checks read the
 * exact documents.
 *
 * The manual approval and Route 53 health check blocks are not run with the execution role ("The
 * manual approval and Route 53 health check execution blocks do not assume the execution role as part
 * of a plan execution", ARC Developer Guide, "Plan execution role trust policy"); the Route 53 one is
 * still evaluated with it (its sample policy below), so it keeps its statement.
 */
import { type PolicyDocument, type PolicyStatement, policyDocument, serviceTrustPolicy } from "../../components/policyDocuments";
import {
  actionsFunctionArnList,
  allSteps,
  autoScalingGroupArns,
  auroraOf,
  type BlockType,
  instanceArnMap,
  type PlanWorkflow,
  type RegionSwitchTargets,
} from "./workflows";

/** The service principal Region switch assumes the execution role as (ARC Developer Guide, "Plan execution role trust policy"). */
export const REGION_SWITCH_PRINCIPAL = "arc-region-switch.amazonaws.com";

/** The execution role's trust policy, limited to this account's plans (`aws:SourceAccount`). */
export function executionTrustPolicy(accountId: string): PolicyDocument {
  return serviceTrustPolicy(REGION_SWITCH_PRINCIPAL, accountId);
}

/** Where the plan's reports go and the alarms it reads. */
export interface PlanPermissionContext {
  targets: RegionSwitchTargets;
  /** The workflows the plan declares. */
  workflows: PlanWorkflow[];
  /** ARNs of the CloudWatch alarms associated with the plan (triggers); empty without triggers. */
  alarmArns: string[];
  /** The execution role's own ARN (plan evaluation simulates its policies). */
  executionRoleArn: string;
  /** The plan's name: its ARN is `arn:<p>:arc-region-switch::<account>:plan/<name>:<suffix>`, the suffix known only once created. */
  planName: string;
  /** The reports bucket's ARN and the KMS key that encrypts it. */
  reportBucketArn: string;
  reportKeyArn: string;
}

/** The policy name suffix of each block kind with execution-role permissions (`dr-region-switch-execution-<kind>`). */
export type PolicyKind = "evaluation" | "rds" | "aurora" | "autoscaling" | "lambda" | "route53" | "triggers" | "reports";

const BLOCK_POLICY: Partial<Record<BlockType, PolicyKind>> = {
  RdsPromoteReadReplica: "rds",
  RdsCreateCrossRegionReplica: "rds",
  AuroraGlobalDatabase: "aurora",
  EC2AutoScaling: "autoscaling",
  CustomActionLambda: "lambda",
  Route53HealthCheck: "route53",
};

/**
 * Amazon RDS blocks (ARC Developer Guide, "Amazon RDS execution block sample policy": DescribeDBInstances,
 * PromoteReadReplica, CreateDBInstanceReadReplica, ModifyDBInstance on `*`), scoped to the pair's two
 * instances. CreateDBInstanceReadReplica only when a workflow creates a replica.
 */
function rdsStatements(targets: RegionSwitchTargets, creates: boolean): PolicyStatement[] {
  const actions = ["rds:DescribeDBInstances", "rds:PromoteReadReplica", "rds:ModifyDBInstance", ...(creates ? ["rds:CreateDBInstanceReadReplica"] : [])];
  return [{ Sid: "PromoteThePairsInstances", Effect: "Allow", Action: actions, Resource: Object.values(instanceArnMap(targets)) }];
}

/** Aurora Global Database block (ARC Developer Guide, "Aurora Global Database execution block sample policy"). */
function auroraStatements(targets: RegionSwitchTargets): PolicyStatement[] {
  const aurora = auroraOf(targets);
  if (!aurora) return [];
  return [
    { Sid: "DescribeClusters", Effect: "Allow", Action: ["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"], Resource: "*" },
    {
      Sid: "SwitchTheGlobalCluster",
      Effect: "Allow",
      Action: ["rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"],
      Resource: [
        `arn:${targets.partition}:rds::${targets.accountId}:global-cluster:${aurora.globalClusterIdentifier}`,
        aurora.primaryClusterArn,
        aurora.drClusterArn,
      ],
    },
  ];
}

/**
 * EC2 Auto Scaling block (ARC Developer Guide, "EC2 Auto Scaling execution block sample policy"):
 * Describe on `*` (the API takes no resource), Update on the pair's two groups by ARN, GetMetricStatistics on `*`.
 *
 * The guide's current sample narrows GetMetricStatistics with `StringEquals` on `cloudwatch:namespace`
 * AWS/AutoScaling. The Service Authorization Reference (Amazon CloudWatch, actions table) lists that key for
 * PutMetricData only: GetMetricStatistics supports no condition key, so the key is absent from its request
 * context, and a StringEquals on an absent key does not match (IAM User Guide, "Condition operators": without
 * `...IfExists` a missing key evaluates to false), which would deny the capacity block's reads at a failover.
 * `StringEqualsIfExists` keeps the sample's intent (AWS/AutoScaling only, should CloudWatch ever set the key)
 * and allows the read as IAM evaluates it today; the policy `dr-region-switch-role-permissions` simulates it.
 */
function autoScalingStatements(targets: RegionSwitchTargets): PolicyStatement[] {
  const groups = autoScalingGroupArns(targets);
  return [
    { Sid: "DescribeGroups", Effect: "Allow", Action: "autoscaling:DescribeAutoScalingGroups", Resource: "*" },
    { Sid: "ScaleThePairsGroups", Effect: "Allow", Action: "autoscaling:UpdateAutoScalingGroup", Resource: groups },
    {
      Sid: "ReadGroupMetrics",
      Effect: "Allow",
      Action: "cloudwatch:GetMetricStatistics",
      Resource: "*",
      Condition: { StringEqualsIfExists: { "cloudwatch:namespace": "AWS/AutoScaling" } },
    },
  ];
}

/** Custom action Lambda block (ARC Developer Guide, "Custom action Lambda execution block sample policy"): both regions' copies. */
function lambdaStatements(targets: RegionSwitchTargets): PolicyStatement[] {
  return [
    { Sid: "InvokeTheActionsFunction", Effect: "Allow", Action: ["lambda:GetFunction", "lambda:InvokeFunction"], Resource: actionsFunctionArnList(targets) },
  ];
}

/** Route 53 health check block (ARC Developer Guide, "Route 53 health check execution block sample policy"). */
function route53Statements(targets: RegionSwitchTargets): PolicyStatement[] {
  return [
    {
      Sid: "ReadTheFailoverRecords",
      Effect: "Allow",
      Action: "route53:ListResourceRecordSets",
      Resource: `arn:${targets.partition}:route53:::hostedzone/${targets.dns.hostedZoneId}`,
    },
  ];
}

/**
 * Plan evaluation, which Region switch runs with the execution role when the plan is created or
 * updated and every 30 minutes (ARC Developer Guide, "Plan execution role trust policy" and "Complete
 * plan execution role permissions"): it simulates the role's own policies and reads the plan and its
 * executions. The plan by its name and any suffix (ARC API Reference, plan ARN pattern `plan/<name>:<6>`),
 * so the statement exists before the plan does.
 */
function evaluationStatements(context: PlanPermissionContext): PolicyStatement[] {
  const { partition, accountId } = context.targets;
  return [
    { Sid: "SimulateItsOwnPolicies", Effect: "Allow", Action: "iam:SimulatePrincipalPolicy", Resource: context.executionRoleArn },
    {
      Sid: "ReadThePlan",
      Effect: "Allow",
      Action: ["arc-region-switch:GetPlan", "arc-region-switch:GetPlanExecution", "arc-region-switch:ListPlanExecutions"],
      Resource: `arn:${partition}:arc-region-switch::${accountId}:plan/${context.planName}:*`,
    },
  ];
}

/**
 * Triggers: Region switch "assumes the execution role to read the CloudWatch alarms that the triggers
 * use" (ARC Developer Guide, "Plan execution role trust policy").
 */
function triggerStatements(alarmArns: string[]): PolicyStatement[] {
  return alarmArns.length === 0 ? [] : [{ Sid: "ReadTheTriggerAlarms", Effect: "Allow", Action: "cloudwatch:DescribeAlarms", Resource: alarmArns }];
}

/**
 * Execution reports (ARC Developer Guide, "Automatic plan execution reports permissions"): PutObject in
 * the bucket, the alarms' state and history, and `kms:GenerateDataKey` and `kms:Encrypt` on the bucket's
 * customer-managed key (the page's note). No child plans here, so no arc-region-switch statement.
 */
function reportStatements(context: PlanPermissionContext): PolicyStatement[] {
  return [
    { Sid: "WriteReports", Effect: "Allow", Action: "s3:PutObject", Resource: `${context.reportBucketArn}/*` },
    { Sid: "EncryptReports", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt"], Resource: context.reportKeyArn },
    ...(context.alarmArns.length > 0
      ? [
          {
            Sid: "ReportAlarmStates",
            Effect: "Allow" as const,
            Action: ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"],
            Resource: context.alarmArns,
          },
        ]
      : []),
  ];
}

/**
 * The execution role's inline policies, one per kind, exactly the kinds the declared workflows use
 * (plus `evaluation` and `reports` always, and `triggers` with alarms).
 * @returns kind -> policy document, in a stable order.
 */
export function executionPolicies(context: PlanPermissionContext): Partial<Record<PolicyKind, PolicyDocument>> {
  const { targets } = context;
  const used = new Set(allSteps(context.workflows).map((step) => step.executionBlockType));
  const kinds = new Set([...used].flatMap((type) => (BLOCK_POLICY[type] ? [BLOCK_POLICY[type]] : [])));
  const statements: Record<PolicyKind, () => PolicyStatement[]> = {
    evaluation: () => evaluationStatements(context),
    rds: () => rdsStatements(targets, used.has("RdsCreateCrossRegionReplica")),
    aurora: () => auroraStatements(targets),
    autoscaling: () => autoScalingStatements(targets),
    lambda: () => lambdaStatements(targets),
    route53: () => route53Statements(targets),
    triggers: () => triggerStatements(context.alarmArns),
    reports: () => reportStatements(context),
  };
  const result: Partial<Record<PolicyKind, PolicyDocument>> = {};
  for (const kind of ["evaluation", "rds", "aurora", "autoscaling", "lambda", "route53", "triggers", "reports"] as const) {
    if (!["evaluation", "triggers", "reports"].includes(kind) && !kinds.has(kind)) continue;
    const body = statements[kind]();
    if (body.length > 0) result[kind] = policyDocument(body);
  }
  return result;
}

/**
 * The approver role's permissions: approve (or decline) this plan's steps and follow its executions
 * (ARC Developer Guide, "Manual approval execution block sample policy": ApprovePlanExecutionStep on the plan).
 */
export function approverPolicy(planArn: string): PolicyDocument {
  return policyDocument([
    {
      Sid: "ApproveThisPlansSteps",
      Effect: "Allow",
      Action: ["arc-region-switch:ApprovePlanExecutionStep", "arc-region-switch:GetPlanExecution", "arc-region-switch:ListPlanExecutionEvents"],
      Resource: planArn,
    },
  ]);
}

/** The approver role's trust policy: principals of this account that IAM allows to assume it (the operators). */
export function approverTrustPolicy(partition: string, accountId: string): PolicyDocument {
  return policyDocument([{ Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: "sts:AssumeRole" }]);
}
