/**
 * `npm run restore`: restores the primary database from AWS Backup into a NEW DB instance (or an
 * Aurora cluster and its writer) in either region, and prints its endpoint and the next steps.
 *
 * Steps: read the DR stack's `backupRestoreTargets` output (the Pulumi CLI, or `--outputs-file`);
 * list the database's recovery points in the chosen vault (ListRecoveryPointsByBackupVault); choose
 * the continuous one (primary vault, point-in-time restore) or the newest snapshot at or before
 * `--to-time`; read its restore metadata (GetRecoveryPointRestoreMetadata) and override the identifier,
 * the region's DB subnet group, security group and key, and Multi-AZ; confirm; StartRestoreJob; poll
 * DescribeRestoreJob until COMPLETED, FAILED or ABORTED or the timeout; for an Aurora cluster create the
 * writer instance (AWS Backup restores the cluster only: AWS Backup Developer Guide, "Restoring an Amazon
 * Aurora cluster"); wait for the database to be available and print its endpoint.
 *
 * Restore metadata: AWS Backup API Reference StartRestoreJob (`Metadata`: string values; lists as JSON
 * arrays, e.g. `VpcSecurityGroupIds`); the keys of each path are in `RESTORE_KEYS` with their sources.
 * Copies in another region are snapshots without point-in-time restore ("Copy a backup"). A restore in
 * the region that is not the source's gets that region's own parameter group (`regionParameterGroups`),
 * never RDS's default one, which does not require TLS. A `--to-time` outside the continuous backup's
 * restorable window (`restorableWindow`) is refused before anything is asked or started.
 *
 * `runRestore` takes its clients, outputs reader, clock, prompt and output as dependencies, so the
 * tests drive every step with aws-sdk-client-mock and no waiting.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  BackupClient,
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  ListRecoveryPointsByBackupVaultCommand,
  type RecoveryPointByBackupVault,
  StartRestoreJobCommand,
} from "@aws-sdk/client-backup";
import {
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { RESTORE_TARGETS_OUTPUT, type RestoreSide, type RestoreTargets } from "../components/backupRules";
import { EXIT, explainAwsError, RunbookError } from "./errors";
import { formatDuration, type Output } from "./output";
import { isDbIdentifier, parseRestoreArguments, RESTORE_USAGE, type RestoreArguments } from "./restoreArguments";
import { manageRestoredCredentials } from "./restoredCredentials";

/** Everything `runRestore` needs from the outside world. Times: `sleep` takes milliseconds. */
export interface RestoreDependencies {
  /** SDK clients for a region; tests return clients wrapped by aws-sdk-client-mock. */
  restoreClients: (region: string) => { backup: BackupClient; rds: RDSClient };
  /** The outputs of a Pulumi stack, as `pulumi stack output --json --stack <stack>` prints them. */
  stackOutputs: (stack: string) => Promise<Record<string, unknown>>;
  /** Reads a file (for `--outputs-file`). */
  readFile: (file: string) => string;
  output: Output;
  interactive: boolean;
  prompt: (question: string) => Promise<string>;
  now: () => Date;
  sleep: (milliseconds: number) => Promise<void>;
}

/** The Pulumi CLI as the outputs reader: `pulumi stack output --json --stack <stack>` in `projectDirectory`. */
export function pulumiStackOutputs(projectDirectory: string): (stack: string) => Promise<Record<string, unknown>> {
  return (stack) =>
    new Promise((resolve, reject) => {
      execFile("pulumi", ["stack", "output", "--json", "--stack", stack], { cwd: projectDirectory, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${error.message.split("\n")[0]}${stderr ? `: ${stderr.trim().split("\n").pop()}` : ""}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as Record<string, unknown>);
        } catch (parseError) {
          reject(parseError as Error);
        }
      });
    });
}

/** The states a restore job ends in (API Reference, DescribeRestoreJob `Status`). */
const FINAL_JOB_STATES = new Set(["COMPLETED", "FAILED", "ABORTED"]);
/** Recovery point states a restore can start from. */
const RESTORABLE_STATES = new Set(["COMPLETED", "AVAILABLE"]);

/** True for a continuous (point-in-time) recovery point: its ARN is `...:recovery-point:continuous:...`. */
export function isContinuous(recoveryPointArn: string | undefined): boolean {
  return (recoveryPointArn ?? "").includes(":recovery-point:continuous:");
}

/** The restore to perform: which recovery point, to which instant, and what it can lose. */
export interface RestoreChoice {
  point: RecoveryPointByBackupVault & { RecoveryPointArn: string };
  /** Point in time (continuous): the instant, or `latest`; snapshots restore their creation time. */
  pointInTime?: Date | "latest";
  /** The instant the restored data reflects (undefined for `latest`: within minutes of now). */
  dataAsOf?: Date;
}

/** The span a continuous recovery point can restore to (both ends included). */
export interface RestorableWindow {
  earliest: Date;
  latest: Date;
}

/** `window` as text for messages: `2026-03-04T12:00:00.000Z to 2026-03-14T11:55:00.000Z`. */
export function describeWindow(window: RestorableWindow): string {
  return `${window.earliest.toISOString()} to ${window.latest.toISOString()}`;
}

