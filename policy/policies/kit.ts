/**
 * The small toolkit every policy module uses: resource type tokens, a typed resource-policy builder
 * that tells the policy server which type it applies to, region and JSON helpers, and configuration
 * with defaults.
 *
 * Modules import `@pulumi/policy` for types only. The pack's runtime (`policy/index.ts`) is the only
 * place that loads the library, so the offline evaluator and the tests judge resources with the same
 * functions without starting the policy server.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { gunzipSync } from "node:zlib";

export const TYPES = {
  rdsInstance: "aws:rds/instance:Instance",
  backupReplication: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
  s3Bucket: "aws:s3/bucket:Bucket",
  s3PublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  s3OwnershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  s3Policy: "aws:s3/bucketPolicy:BucketPolicy",
  s3Encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  s3Versioning: "aws:s3/bucketVersioning:BucketVersioning",
  s3Replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  s3Logging: "aws:s3/bucketLogging:BucketLogging",
  s3Lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  autoScalingGroup: "aws:autoscaling/group:Group",
  flowLog: "aws:ec2/flowLog:FlowLog",
  vpc: "aws:ec2/vpc:Vpc",
  awsxVpc: "awsx:ec2:Vpc",
  defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  eksCluster: "aws:eks/cluster:Cluster",
  eksComponentCluster: "eks:index:Cluster",
  kmsKey: "aws:kms/key:Key",
  snsTopic: "aws:sns/topic:Topic",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  lambdaFunction: "aws:lambda/function:Function",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  record: "aws:route53/record:Record",
  ssmParameter: "aws:ssm/parameter:Parameter",
  iamRole: "aws:iam/role:Role",
  iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
  backupPlan: "aws:backup/plan:Plan",
  backupVault: "aws:backup/vault:Vault",
} as const;

/** What a resource validation sees of one resource: its type, name, URN, properties, options and provider. */
export type ResourceArgs = Pick<ResourceValidationArgs, "type" | "name" | "urn" | "props" | "opts" | "provider">;

/** A resource policy's check: the properties of one resource of the policy's type. */
export type ResourceCheck<Config> = (props: Record<string, any>, config: Config, report: ReportViolation, resource: ResourceArgs) => void;

export interface ResourcePolicyArgs<Config extends object> {
  name: string;
  description: string;
  enforcementLevel: Exclude<EnforcementLevel, "remediate" | "disabled">;
  /** The resource type the policy applies to, or several (e.g. a remote component and the resource it creates). */
  type: string | readonly string[];
  /** Configurable thresholds, with their defaults. */
  config?: { schema: PolicyConfigSchema; defaults: Config };
  check: ResourceCheck<Config>;
}

/**
 * Builds a resource policy for one or more types. With one type, the validation function carries
 * `__pulumiType`, which the policy server reads to skip other types without calling it (as
 * `validateResourceOfType` does).
 */
export function resourcePolicy<Config extends object = Record<string, never>>(args: ResourcePolicyArgs<Config>): ResourceValidationPolicy {
  const types: readonly string[] = typeof args.type === "string" ? [args.type] : args.type;
  const validate = (resource: ResourceValidationArgs, report: ReportViolation) => {
    if (!types.includes(resource.type)) return;
    args.check(resource.props, withDefaults(resource.getConfig<Partial<Config>>(), args.config?.defaults), report, resource);
  };
  if (types.length === 1) (validate as unknown as { __pulumiType: string }).__pulumiType = types[0];
  return {
    name: args.name,
    description: args.description,
    enforcementLevel: args.enforcementLevel,
    configSchema: args.config?.schema,
    validateResource: validate,
  };
}

export interface StackPolicyArgs<Config extends object> {
  name: string;
  description: string;
  enforcementLevel: Exclude<EnforcementLevel, "remediate" | "disabled">;
  config?: { schema: PolicyConfigSchema; defaults: Config };
  check: (resources: PolicyResource[], config: Config, report: ReportViolation) => void;
}

/** Builds a stack policy over all of a stack's resources. */
export function stackPolicy<Config extends object = Record<string, never>>(args: StackPolicyArgs<Config>): StackValidationPolicy {
  return {
    name: args.name,
    description: args.description,
    enforcementLevel: args.enforcementLevel,
    configSchema: args.config?.schema,
    validateStack: (stack: StackValidationArgs, report: ReportViolation) =>
      args.check(stack.resources, withDefaults(stack.getConfig<Partial<Config>>(), args.config?.defaults), report),
  };
}

/**
 * A stack policy that judges each resource of `type` alone, but with the whole stack in view (for
 * what only another resource records, such as the stack's recovery manifest); violations are
 * reported against the resource judged.
 */
export function eachResourcePolicy<Config extends object = Record<string, never>>(
  args: Omit<StackPolicyArgs<Config>, "check"> & {
    type: string;
    check: (props: Record<string, any>, config: Config, report: (message: string) => void, resources: PolicyResource[]) => void;
  },
): StackValidationPolicy {
  return stackPolicy<Config>({
    ...args,
    check: (resources, config, report) => {
      for (const resource of ofType(resources, args.type)) args.check(resource.props, config, (message) => report(message, resource.urn), resources);
    },
  });
}

/** The policy's configuration: the user's values over the defaults (the CLI applies schema defaults too). */
function withDefaults<Config extends object>(given: Partial<Config>, defaults: Config | undefined): Config {
  const defined = Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined));
  return { ...(defaults ?? ({} as Config)), ...defined } as Config;
}

/** The region a resource lives in: its own v7 `region` property, else its provider's region. */
export function regionOf(resource: Pick<ResourceArgs, "props" | "provider">): string | undefined {
  const own = resource.props.region;
  if (typeof own === "string" && own !== "") return own;
  const fromProvider = resource.provider?.props.region;
  return typeof fromProvider === "string" ? fromProvider : undefined;
}

/** A value as a list: arrays as they are, undefined as empty, anything else as a one-item list. */
export function asList<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** A JSON document property (policy, key policy), parsed; undefined when absent or not JSON. */
export function parseJson(value: unknown): any {
  if (typeof value !== "string") return typeof value === "object" ? value : undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Resources of one type. */
export function ofType(resources: PolicyResource[], type: string): PolicyResource[] {
  return resources.filter((resource) => resource.type === type);
}

/** True when `resource` depends on `target` through `property` (or, with no property, at all). */
export function dependsOn(resource: PolicyResource, target: PolicyResource, property?: string): boolean {
  const list = property ? (resource.propertyDependencies[property] ?? []) : resource.dependencies;
  return list.some((dependency) => dependency.urn === target.urn);
}

/** JSON-schema fragments for configuration. */
export const schema = {
  integer: (description: string, minimum: number, defaultValue: number) => ({ type: "integer" as const, minimum, default: defaultValue, description }),
  string: (description: string, defaultValue: string) => ({ type: "string" as const, default: defaultValue, description }),
  strings: (description: string, defaultValue: string[]) => ({
    type: "array" as const,
    items: { type: "string" as const },
    default: defaultValue,
    description,
  }),
};

/** User data as text: decoded when it is base64 (gunzipped when that is gzip, which cloud-init accepts), else as given. */
export function userDataText(userData: unknown): string {
  if (typeof userData !== "string") return "";
  const compact = userData.replace(/\s+/g, "");
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return userData;
  const bytes = Buffer.from(compact, "base64");
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString("utf8");
    } catch {
      return userData;
    }
  }
  return bytes.toString("utf8");
}
