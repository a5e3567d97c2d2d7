/**
 * The contract between the two stacks: what the primary stack exports and the DR stack reads through
 * its one StackReference. The DR stack awaits and validates every value before it creates any
 * resource, so a primary that was never deployed, or exports something wrong, fails with a message
 * that says which output and what to do.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigProblem } from "../config/errors";
import { HEARTBEAT_MIN_RPO_SECONDS } from "../recovery/heartbeat";
import { STRATEGY_PROFILES } from "../config/strategies";
import {
  missingAppProblem,
  missingHeartbeatProblem,
  PRIMARY_OUTPUT_NAMES,
  primaryOutputsContract,
  primaryOutputsSchema,
  type PrimaryOutputs,
} from "../config/primaryContract";
import { cidrsOverlap } from "../config/rules";
import { CONFIG_NAMESPACE, type DrConfig } from "../config/schema";
import { continuousRetentionProblem } from "../components/backupRules";
import { CLOUDFRONT_CERTIFICATE_REGION, drEdgeProblems } from "../config/edge";

export { PRIMARY_OUTPUT_NAMES, primaryOutputsSchema, type PrimaryOutputs };

/**
 * Validates values read from the primary stack.
 * @param primaryStack the fully qualified stack name, for the message.
 * @throws ConfigError naming each missing or malformed output and saying to deploy or fix the primary first.
 */
export function parsePrimaryOutputs(values: Record<string, unknown>, primaryStack: string): PrimaryOutputs {
  const result = primaryOutputsContract.safeParse(values, { reportInput: true });
  if (result.success) {
    // Not a refusal: a DR stack must stay deployable (e.g. to adopt a promoted database during an outage) before the primary is redeployed.
    const heartbeat = missingHeartbeatProblem(result.data);
    if (heartbeat !== undefined) pulumi.log.warn(`${primaryStack} output dbHeartbeatFunctionArn ${heartbeat.replace("<primary>", primaryStack)}`);
    return result.data;
  }
  const problems: ConfigProblem[] = result.error.issues.map((issue) => {
    const output = String(issue.path[0] ?? "(outputs)");
    // A rule between outputs reports its own message, even about an output that is absent.
    const missing = values[output] === undefined && issue.code !== "custom";
    return {
      key: `${primaryStack} output ${output}`,
      value: missing ? undefined : values[output],
      message: missing
        ? `is missing: deploy the primary stack first (pulumi up -s ${primaryStack}), or point ${CONFIG_NAMESPACE}:primaryStack at it`
        : `${issue.message}: fix the primary stack and run pulumi up -s ${primaryStack} again`,
    };
  });
  throw new ConfigError(`The DR stack cannot use the primary stack "${primaryStack}"`, problems);
}

/**
 * Reads every contract output through the StackReference, awaiting each before any DR resource is
 * created. Secret outputs are read as their plain values (the contract holds no secrets).
 * @throws ConfigError as `parsePrimaryOutputs`.
 */
export async function readPrimaryOutputs(reference: pulumi.StackReference, primaryStack: string): Promise<PrimaryOutputs> {
  const entries = await Promise.all(
    PRIMARY_OUTPUT_NAMES.map(async (name) => {
      const details = await reference.getOutputDetails(name);
      return [name, details.value ?? details.secretValue] as const;
    }),
  );
  return parsePrimaryOutputs(Object.fromEntries(entries), primaryStack);
}

/**
 * Rules that need both stacks: different regions, non-overlapping VPC blocks, a DR tier that can
 * take the primary's full load (same instance type, maxSize at least the primary's), and the same
 * declared RTO and RPO (DR invariants 1, 7 and 11).
 * @returns the problems found, empty when the pair is consistent.
 */