/**
 * Chooses the recovery point: the one named; else, from a continuous point whose restorable window
 * (`context.window`, when known; else from its creation) covers `toTime` (or the latest restorable
 * time); else the newest completed snapshot at or before `toTime` (or the newest).
 * @throws RunbookError (exit 1) when none qualifies, naming the vault, resource and time; when
 *   `toTime` is after the continuous point's latest restorable time, naming the window.
 */
export function chooseRecoveryPoint(
  points: RecoveryPointByBackupVault[],
  args: Pick<RestoreArguments, "toTime" | "recoveryPointArn">,
  context: { vaultName: string; region: string; resourceArn: string; now: Date; window?: RestorableWindow },
): RestoreChoice {
  const usable = points.filter(
    (point): point is RecoveryPointByBackupVault & { RecoveryPointArn: string } =>
      typeof point.RecoveryPointArn === "string" && RESTORABLE_STATES.has(point.Status ?? "") && point.ResourceArn === context.resourceArn,
  );
  const where = `vault ${context.vaultName} (${context.region})`;
  if (args.recoveryPointArn) {
    const named = usable.find((point) => point.RecoveryPointArn === args.recoveryPointArn);
    if (!named) {
      throw new RunbookError(
        `Recovery point ${args.recoveryPointArn} is not a completed recovery point of ${context.resourceArn} in ${where}: list them with ` +
          `aws backup list-recovery-points-by-backup-vault --backup-vault-name ${context.vaultName} --by-resource-arn ${context.resourceArn} --region ${context.region}`,
      );
    }
    return isContinuous(named.RecoveryPointArn)
      ? { point: named, pointInTime: "latest" }
      : { point: named, ...(named.CreationDate ? { dataAsOf: named.CreationDate } : {}) };
  }
  if (args.toTime && args.toTime.getTime() > context.now.getTime()) {
    throw new RunbookError(
      `--to-time ${args.toTime.toISOString()} is in the future (now ${context.now.toISOString()}): give a past time, or omit it for the latest`,
    );
  }
  const continuous = usable.find((point) => isContinuous(point.RecoveryPointArn));
  const window = continuous ? restorableWindowOf(continuous, context.window) : undefined;
  if (continuous && args.toTime && window?.latest && args.toTime.getTime() > window.latest.getTime()) {
    throw new RunbookError(
      `--to-time ${args.toTime.toISOString()} is after the latest restorable time of ${continuous.RecoveryPointArn}: its restorable window is ` +
        `${describeWindow(window as RestorableWindow)}. Give a time in that window, or omit --to-time for the latest. Nothing was started.`,
    );
  }
  if (continuous && (!args.toTime || !window?.earliest || args.toTime.getTime() >= window.earliest.getTime())) {
    return args.toTime ? { point: continuous, pointInTime: args.toTime, dataAsOf: args.toTime } : { point: continuous, pointInTime: "latest" };
  }
  const snapshots = usable
    .filter((point) => !isContinuous(point.RecoveryPointArn) && point.CreationDate !== undefined)
    .filter((point) => !args.toTime || (point.CreationDate as Date).getTime() <= args.toTime.getTime())
    .sort((a, b) => (b.CreationDate as Date).getTime() - (a.CreationDate as Date).getTime());
  if (snapshots.length === 0) {
    const when = args.toTime ? ` at or before ${args.toTime.toISOString()}` : "";
    const span = window?.earliest && window.latest ? ` The continuous backup's restorable window is ${describeWindow(window as RestorableWindow)}.` : "";
    throw new RunbookError(
      `No completed recovery point of ${context.resourceArn} in ${where}${when}: nothing was started.${span} ` +
        `${usable.length === 0 ? "The vault holds none yet (the first copy arrives after the plan's first run)." : "Choose a later --to-time."} ` +
        "Try the other vault (--from dr or --from primary), or check the backup and copy jobs in the AWS Backup console.",
    );
  }
  return { point: snapshots[0], dataAsOf: snapshots[0].CreationDate as Date };
}

/** The continuous point's window: RDS's (when known) starting no earlier than the point's creation. */
function restorableWindowOf(point: RecoveryPointByBackupVault, window: RestorableWindow | undefined): Partial<RestorableWindow> {
  const created = point.CreationDate;
  const earliest = window && created ? new Date(Math.max(window.earliest.getTime(), created.getTime())) : (window?.earliest ?? created);
  return { ...(earliest ? { earliest } : {}), ...(window ? { latest: window.latest } : {}) };
}

/** True when the protected database is an Aurora cluster (`...:cluster:<id>`). */
export function isClusterArn(databaseArn: string): boolean {
  return /:cluster:[^:]+$/.test(databaseArn);
}

/** The identifier at the end of an RDS ARN. */
function identifierOf(arn: string): string {
  return arn.split(":").pop() ?? "db";
}

/** Default identifier of the new database: `<source>-restore-<yyyymmddhhmm>` (UTC), at most 56 characters (room for `-writer`). */
export function defaultRestoreName(databaseArn: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:T]/g, "");
  const base = identifierOf(databaseArn)
    .slice(0, 56 - "-restore-".length - stamp.length)
    .replace(/-+$/, "");
  return `${base}-restore-${stamp}`;
}

