/**
 * Issue 21, item 4: the DR drill's FIS experiment templates (`aws.fis.ExperimentTemplate`, built by
 * components/faultInjection.ts from recovery/faults/catalogue.ts) are safe to start and would run.
 * One stack policy over every template of the stack, four checks each:
 *
 * - stop conditions: at least one is a CloudWatch alarm (`aws:cloudwatch:alarm` with an alarm ARN) of
 *   the template's region, and none is `none` beside it: a fault without a guardrail runs its whole
 *   duration whatever it breaks ("Stop conditions for AWS FIS"; a CloudWatch alarm watches only its
 *   own region's metrics);
 * - the role: every call the action makes (catalogue `faultRequests`: the actions reference's
 *   permissions on the template's own targets) is allowed by the role's policies declared in the
 *   stack, as the IAM simulator @cloud-copilot/iam-simulate evaluates them (workflowsRun.ts
 *   `rolePoliciesOf`, `simulate`); FIS makes them with that role, so a missing one fails the
 *   experiment mid-fault;
 * - targets: every target ARN with a region is in the template's region (an experiment acts on its
 *   own region's resources), and the action's `region` parameter, where it has one, names another
 *   region (the isolated or the destination region);
 * - logs: a CloudWatch Logs group (of the template's region) or an S3 bucket is configured, with the
 *   schema version FIS writes, and the action's duration is an ISO 8601 duration within the drill's
 *   bounds (catalogue `FAULT_DURATION_MINUTES`).
 *
 * Values not known at preview leave a template unjudged on that point, as in workflowsRun.ts.
 */
