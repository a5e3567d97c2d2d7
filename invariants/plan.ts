/**
 * Shared vocabulary of the DR invariant checks: a violation, a check result, and small look-ups over
 * a synthesized stack plan. The checks are pure functions of the two plans (primary and DR), so the
 * same code judges the offline synthesis, the unit tests and, later, the policy pack.
 */
import type { PlannedResource, StackPlan } from "../synth/recordStack";

/** The outcome of one invariant over the pair of stacks. */
export interface InvariantResult {
  /** The invariant's number in `checks.md` ("DR invariants that no generic tool checks"). */
  id: number;
  title: string;
  /** One message per violation: which resource, what is wrong, what to change. Empty when it holds. */
  violations: string[];
}

/** The two synthesized stacks the invariants judge together. */
export interface PlanPair {
  primary: StackPlan;
  dr: StackPlan;
}

export function resourcesOfType(plan: StackPlan, type: string): PlannedResource[] {
  return plan.resources.filter((resource) => resource.type === type);
}

/** The region in an ARN (`arn:partition:service:region:account:resource`), or "" for global ARNs. */
export function arnRegion(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts.length >= 6 && parts[0] === "arn" ? parts[3] : undefined;
}

export function stringInput(resource: PlannedResource, key: string): string | undefined {
  const value = resource.inputs[key];
  return typeof value === "string" ? value : undefined;
}

/** Parses a JSON policy input; returns undefined when absent or not JSON. */
export function policyInput(resource: PlannedResource, key = "policy"): { Statement: Record<string, unknown>[] } | undefined {
  const text = stringInput(resource, key);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as { Statement: Record<string, unknown>[] };
  } catch {
    return undefined;
  }
}

/** True when an IAM pattern (`*` any run of characters, `?` one character; actions case-insensitive) matches `value`. */
export function iamPatternMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${expression}$`, ignoreCase ? "i" : "").test(value);
}

/**
 * True when some Allow statement grants `action` on `resource`, with IAM's wildcards in the
 * statement's Action and Resource (`s3:Replicate*`, `arn:aws:s3:::bucket/*`, `*`). Deny statements
 * and conditions are not evaluated: the program's own role policies have none.
 */
export function allows(document: { Statement: Record<string, unknown>[] } | undefined, action: string, resource: string): boolean {
  const list = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === "string");
  return (document?.Statement ?? []).some(
    (statement) =>
      statement.Effect === "Allow" &&
      list(statement.Action).some((pattern) => iamPatternMatches(pattern, action, true)) &&
      list(statement.Resource).some((pattern) => iamPatternMatches(pattern, resource)),
  );
}

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const S3_BUCKET = "aws:s3/bucket:Bucket";
export const S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
export const S3_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
export const KMS_KEY = "aws:kms/key:Key";
export const IAM_ROLE = "aws:iam/role:Role";
export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const ROUTE53_RECORD = "aws:route53/record:Record";
export const ROUTE53_HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
export const LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer";
export const AUTOSCALING_GROUP = "aws:autoscaling/group:Group";
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