/**
 * The metadata keys of each restore path that this command sets or must not pass on, with the page
 * that defines them. AWS Backup hands the metadata to the RDS restore call of the path, so the keys
 * are that call's parameters:
 * - instance from a snapshot: AWS Backup Developer Guide, "Restoring an Amazon RDS database"
 *   (https://docs.aws.amazon.com/aws-backup/latest/devguide/restoring-rds.html); RDS API Reference
 *   RestoreDBInstanceFromDBSnapshot: `DBInstanceIdentifier`, `DBInstanceClass`, `MultiAZ`,
 *   `DBSubnetGroupName`, `VpcSecurityGroupIds`, `DBParameterGroupName`, `OptionGroupName`;
 * - instance to a point in time (continuous backup): the same page; RDS API Reference
 *   RestoreDBInstanceToPointInTime: the same keys plus `RestoreTime` or `UseLatestRestorableTime`;
 * - Aurora cluster from a snapshot: AWS Backup Developer Guide, "Restoring an Amazon Aurora cluster"
 *   (https://docs.aws.amazon.com/aws-backup/latest/devguide/restoring-aur.html), whose options are those
 *   of RDS API Reference RestoreDBClusterFromSnapshot: `DBClusterIdentifier`, `DBSubnetGroupName`,
 *   `VpcSecurityGroupIds`, `KmsKeyId`, `DBClusterParameterGroupName`, `OptionGroupName`; no instance
 *   class, Multi-AZ or DB parameter group (AWS Backup restores the cluster only, the writer is created after);
 * - Aurora cluster to a point in time: the same page; RDS API Reference RestoreDBClusterToPointInTime
 *   (`RestoreDBClusterToPointInTimeMessage`): the cluster keys plus `RestoreToTime` or
 *   `UseLatestRestorableTime` (not `RestoreTime`, which is the instance call's).
 */
export const RESTORE_KEYS = {
  /** Point in time: the instant (ISO 8601 UTC), by path. */
  instanceRestoreTime: "RestoreTime",
  clusterRestoreTime: "RestoreToTime",
  /** Point in time: the latest restorable time, both paths. */
  latest: "UseLatestRestorableTime",
  /** Keys of one kind of database that the other kind's restore call does not take. */
  instanceOnly: ["DBInstanceIdentifier", "DBInstanceClass", "MultiAZ", "AvailabilityZone", "DBParameterGroupName", "RestoreTime"],
  clusterOnly: ["DBClusterIdentifier", "AvailabilityZones", "DBClusterParameterGroupName", "RestoreToTime"],
} as const;

/** Keys of the source's metadata that name things of the source's region or that a new database must not inherit. */
const DROPPED_KEYS = [
  "AvailabilityZone",
  "AvailabilityZones",
  "GlobalClusterIdentifier",
  "DBClusterIdentifier",
  "DBInstanceIdentifier",
  "RestoreTime",
  "RestoreToTime",
  "UseLatestRestorableTime",
];
/** Names of per-region groups the restore region may not have: dropped when the recovery point's region is not the source's. */
const REGIONAL_GROUP_KEYS = ["DBParameterGroupName", "DBClusterParameterGroupName", "OptionGroupName"];

/** The parameter group a restore in a region gets: the region's own, as its stack's database uses it. */
export interface RegionParameterGroups {
  /** DB parameter group (instances). */
  dbParameterGroupName?: string;
  /** DB cluster parameter group (Aurora). */
  dbClusterParameterGroupName?: string;
}

/**
 * The StartRestoreJob metadata: the recovery point's own (GetRecoveryPointRestoreMetadata) with the
 * new identifier, the region's DB subnet group, security group (a JSON array), key and (given) parameter
 * group, and, for an instance, the class and Multi-AZ; for a point in time `RestoreTime` (instance) or
 * `RestoreToTime` (cluster), or `UseLatestRestorableTime` (`RESTORE_KEYS`).
 */
