/**
 * The contract between the two stacks, as data: every output the primary stack exports and the DR
 * stack reads through its StackReference, with its shape. Pure (zod only), so the policy pack can
 * validate the copy of this contract that the DR stack records in its recovery manifest.
 */
import { z } from "zod";
import { vpcCidrProblem } from "./rules";
import { STRATEGIES, STRATEGY_PROFILES } from "./strategies";
import { ENGINE_MODES } from "./aurora";
import { primaryCacheOutputSchema } from "./cache";
import { cloudFrontSchema } from "./edge";

const arn = (service: string, resource: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]*:\\d{12}:${resource}`), {
    error: `must be an ARN of ${service} ${resource.replace(/[\\^$]/g, "")}`,
  });
const positive = z.number().int().positive();

/** The app's definition and its secrets' ARNs in the primary region (output `app`). */
const primaryAppSchema = z.object({
  definition: z.object({
    image: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("demo") }),
      z.object({ kind: z.literal("ami"), amiId: z.string().regex(/^ami-[0-9a-f]+$/) }),
      z.object({ kind: z.literal("ssm-parameter"), parameterName: z.string().min(1) }),
    ]),
    userDataTemplate: z.string().optional(),
    healthPath: z.string().startsWith("/"),
    secretNames: z.array(z.string().min(1)),
    parameters: z.record(z.string(), z.string()),
    databaseUser: z.string().min(1),
  }),
  parameterPath: z.string().regex(/^\/.*\/$/),
  /** The database the app uses, e.g. app. */
  databaseName: z.string().min(1),
  /** The image the primary's launch template launches, as resolved in the primary region (an AMI ID of that region). */
  launchImageId: z.string().min(1).optional(),
  secrets: z.object({
    databaseCredentialsSecretArn: arn("secretsmanager", "secret:"),
    databaseCredentialsSecretName: z.string().min(1),
    secretArns: z.record(z.string(), arn("secretsmanager", "secret:")),
    /** The region the secrets are replicated to and the key of their replicas there; absent without a standbyRegion. */
    standbyRegion: z.string().min(1).optional(),
    standbyKeyArn: arn("kms", "key/").optional(),
  }),
});

/** Every output the primary stack exports, with its shape. */
export const primaryOutputsSchema = z.object({
  role: z.literal("primary", { error: "must be primary: the referenced stack is not a primary stack" }),
  region: z.string().min(1),
  /** The primary's `standbyRegion`, when its stack file sets one. */
  standbyRegion: z.string().min(1).optional(),
  vpcCidrBlock: z.string().refine((cidr) => vpcCidrProblem(cidr) === undefined, { error: "must be the primary VPC's IPv4 CIDR block, /16 to /20" }),
  kmsKeyArn: arn("kms", "key/"),
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]+$/),
  applicationName: z.string().min(3),
  privateZoneName: z.string().min(3),
  appUrl: z.string().min(1),
  albArn: arn("elasticloadbalancing", "loadbalancer/app/"),
  albDnsName: z.string().min(1),
  albZoneId: z.string().regex(/^Z[A-Z0-9]+$/),
  listenerProtocol: z.enum(["HTTP", "HTTPS"]),
  listenerPort: z.union([z.literal(80), z.literal(443)]),
  /**
   * Where Route 53's health checks and the DR region's probe reach the primary ALB's health path (AppTier
   * `healthCheckProtocol`, `healthCheckPort`): the app listener, or behind the edge the health listener (HTTP, 80).
   * Optional: primaries deployed before the edge existed lack them, and probe the app listener.
   */
  healthCheckProtocol: z.enum(["HTTP", "HTTPS"]).optional(),
  healthCheckPort: z.union([z.literal(80), z.literal(443)]).optional(),
  /** `edge.cloudFront` as the primary resolved it (config/edge.ts); the DR stack builds the distribution from it. Optional: older primaries lack it (edge off). */
  edge: z.union([z.undefined(), cloudFrontSchema]).optional(),
  /** The origin-verify secret (a secret output) while the edge is on (components/edge/originSecret.ts). */
  edgeOriginVerifySecret: z.string().min(1).optional(),
  appInstanceType: z.string().min(1),
  appMinSize: z.number().int().min(0),
  appDesiredCapacity: z.number().int().min(0),
  appMaxSize: positive,
  appPort: positive,
  autoScalingGroupName: z.string().min(1),
  /** The primary's Auto Scaling group ARN: the Region switch plan's EC2AutoScaling block names both regions' groups. Optional: primaries deployed before it existed lack it. */
  autoScalingGroupArn: arn("autoscaling", "autoScalingGroup:").optional(),
  targetGroupArn: arn("elasticloadbalancing", "targetgroup/"),
  databaseZoneId: z.string().regex(/^Z[A-Z0-9]+$/),
  /** The primary database: the DB instance's ARN (instance mode) or the primary DB cluster's (aurora-global). */
  dbArn: z.string().regex(/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(db|cluster):[A-Za-z][A-Za-z0-9-]*$/, {
    error: "must be an RDS DB instance or DB cluster ARN (arn:aws:rds:<region>:<account>:db:<id> or ...:cluster:<id>)",
  }),
  dbIdentifier: z.string().min(1),
  /** Absent from primaries deployed before engine modes existed: those are RDS instances. */
  dbEngineMode: z.enum(ENGINE_MODES).default("instance"),
  /** aurora-global: the global cluster the DR stack's secondary cluster joins. */
  dbGlobalClusterIdentifier: z.string().min(1).optional(),
  /** The primary database's DB subnet group and security group, for restores into the primary region. */
  dbSubnetGroupName: z.string().min(1).optional(),
  dbSecurityGroupId: z.string().min(1).optional(),
  /**
   * Instance mode with a read replica: the primary region's replication heartbeat function
   * (components/replicationHeartbeat.ts), which failback asks whether the primary-region replica has caught up.
   */
  dbHeartbeatFunctionArn: arn("lambda", "function:").optional(),
  dbEngine: z.enum(["postgres", "mysql"]),
  dbEngineVersion: z.string().min(1),
  dbInstanceClass: z.string().startsWith("db."),
  /** Instance mode's storage, GiB (Aurora's grows by itself; the primary exports the instance defaults). */
  dbAllocatedStorageGib: positive,
  dbMaxAllocatedStorageGib: positive,
  dbBackupRetentionDays: z.number().int().min(1, { error: "must be at least 1: a cross-region replica needs backups on its source" }),
  dbPort: positive,
  /** The cache (config/cache.ts `primaryCacheOutputSchema`; stacks/cache.ts), absent with `cache.engine: none`. */
  cache: primaryCacheOutputSchema.optional(),
  /** The optional DynamoDB global table, replicated into the DR region by the DR stack. */
  globalTableName: z.string().min(3).optional(),
  globalTableArn: arn("dynamodb", "table/").optional(),
  bucketName: z.string().min(3),
  bucketArn: z.string().regex(/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket ARN (arn:aws:s3:::<bucket>)" }),
  strategy: z.enum(STRATEGIES, { error: `must be one of ${STRATEGIES.join(", ")}: redeploy the primary with this version of the program` }),
  /**
   * The app the pair protects (config/appDefinition.ts) and where its secrets live: the DR stack
   * builds the same app from them in its region. Optional in the shape, so recovery manifests
   * recorded before it existed stay valid; a DR stack refuses a primary without it (`missingAppProblem`).
   */
  app: primaryAppSchema.optional(),
  /**
   * The DR region's dead man's switch, which the primary stack builds in the primary region
   * (stacks/monitoring.ts): the heartbeat topic the DR stack's Alertmanager sends Watchdog to and the
   * topic's key. Absent without `standbyRegion` or when the strategy runs no DR monitoring cluster.
   */
  drMonitoringHeartbeat: z.object({ topicArn: arn("sns", ""), keyArn: arn("kms", "key/"), region: z.string().min(1) }).optional(),
  rtoSeconds: positive,
  rpoSeconds: positive,
  objectRpoSeconds: positive,
});

/**
 * Outputs that depend on one another: an aurora-global primary exports its global cluster and a
 * cluster ARN; an instance primary an instance ARN; a table name goes with its ARN.
 */
export const primaryOutputsContract = primaryOutputsSchema.superRefine((outputs, context) => {
  const problem = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], input: outputs[path as keyof typeof outputs], message });
  const clusterArn = /:cluster:/.test(outputs.dbArn);
  if (outputs.dbEngineMode === "aurora-global") {
    if (outputs.dbGlobalClusterIdentifier === undefined)
      problem("dbGlobalClusterIdentifier", "is required from an aurora-global primary: the global cluster the DR secondary joins");
    if (!clusterArn) problem("dbArn", "must be the primary DB cluster's ARN (…:cluster:<id>) for an aurora-global primary");
  } else if (clusterArn) {
    problem("dbArn", "must be a DB instance ARN (…:db:<id>) for an instance-mode primary");
  }
  if ((outputs.globalTableName === undefined) !== (outputs.globalTableArn === undefined)) {
    problem(outputs.globalTableName === undefined ? "globalTableName" : "globalTableArn", "comes with globalTableName and globalTableArn together");
  }
});

/**
 * The problem of a primary whose outputs lack the replication heartbeat its strategy needs (instance
 * mode with a read replica: a primary deployed before the heartbeat existed), or undefined. Not a
 * contract rule, so recovery manifests recorded before then stay valid.
 */
export function missingHeartbeatProblem(outputs: PrimaryOutputs): string | undefined {
  const needsHeartbeat = outputs.dbEngineMode === "instance" && STRATEGY_PROFILES[outputs.strategy].databaseCopy === "read-replica";
  return needsHeartbeat && outputs.dbHeartbeatFunctionArn === undefined
    ? "is missing: the primary was deployed before the replication heartbeat existed, so a planned failback cannot prove the primary-region replica caught up and refuses before it changes anything; redeploy the primary with this version of the program (pulumi up -s <primary>)"
    : undefined;
}

/**
 * The problem of a primary whose outputs lack the app's definition and secrets (deployed before they
 * existed), or whose secrets are not replicated to the DR stack's region; undefined when usable.
 */
export function missingAppProblem(outputs: PrimaryOutputs, drRegion: string): string | undefined {
  if (outputs.app === undefined)
    return "is missing: the primary was deployed before the app's definition and secrets existed; redeploy the primary with this version of the program (pulumi up -s <primary>)";
  if (outputs.app.secrets.standbyRegion !== drRegion || outputs.app.secrets.standbyKeyArn === undefined) {
    return `does not replicate the app's secrets to ${drRegion}: set standbyRegion: ${drRegion} in the primary's stack file and redeploy the primary`;
  }
  return undefined;
}

/** The primary's outputs as the DR stack uses them. */
export type PrimaryOutputs = z.output<typeof primaryOutputsSchema>;
export const PRIMARY_OUTPUT_NAMES = Object.keys(primaryOutputsSchema.shape) as (keyof PrimaryOutputs)[];