export function crossStackProblems(config: DrConfig, primary: PrimaryOutputs): ConfigProblem[] {
  const key = (path: string) => `${CONFIG_NAMESPACE}:${path}`;
  const problems: ConfigProblem[] = [];
  if (config.region === primary.region) {
    problems.push({
      key: "aws:region",
      value: config.region,
      message: `is the primary's region too; a DR stack must run in another region (e.g. ${primary.region === "us-west-2" ? "us-east-1" : "us-west-2"})`,
    });
  }
  // One problem per key: a DR stack in the primary's own region is reported above.
  if (primary.standbyRegion !== undefined && primary.standbyRegion !== config.region && config.region !== primary.region) {
    problems.push({
      key: "aws:region",
      value: config.region,
      message: `differs from the primary's standbyRegion ${primary.standbyRegion}; deploy the DR stack there, or change standbyRegion in the primary stack`,
    });
  }
  if (
    primary.dbEngineMode === "instance" &&
    STRATEGY_PROFILES[config.recovery.strategy].databaseCopy === "read-replica" &&
    config.recovery.rpoSeconds < HEARTBEAT_MIN_RPO_SECONDS
  ) {
    problems.push({
      key: key("recovery.rpoSeconds"),
      value: config.recovery.rpoSeconds,
      message: `is under ${HEARTBEAT_MIN_RPO_SECONDS} s: a read replica's lag alarm (threshold = the RPO) reads up to about 10 s plus the replication delay on an idle PostgreSQL database (recovery/heartbeat.ts), so it would flap; set at least ${HEARTBEAT_MIN_RPO_SECONDS} in both stacks, or use an Aurora global database`,
    });
  }
  if (config.app.port !== undefined && config.app.port !== primary.appPort) {
    problems.push({
      key: key("app.port"),
      value: config.app.port,
      message: `differs from the primary's ${primary.appPort}: the same app listens on the same port in both regions; remove it (the DR stack takes the primary's) or set ${primary.appPort}`,
    });
  }
  const app = missingAppProblem(primary, config.region);
  if (app !== undefined && config.region !== primary.region) problems.push({ key: `${config.primaryStack} output app`, value: undefined, message: app });
  if (cidrsOverlap(config.network.cidrBlock, primary.vpcCidrBlock)) {
    problems.push({
      key: key("network.cidrBlock"),
      value: config.network.cidrBlock,
      message: `overlaps the primary's ${primary.vpcCidrBlock}; pick a block that does not, e.g. 10.1.0.0/16`,
    });
  }
  if (config.app.instanceType !== primary.appInstanceType) {
    problems.push({
      key: key("app.instanceType"),
      value: config.app.instanceType,
      message: `differs from the primary's ${primary.appInstanceType}; use the same type so the DR tier can carry the primary's load`,
    });
  }
  if (config.app.maxSize < primary.appMaxSize) {
    problems.push({
      key: key("app.maxSize"),
      value: config.app.maxSize,
      message: `cannot hold the primary's load (primary maxSize ${primary.appMaxSize}); set it to at least ${primary.appMaxSize}`,
    });
  }
  if (config.recovery.strategy !== primary.strategy) {
    problems.push({
      key: key("recovery.strategy"),
      value: config.recovery.strategy,
      message: `differs from the primary's ${primary.strategy}; the pair has one strategy: set the same in both stacks`,
    });
  }
  if (primary.dbEngineMode === "aurora-global" && config.database.promoted) {
    problems.push({
      key: key("database.promoted"),
      value: true,
      message:
        "adopts a promoted RDS read replica; the primary runs an Aurora global database, whose failover changes no resource Pulumi manages (the secondary cluster stays in the global cluster); remove it",
    });
  }
  const retention = config.backup.retentionDays;
  const retentionProblem = config.backup.enabled && retention !== undefined ? continuousRetentionProblem(retention, primary.dbBackupRetentionDays) : undefined;
  if (retentionProblem)
    problems.push({ key: key("backup.retentionDays"), value: retention, message: `${retentionProblem}, or remove it (it defaults to the primary's)` });
  // After a failover the DR region's plan backs the promoted database up continuously (components/backupProtection.ts
  // promotedDatabaseArn), which sets its retention like the primary's: the DR stack must not set it back on every update.
  const backupRetention = retention ?? primary.dbBackupRetentionDays;
  if (config.backup.enabled && config.database.promoted && config.database.backupRetentionDays !== backupRetention) {
    problems.push({
      key: key("database.backupRetentionDays"),
      value: config.database.backupRetentionDays,
      message: `is ${config.database.backupRetentionDays} days but the promoted database is backed up continuously for ${backupRetention} days (backup.retentionDays): AWS Backup sets its retention to ${backupRetention} and every update would set it back; set database.backupRetentionDays to ${backupRetention}`,
    });
  }
  // The edge (docs/edge.md): the DR ALB is the distribution's second origin, over HTTPS only, and both sides share the primary's secret.
  problems.push(...drEdgeProblems(primary.edge ?? { enabled: false }, config.app));
  if (primary.edge?.enabled === true && primary.edgeOriginVerifySecret === undefined) {
    problems.push({
      key: `${config.primaryStack} output edgeOriginVerifySecret`,
      value: undefined,
      message: `is missing while the primary's edge.cloudFront is enabled: redeploy the primary with this version of the program (pulumi up -s ${config.primaryStack}) before the DR stack`,
    });
  }
  // The outage mode of a us-east-1 primary does not declare the edge (its control planes are down there: stacks/edge.ts buildEdge):
  // only a retained edge stays in AWS; one whose retainOnDelete was cleared to turn it off would be deleted with the app's aliases.
  if (
    config.outage.primaryRegionDown &&
    primary.region === CLOUDFRONT_CERTIFICATE_REGION &&
    primary.edge?.enabled === true &&
    primary.edge.retainInOutage === false
  ) {
    problems.push({
      key: key("outage.primaryRegionDown"),
      value: true,
      message:
        "is refused while the primary's edge.cloudFront has retainInOutage: false (the first round of turning the edge off): the outage mode would delete the " +
        "distribution now serving the DR region and the application name's aliases; set retainInOutage: true in the primary's stack file and deploy it first, " +
        'or finish turning the edge off (docs/edge.md, "Turning it off")',
    });
  }
  for (const target of ["rtoSeconds", "rpoSeconds", "objectRpoSeconds"] as const) {
    if (config.recovery[target] !== primary[target]) {
      problems.push({
        key: key(`recovery.${target}`),
        value: config.recovery[target],
        message: `differs from the primary's ${primary[target]}; declare the same target in both stacks`,
      });
    }
  }
  return problems;
}