export function restoreMetadata(
  source: Record<string, string>,
  options: {
    cluster: boolean;
    name: string;
    /** The region restored into, with its database network (checked before the restore starts). */
    side: RestoreSide & Required<Pick<RestoreSide, "dbSubnetGroupName" | "dbSecurityGroupId">>;
    crossRegion: boolean;
    instanceClass?: string;
    multiAz: boolean;
    pointInTime?: Date | "latest";
    /** The restore region's parameter group; required in practice across regions (the source's does not exist there). */
    parameterGroups?: RegionParameterGroups;
  },
): Record<string, string> {
  const metadata: Record<string, string> = {};
  const otherKind: readonly string[] = options.cluster ? RESTORE_KEYS.instanceOnly : RESTORE_KEYS.clusterOnly;
  for (const [key, value] of Object.entries(source)) {
    if (DROPPED_KEYS.includes(key) || otherKind.includes(key) || (options.crossRegion && REGIONAL_GROUP_KEYS.includes(key))) continue;
    metadata[key] = value;
  }
  if (options.cluster) {
    metadata.DBClusterIdentifier = options.name;
    if (options.parameterGroups?.dbClusterParameterGroupName) metadata.DBClusterParameterGroupName = options.parameterGroups.dbClusterParameterGroupName;
  } else {
    metadata.DBInstanceIdentifier = options.name;
    metadata.MultiAZ = String(options.multiAz);
    if (options.instanceClass) metadata.DBInstanceClass = options.instanceClass;
    if (options.parameterGroups?.dbParameterGroupName) metadata.DBParameterGroupName = options.parameterGroups.dbParameterGroupName;
  }
  metadata.DBSubnetGroupName = options.side.dbSubnetGroupName;
  metadata.VpcSecurityGroupIds = JSON.stringify([options.side.dbSecurityGroupId]);
  metadata.KmsKeyId = options.side.kmsKeyArn;
  if (options.pointInTime === "latest") metadata[RESTORE_KEYS.latest] = "true";
  else if (options.pointInTime)
    metadata[options.cluster ? RESTORE_KEYS.clusterRestoreTime : RESTORE_KEYS.instanceRestoreTime] = options.pointInTime.toISOString();
  return metadata;
}

/** The DR stack output naming the DR region's own database (replica, or restored database), whose parameter group a restore there takes. */
export const DR_DATABASE_OUTPUT = "replicaIdentifier";

/** The restore targets and, when the outputs name it, the DR region's own database (`DR_DATABASE_OUTPUT`). */
export type LoadedRestoreTargets = RestoreTargets & { drDatabaseIdentifier?: string };

/** Reads and checks the DR stack's `backupRestoreTargets`. @throws RunbookError (exit 1) naming what is missing. */
export async function loadRestoreTargets(
  args: Pick<RestoreArguments, "stack" | "outputsFile">,
  deps: Pick<RestoreDependencies, "stackOutputs" | "readFile">,
): Promise<LoadedRestoreTargets> {
  let outputs: Record<string, unknown>;
  const source = args.outputsFile ? args.outputsFile : `stack ${args.stack}`;
  try {
    outputs = args.outputsFile ? (JSON.parse(deps.readFile(args.outputsFile)) as Record<string, unknown>) : await deps.stackOutputs(args.stack);
  } catch (error) {
    throw new RunbookError(
      `Cannot read the outputs of ${source} (${(error as Error).message}). ` +
        (args.outputsFile
          ? "Pass the JSON printed by pulumi stack output --json --stack <dr stack>."
          : `Log in to the state backend (pulumi login) and select the project, or pass --outputs-file with the JSON of pulumi stack output --json --stack ${args.stack} saved earlier.`),
    );
  }
  const targets = (outputs?.[RESTORE_TARGETS_OUTPUT] ?? outputs) as Partial<RestoreTargets> | undefined;
  const missing: string[] = [];
  const need = (value: unknown, field: string) => (typeof value !== "string" || value === "") && missing.push(field);
  need(targets?.roleArn, "roleArn");
  need(targets?.database?.arn, "database.arn");
  for (const field of ["region", "vaultName", "kmsKeyArn", "dbSubnetGroupName", "dbSecurityGroupId"] as const)
    need(targets?.primary?.[field], `primary.${field}`);
  // A backup-restore DR region has no database network before a restore: its side names the vault only.
  for (const field of ["region", "vaultName", "kmsKeyArn"] as const) need(targets?.dr?.[field], `dr.${field}`);
  if (missing.length > 0) {
    throw new RunbookError(
      `The outputs of ${source} have no usable ${RESTORE_TARGETS_OUTPUT} (missing ${missing.join(", ")}): deploy the DR stack with backup.enabled true, ` +
        "or point --stack/--outputs-file at the DR stack.",
    );
  }
  const drDatabase = outputs?.[DR_DATABASE_OUTPUT];
  return { ...(targets as RestoreTargets), ...(typeof drDatabase === "string" && drDatabase !== "" ? { drDatabaseIdentifier: drDatabase } : {}) };
}

/**
 * The parameter group a restore into `side`'s region gets: the one the side names (`dbParameterGroupName`
 * / `dbClusterParameterGroupName`, when the stack exports them), else the one the region's own database
 * uses (DescribeDBInstances `DBParameterGroups`, DescribeDBClusters `DBClusterParameterGroup`), as the
 * database network comes from the same stack. Without one RDS would use its default group, which does
 * not require TLS (RDS API Reference, RestoreDBInstanceFromDBSnapshot `DBParameterGroupName`,
 * RestoreDBClusterFromSnapshot `DBClusterParameterGroupName`: "If this argument is omitted, the default ... is used").
 * @throws RunbookError (exit 1) when neither is known.
 */