import type { Policies, PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import {
  durationMinutes,
  FAULT_DURATION_MINUTES,
  type FaultContext,
  faultOfAction,
  faultRequests,
  FIS_LOG_SCHEMA_VERSION,
  type FaultName,
} from "../../recovery/faults/catalogue";
import { asList, ofType, regionOf } from "./kit";
import { rolePoliciesOf, simulate } from "./workflowsRun";

export const FIS_TEMPLATE_TYPE = "aws:fis/experimentTemplate:ExperimentTemplate";
const REPLICATION_CONFIG_TYPE = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";

/** The region segment of an ARN (`arn:partition:service:region:...`), "" for global resources, undefined when not an ARN. */
function arnRegion(arn: unknown): string | undefined {
  if (typeof arn !== "string") return undefined;
  const parts = arn.split(":");
  return parts[0] === "arn" && parts.length >= 6 ? parts[3] : undefined;
}

interface TemplateAction {
  name?: string;
  actionId?: string;
  parameters?: { key?: string; value?: string }[];
  target?: { key?: string; value?: string };
}
interface TemplateTarget {
  name?: string;
  resourceArns?: string[];
}

/** Problems of the stop conditions of a template in `region`. */
export function stopConditionProblems(props: Record<string, any>, region: string): string[] {
  const conditions = asList(props.stopConditions as { source?: string; value?: string }[] | undefined);
  const alarms = conditions.filter((condition) => condition.source === "aws:cloudwatch:alarm");
  const problems: string[] = [];
  if (alarms.length === 0) problems.push("has no CloudWatch alarm among its stop conditions: the fault would run its whole duration whatever it breaks");
  if (alarms.length > 0 && conditions.some((condition) => condition.source === "none")) problems.push("lists `none` beside its alarms");
  for (const alarm of alarms) {
    if (typeof alarm.value !== "string") continue;
    if (!/^arn:[a-z-]+:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/.test(alarm.value)) problems.push(`stop condition ${alarm.value} is not a CloudWatch alarm ARN`);
    else if (arnRegion(alarm.value) !== region)
      problems.push(`stop condition ${alarm.value} is an alarm of ${arnRegion(alarm.value)}, not of the template's region ${region}`);
  }
  return problems;
}

/** Problems of the targets and the action's parameters of a template in `region`. */
export function targetProblems(props: Record<string, any>, region: string): string[] {
  const problems: string[] = [];
  for (const target of asList(props.targets as TemplateTarget[] | undefined)) {
    for (const arn of asList(target.resourceArns)) {
      const arnsRegion = arnRegion(arn);
      if (arnsRegion !== undefined && arnsRegion !== "" && arnsRegion !== region) {
        problems.push(`target ${target.name} names ${arn}, in ${arnsRegion}: an experiment acts on its own region's resources (${region})`);
      }
    }
  }
  for (const action of asList(props.actions as TemplateAction[] | undefined)) {
    const parameters = Object.fromEntries(asList(action.parameters).map((parameter) => [parameter.key, parameter.value]));
    if (parameters.region !== undefined && parameters.region === region) {
      problems.push(`action ${action.name} isolates or replicates to its own region ${region}: its region parameter must name the other region of the pair`);
    }
    if (typeof parameters.duration === "string") {
      const minutes = durationMinutes(parameters.duration);
      if (minutes === undefined || minutes < FAULT_DURATION_MINUTES.min || minutes > FAULT_DURATION_MINUTES.max) {
        problems.push(
          `action ${action.name} lasts ${parameters.duration}; a drill's fault lasts ${FAULT_DURATION_MINUTES.min} to ${FAULT_DURATION_MINUTES.max} minutes, as an ISO 8601 duration (PT20M)`,
        );
      }
    }
  }
  return problems;
}

/** Problems of the log configuration of a template in `region`. */
export function logProblems(props: Record<string, any>, region: string): string[] {
  const logs = props.logConfiguration as
    { logSchemaVersion?: number; cloudwatchLogsConfiguration?: { logGroupArn?: string }; s3Configuration?: { bucketName?: string } } | undefined;
  const group = logs?.cloudwatchLogsConfiguration?.logGroupArn;
  if (!logs || (group === undefined && logs.s3Configuration?.bucketName === undefined)) {
    return ["has no experiment logs: configure a CloudWatch Logs group (or an S3 bucket), so a drill leaves its record"];
  }
  const problems: string[] = [];
  if (typeof logs.logSchemaVersion === "number" && logs.logSchemaVersion !== FIS_LOG_SCHEMA_VERSION) {
    problems.push(`logs with schema version ${logs.logSchemaVersion}; FIS writes version ${FIS_LOG_SCHEMA_VERSION}`);
  }
  if (typeof group === "string" && arnRegion(group) !== region) problems.push(`logs to ${group}, not a log group of the template's region ${region}`);
  return problems;
}

/**
 * The fault context the role is judged against: the template's partition, account (from its role's
 * ARN), region and targets; for the S3 fault, the source bucket of the stack's replication
 * configuration in that region. Undefined when something is not known yet (then the role is unjudged).
 */
function contextOf(template: PolicyResource, fault: FaultName, resources: PolicyResource[], region: string): FaultContext | undefined {
  const role = /^arn:([a-z-]+):iam::(\d{12}):role\/.+$/.exec(String(template.props.roleArn));
  if (!role) return undefined;
  const arns = asList(template.props.targets as TemplateTarget[] | undefined).flatMap((target) => asList(target.resourceArns));
  // The other region is the one the action names (`region`: isolated, or where the replicas are); "" when it names none.
  const parameters = asList(template.props.actions as TemplateAction[] | undefined).flatMap((action) => asList(action.parameters));
  const otherRegion = parameters.find((parameter) => parameter.key === "region")?.value ?? "";
  const context: FaultContext = { partition: role[1], accountId: role[2], region, otherRegion, prefix: "" };
  if (fault === "cross-region-connectivity") {
    const subnetIds = arns.map((arn) => /:subnet\/(subnet-[\w-]+)$/.exec(String(arn))?.[1]).filter((id): id is string => id !== undefined);
    return subnetIds.length > 0 ? { ...context, subnetIds } : undefined;
  }
  if (fault === "dynamodb-replication-pause") return typeof arns[0] === "string" ? { ...context, tableArn: arns[0] } : undefined;
  const replication = ofType(resources, REPLICATION_CONFIG_TYPE).find((config) => regionOf(config) === region && typeof config.props.bucket === "string");
  return replication ? { ...context, sourceBucketName: String(replication.props.bucket) } : undefined;
}

/** Calls the template's action makes that its role does not allow, one message each. */
export async function rolePermissionProblems(template: PolicyResource, resources: PolicyResource[], region: string): Promise<string[]> {
  const problems: string[] = [];
  for (const action of asList(template.props.actions as TemplateAction[] | undefined)) {
    const fault = faultOfAction(action.actionId);
    if (!fault) {
      problems.push(`action ${action.name} runs ${action.actionId}, which is not one of the drill's faults (recovery/faults/catalogue.ts)`);
      continue;
    }
    const roleArn = template.props.roleArn;
    if (typeof roleArn !== "string") continue;
    const context = contextOf(template, fault, resources, region);
    const policies = rolePoliciesOf(resources, roleArn);
    if (!context || policies.unknown) continue;
    for (const request of faultRequests(fault, context)) {
      const decision = await simulate(request, policies, roleArn, context.accountId);
      if (decision === "Allowed") continue;
      const with_ = request.context ? ` with ${JSON.stringify(request.context)}` : "";
      problems.push(
        `${action.actionId} calls ${request.action} on ${request.resource}${with_}, which role ${roleArn.split("/").pop()} does not allow (${decision})`,
      );
    }
  }
  return problems;
}

/** Every problem of one template, in the order of the module comment. */
export async function faultTemplateProblems(template: PolicyResource, resources: PolicyResource[]): Promise<string[]> {
  const region = regionOf(template);
  if (!region) return [];
  return [
    ...stopConditionProblems(template.props, region),
    ...(await rolePermissionProblems(template, resources, region)),
    ...targetProblems(template.props, region),
    ...logProblems(template.props, region),
  ];
}

const faultTemplatesSafe: StackValidationPolicy = {
  name: "dr-fault-templates-safe",
  description:
    "Each FIS experiment template of the DR drill stops on a CloudWatch alarm of its region, has a role allowing every call of its action, targets its own region and logs (issue 21; design: recovery/faults/catalogue.ts)",
  enforcementLevel: "mandatory",
  validateStack: async (stack, report: ReportViolation) => {
    for (const template of ofType(stack.resources, FIS_TEMPLATE_TYPE)) {
      try {
        for (const problem of await faultTemplateProblems(template, stack.resources)) report(`${template.name}: ${problem}`, template.urn);
      } catch (error) {
        if (!(error instanceof Error && error.constructor.name === "UnknownValueError")) throw error;
      }
    }
  },
};

export const faultInjectionPolicies: Policies = [faultTemplatesSafe];