export async function regionParameterGroups(
  rds: RDSClient,
  options: { cluster: boolean; side: RestoreSide & RegionParameterGroups; databaseIdentifier?: string },
): Promise<RegionParameterGroups> {
  const { cluster, side, databaseIdentifier } = options;
  if (cluster && side.dbClusterParameterGroupName) return { dbClusterParameterGroupName: side.dbClusterParameterGroupName };
  if (!cluster && side.dbParameterGroupName) return { dbParameterGroupName: side.dbParameterGroupName };
  const refuse = (why: string) =>
    new RunbookError(
      `${why}: a restore there without it would get RDS's default parameter group, which does not require TLS. Nothing was started. ` +
        `Read the outputs with the Pulumi CLI, or pass --outputs-file with the whole JSON of pulumi stack output --json --stack <dr stack> (it has ${DR_DATABASE_OUTPUT}).`,
    );
  if (!databaseIdentifier)
    throw refuse(`The DR stack's outputs name no database in ${side.region} (output ${DR_DATABASE_OUTPUT}) to take the parameter group from`);
  let name: string | undefined;
  try {
    if (cluster) {
      name = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: databaseIdentifier })))?.DBClusters?.[0]?.DBClusterParameterGroup;
    } else {
      const instance = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: databaseIdentifier })))?.DBInstances?.[0];
      name = instance?.DBParameterGroups?.[0]?.DBParameterGroupName;
    }
  } catch (error) {
    throw explainAwsError(error, { action: cluster ? "rds:DescribeDBClusters" : "rds:DescribeDBInstances", resource: databaseIdentifier, region: side.region });
  }
  if (!name) throw refuse(`${databaseIdentifier} in ${side.region} reports no ${cluster ? "DB cluster" : "DB"} parameter group`);
  return cluster ? { dbClusterParameterGroupName: name } : { dbParameterGroupName: name };
}

/** The errors RDS returns when the database (or its automated backups) is no longer there (RDS API Reference, Errors). */
const DATABASE_NOT_FOUND: ReadonlySet<string> = new Set(["DBInstanceNotFoundFault", "DBClusterNotFoundFault", "DBInstanceAutomatedBackupNotFoundFault"]);

/**
 * The window a continuous recovery point of the database can restore to. AWS Backup's recovery point
 * has no window (API Reference DescribeRecoveryPoint, ListRecoveryPointsByBackupVault: `CreationDate`
 * only); the continuous backup of RDS and Aurora is RDS's automated backup, whose window RDS reports:
 * DescribeDBInstanceAutomatedBackups `RestoreWindow` (`EarliestTime`, `LatestTime`) for an instance,
 * DescribeDBClusters `EarliestRestorableTime` and `LatestRestorableTime` for a cluster ("Restores ... to
 * any point in time before LatestRestorableTime for up to BackupRetentionPeriod days").
 * @returns undefined when RDS reports none (then only the recovery point's creation bounds the time).
 */
export async function restorableWindow(
  rds: RDSClient,
  options: { cluster: boolean; identifier: string; region: string },
): Promise<RestorableWindow | undefined> {
  const { cluster, identifier, region } = options;
  try {
    if (cluster) {
      const described = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })))?.DBClusters?.[0];
      return described?.EarliestRestorableTime && described.LatestRestorableTime
        ? { earliest: described.EarliestRestorableTime, latest: described.LatestRestorableTime }
        : undefined;
    }
    const backups = (await rds.send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: identifier })))?.DBInstanceAutomatedBackups ?? [];
    const backup = backups.find((candidate) => candidate.Status === "active") ?? backups[0];
    const window = backup?.RestoreWindow;
    return window?.EarliestTime && window.LatestTime ? { earliest: window.EarliestTime, latest: window.LatestTime } : undefined;
  } catch (error) {
    // A database deleted by mistake is a classic reason to restore: RDS no longer describes it (DescribeDBClusters,
    // and DescribeDBInstanceAutomatedBackups, whose DBInstanceIdentifier "must match the identifier of an existing
    // DB instance": RDS API Reference). Then only the recovery point's creation bounds the time.
    if (DATABASE_NOT_FOUND.has((error as { name?: string }).name ?? "")) return undefined;
    throw explainAwsError(error, {
      action: cluster ? "rds:DescribeDBClusters" : "rds:DescribeDBInstanceAutomatedBackups",
      resource: identifier,
      region,
    });
  }
}

async function listRecoveryPoints(backup: BackupClient, side: RestoreSide, resourceArn: string): Promise<RecoveryPointByBackupVault[]> {
  const points: RecoveryPointByBackupVault[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await backup.send(
        new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: side.vaultName, ByResourceArn: resourceArn, ...(token ? { NextToken: token } : {}) }),
      );
    } catch (error) {
      throw explainAwsError(error, { action: "backup:ListRecoveryPointsByBackupVault", resource: `vault ${side.vaultName}`, region: side.region });
    }
    points.push(...(page?.RecoveryPoints ?? []));
    token = page?.NextToken;
  } while (token);
  return points;
}

/** Polls until `done` returns a value or the deadline passes. @returns the value, or undefined at the deadline. */
async function pollUntil<T>(
  deps: Pick<RestoreDependencies, "now" | "sleep">,
  deadline: number,
  pollSeconds: number,
  done: () => Promise<T | undefined>,
): Promise<T | undefined> {
  for (;;) {
    const result = await done();
    if (result !== undefined) return result;
    if (deps.now().getTime() + pollSeconds * 1000 > deadline) return undefined;
    await deps.sleep(pollSeconds * 1000);
  }
}

/** The command that starts the restore a dry run describes. */
export function restoreStartCommand(args: RestoreArguments, name: string, recoveryPointArn: string): string {
  // A point in time is carried by --to-time; otherwise the chosen recovery point by its ARN, so the start restores what the dry run showed.
  const flags = [
    "--from",
    args.from,
    ...(args.toTime ? ["--to-time", args.toTime.toISOString()] : ["--recovery-point-arn", recoveryPointArn]),
    "--name",
    name,
    ...(args.instanceClass ? ["--instance-class", args.instanceClass] : []),
    ...(args.singleAz ? ["--single-az"] : []),
    ...(args.stack !== "dr" ? ["--stack", args.stack] : []),
    ...(args.outputsFile ? ["--outputs-file", args.outputsFile] : []),
  ];
  return `npm run restore -- ${flags.join(" ")}`;
}

/**
 * Runs `restore` for `argv` (the arguments after `restore`).
 * @returns the exit code: 0 restored or dry run, 1 refused (nothing started), 2 the restore failed, was aborted or timed out.
 * @throws only unexpected errors (bugs).
 */
export async function runRestore(argv: readonly string[], deps: RestoreDependencies): Promise<number> {
  const { output } = deps;
  try {
    const command = parseRestoreArguments(argv);
    if (command.kind === "help") {
      output.line(RESTORE_USAGE);
      return EXIT.succeeded;
    }
    const args = command.arguments;
    const targets = await loadRestoreTargets(args, deps);
    const chosen = targets[args.from];
    const { dbSubnetGroupName, dbSecurityGroupId } = chosen;
    if (!dbSubnetGroupName || !dbSecurityGroupId) {
      throw new RunbookError(
        `The ${args.from} region (${chosen.region}) has no database subnet group and security group yet (a backup-restore DR region before a restore): ` +
          'restore there with database.restoreToTime and pulumi up (docs/runbook.md, "Restore (backup-restore)"), or use --from primary.',
      );
    }
    const side = { ...chosen, dbSubnetGroupName, dbSecurityGroupId };
    if (args.region && args.region !== side.region) {
      throw new RunbookError(
        `--region ${args.region} is not the region of the ${args.from} vault (${side.region}): --from ${args.from} restores into ${side.region}. ` +
          `Use --from ${args.from === "dr" ? "primary" : "dr"} for the other region, or drop --region.`,
      );
    }
    const pointRegion = args.recoveryPointArn?.split(":")[3];
    if (pointRegion && pointRegion !== side.region) {
      throw new RunbookError(
        `--recovery-point-arn is in ${pointRegion} but the ${args.from} vault is in ${side.region}: use --from ${args.from === "dr" ? "primary" : "dr"}`,
      );
    }
    const cluster = isClusterArn(targets.database.arn);
    const name = args.name ?? defaultRestoreName(targets.database.arn, deps.now());
    if (cluster && name.length > 56)
      throw new RunbookError(`--name ${name} is too long for a cluster: at most 56 characters, to leave room for the writer's "-writer"`);
    if (!isDbIdentifier(name)) throw new RunbookError(`The identifier ${name} is not a valid RDS identifier: pass --name`);
    const confirmation = `restore ${name}`;
    if (!args.dryRun && !args.yes && !deps.interactive) {
      throw new RunbookError(
        `Refusing to restore without confirmation: stdin is not a terminal, so "${confirmation}" cannot be typed. Run it from a terminal, or pass --yes. Nothing was started.`,
      );
    }

    const { backup, rds } = deps.restoreClients(side.region);
    const points = await listRecoveryPoints(backup, side, targets.database.arn);
    // A point in time must lie in the continuous backup's window: ask RDS for it before anything is confirmed.
    const continuousHere = points.some((point) => isContinuous(point.RecoveryPointArn) && point.ResourceArn === targets.database.arn);
    const window =
      args.toTime && continuousHere && args.toTime.getTime() <= deps.now().getTime()
        ? await restorableWindow(rds, { cluster, identifier: identifierOf(targets.database.arn), region: side.region })
        : undefined;
    const choice = chooseRecoveryPoint(points, args, {
      vaultName: side.vaultName,
      region: side.region,
      resourceArn: targets.database.arn,
      now: deps.now(),
      ...(window ? { window } : {}),
    });
    let sourceMetadata: Record<string, string>;
    try {
      const answer = await backup.send(
        new GetRecoveryPointRestoreMetadataCommand({ BackupVaultName: side.vaultName, RecoveryPointArn: choice.point.RecoveryPointArn }),
      );
      sourceMetadata = answer?.RestoreMetadata ?? {};
    } catch (error) {
      throw explainAwsError(error, { action: "backup:GetRecoveryPointRestoreMetadata", resource: choice.point.RecoveryPointArn, region: side.region });
    }
    const sourceRegion = targets.database.arn.split(":")[3];
    const crossRegion = sourceRegion !== side.region;
    // Across regions the source's parameter group does not exist: take the restore region's own (the DR stack's database's).
    const parameterGroups = crossRegion
      ? await regionParameterGroups(rds, {
          cluster,
          side,
          ...(args.from === "dr" && targets.drDatabaseIdentifier ? { databaseIdentifier: targets.drDatabaseIdentifier } : {}),
        })
      : undefined;
    const metadata = restoreMetadata(sourceMetadata, {
      cluster,
      name,
      side,
      crossRegion,
      ...(parameterGroups ? { parameterGroups } : {}),
      ...(args.instanceClass ? { instanceClass: args.instanceClass } : {}),
      multiAz: targets.database.multiAz && !args.singleAz,
      ...(choice.pointInTime ? { pointInTime: choice.pointInTime } : {}),
    });

    const now = deps.now();
    const asOf =
      choice.pointInTime === "latest"
        ? "the latest restorable time (typically within 5 minutes of now)"
        : `${choice.dataAsOf?.toISOString() ?? "unknown"}${choice.dataAsOf ? ` (${formatDuration(now.getTime() - choice.dataAsOf.getTime())} before now: writes after it are not in the restore)` : ""}`;
    output.line(`${args.dryRun ? "DRY RUN: nothing will be started. " : ""}Restore of ${targets.database.arn}`);
    output.line(`  ${"from".padEnd(16)} ${args.from} vault ${side.vaultName} in ${side.region}`);
    output.line(
      `  ${"recovery point".padEnd(16)} ${choice.point.RecoveryPointArn} (${isContinuous(choice.point.RecoveryPointArn) ? "continuous" : "snapshot"})`,
    );
    output.line(`  ${"data as of".padEnd(16)} ${asOf}`);
    if (window && choice.pointInTime) output.line(`  ${"restorable".padEnd(16)} ${describeWindow(window)}`);
    output.line(
      `  ${"new".padEnd(16)} ${cluster ? "Aurora DB cluster" : "DB instance"} ${name} in ${side.region}${cluster ? ` with writer ${name}-writer` : ""}`,
    );
    output.line(`  ${"metadata".padEnd(16)} ${JSON.stringify(metadata)}`);
    if (args.dryRun) {
      output.line("");
      output.line(`To start it: ${restoreStartCommand(args, name, choice.point.RecoveryPointArn)}`);
      return EXIT.succeeded;
    }
    if (!args.yes) {
      const answer = (await deps.prompt(`Type "${confirmation}" to start it (anything else cancels): `)).trim();
      if (answer !== confirmation) throw new RunbookError(`Not confirmed (expected "${confirmation}"): nothing was started.`);
    }

    let jobId: string | undefined;
    try {
      const started = await backup.send(
        new StartRestoreJobCommand({
          RecoveryPointArn: choice.point.RecoveryPointArn,
          Metadata: metadata,
          IamRoleArn: targets.roleArn,
          IdempotencyToken: confirmation,
        }),
      );
      jobId = started?.RestoreJobId;
    } catch (error) {
      throw explainAwsError(error, { action: "backup:StartRestoreJob", resource: choice.point.RecoveryPointArn, region: side.region });
    }
    if (!jobId) throw new RunbookError(`StartRestoreJob of ${choice.point.RecoveryPointArn} returned no restore job id`);
    output.line(`Started restore job ${jobId} in ${side.region}; following it every ${args.pollSeconds} s (Ctrl-C stops following, not the restore).`);

    const started = deps.now().getTime();
    const deadline = started + args.timeoutMinutes * 60_000;
    const stillRunning = (what: string) =>
      new RunbookError(
        `${what} after ${args.timeoutMinutes} min; it goes on. Follow it with aws backup describe-restore-job --restore-job-id ${jobId} --region ${side.region}` +
          `${cluster ? `, then create the writer: aws rds create-db-instance --db-instance-identifier ${name}-writer --db-cluster-identifier ${name} --engine <engine> --db-instance-class <class> --region ${side.region}` : ""}.`,
        EXIT.executionFailed,
      );
    const job = await pollUntil(deps, deadline, args.pollSeconds, async () => {
      let described;
      try {
        described = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: jobId }));
      } catch (error) {
        throw explainAwsError(error, { action: "backup:DescribeRestoreJob", resource: `restore job ${jobId}`, region: side.region });
      }
      output.progress(`restore job ${jobId}: ${described?.Status ?? "unknown"} ${described?.PercentDone ?? ""}`);
      return FINAL_JOB_STATES.has(described?.Status ?? "") ? described : undefined;
    });
    if (!job) throw stillRunning(`Restore job ${jobId} is still running`);
    if (job.Status !== "COMPLETED") {
      throw new RunbookError(
        `Restore job ${jobId} ${job.Status}: ${job.StatusMessage ?? "no message"}. Nothing usable was created; fix the cause (see the message) and run the restore again.`,
        EXIT.executionFailed,
      );
    }
    output.line(`Restore job ${jobId} COMPLETED after ${formatDuration(deps.now().getTime() - started)}: ${job.CreatedResourceArn ?? name}`);

    if (cluster) {
      const engine = metadata.Engine ?? (targets.database.engine.startsWith("aurora") ? targets.database.engine : `aurora-${targets.database.engine}`);
      const instanceClass = args.instanceClass ?? targets.database.instanceClass;
      try {
        await rds.send(
          new CreateDBInstanceCommand({ DBInstanceIdentifier: `${name}-writer`, DBClusterIdentifier: name, Engine: engine, DBInstanceClass: instanceClass }),
        );
      } catch (error) {
        throw explainAwsError(error, { action: "rds:CreateDBInstance", resource: `${name}-writer in cluster ${name}`, region: side.region });
      }
      output.line(`Creating the writer ${name}-writer (${instanceClass}) in cluster ${name}.`);
    }
    const instanceId = cluster ? `${name}-writer` : name;
    const endpoint = await pollUntil(deps, deadline, args.pollSeconds, async () => {
      let instance;
      try {
        instance = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId })))?.DBInstances?.[0];
      } catch (error) {
        throw explainAwsError(error, { action: "rds:DescribeDBInstances", resource: instanceId, region: side.region });
      }
      output.progress(`${instanceId}: ${instance?.DBInstanceStatus ?? "unknown"}`);
      if (instance?.DBInstanceStatus !== "available") return undefined;
      if (!cluster) return `${instance.Endpoint?.Address ?? "unknown"}:${instance.Endpoint?.Port ?? ""}`;
      try {
        const described = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: name })))?.DBClusters?.[0];
        return `${described?.Endpoint ?? "unknown"}:${described?.Port ?? ""}`;
      } catch (error) {
        throw explainAwsError(error, { action: "rds:DescribeDBClusters", resource: name, region: side.region });
      }
    });
    if (!endpoint) throw stillRunning(`${instanceId} is not available yet`);

    const deleteCommand = `aws rds delete-${cluster ? "db-cluster --db-cluster-identifier" : "db-instance --db-instance-identifier"} ${name} --region ${side.region}${cluster ? ", after its writer" : ""}`;
    output.line(
      `${cluster ? "Cluster" : "Instance"} ${name} is available at ${endpoint} (it exists now: delete it with ${deleteCommand} if you do not keep it).`,
    );

    // Its credentials: a new master password managed by RDS in this region (runbook/restoredCredentials.ts).
    output.line(`Giving ${name} an RDS-managed master password in ${side.region} (the restore point's password has its secret in the source's region only).`);
    const credentialsUnfinished = (what: string) =>
      new RunbookError(
        `${what}. The database exists (${endpoint}); give it credentials with aws rds ${cluster ? "modify-db-cluster --db-cluster-identifier" : "modify-db-instance --db-instance-identifier"} ${name} --manage-master-user-password --master-user-secret-kms-key-id ${side.kmsKeyArn} --apply-immediately --region ${side.region}, or delete it (${deleteCommand}).`,
        EXIT.executionFailed,
      );
    let secretArn: string | undefined;
    try {
      secretArn = await manageRestoredCredentials(rds, { cluster, identifier: name, region: side.region, kmsKeyArn: side.kmsKeyArn }, (check) =>
        pollUntil(deps, deadline, args.pollSeconds, check),
      );
    } catch (error) {
      throw credentialsUnfinished(`Giving ${name} a master password in ${side.region} failed: ${(error as Error).message}`);
    }
    if (!secretArn)
      throw credentialsUnfinished(`The master user secret of ${name} was not active, or the database not available again, after ${args.timeoutMinutes} min`);

    output.line("");
    output.line(`Restored: ${cluster ? "cluster" : "instance"} ${name} in ${side.region}, endpoint ${endpoint}, data as of ${asOf}.`);
    output.line("Next steps:");
    output.line(
      `  1. Check the data: connect to ${endpoint} as the master user with the password in ${secretArn} (${side.region}; a new password, the source's secret does not apply) and verify the last writes you expect.`,
    );
    output.line(
      "  2. Point the application at it: either move the stable database name (the DR stack's databaseStableName, a private CNAME) to " +
        `${endpoint.split(":")[0]} and restart the app tier, or adopt the database in the stack of ${side.region} (pulumi import, or the restore configuration) and pulumi up.`,
    );
    output.line(
      `  3. ${name} belongs to no stack and no backup plan yet: add it (step 2) before it takes writes, or delete it after a drill ` +
        `(aws rds delete-${cluster ? "db-cluster --db-cluster-identifier" : "db-instance --db-instance-identifier"} ${name} --region ${side.region}${cluster ? ", after its writer" : ""}).`,
    );
    return EXIT.succeeded;
  } catch (error) {
    if (error instanceof RunbookError) {
      output.error(error.message);
      return error.exitCode;
    }
    throw error;
  }
}

/** The real world for `runRestore`: SDK clients with the default credential chain and the Pulumi CLI. */
export function restoreServices(projectDirectory: string): Pick<RestoreDependencies, "restoreClients" | "stackOutputs" | "readFile"> {
  return {
    restoreClients: (region) => ({ backup: new BackupClient({ region }), rds: new RDSClient({ region }) }),
    stackOutputs: pulumiStackOutputs(projectDirectory),
    readFile: (file) => readFileSync(path.resolve(file), "utf8"),
  };
}
