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
 * Restore metadata: AWS Backup Developer Guide, "Restoring an Amazon RDS database" and API Reference
 * StartRestoreJob (`Metadata`: string values; lists as JSON arrays, e.g. `VpcSecurityGroupIds`);
 * continuous recovery points take `RestoreTime` or `UseLatestRestorableTime`. Copies in another region are
 * snapshots without point-in-time restore ("Copy a backup").
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
import { CreateDBInstanceCommand, DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { RESTORE_TARGETS_OUTPUT, type RestoreSide, type RestoreTargets } from "../components/backupRules";
import { EXIT, explainAwsError, RunbookError } from "./errors";
import { formatDuration, type Output } from "./output";
import { isDbIdentifier, parseRestoreArguments, RESTORE_USAGE, type RestoreArguments } from "./restoreArguments";

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

/**
 * Chooses the recovery point: the one named; else, from a continuous point covering `toTime` (or
 * the latest restorable time); else the newest completed snapshot at or before `toTime` (or the newest).
 * @throws RunbookError (exit 1) when none qualifies, naming the vault, resource and time.
 */
export function chooseRecoveryPoint(
  points: RecoveryPointByBackupVault[],
  args: Pick<RestoreArguments, "toTime" | "recoveryPointArn">,
  context: { vaultName: string; region: string; resourceArn: string; now: Date },
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
  if (continuous && (!args.toTime || !continuous.CreationDate || args.toTime.getTime() >= continuous.CreationDate.getTime())) {
    return args.toTime ? { point: continuous, pointInTime: args.toTime, dataAsOf: args.toTime } : { point: continuous, pointInTime: "latest" };
  }
  const snapshots = usable
    .filter((point) => !isContinuous(point.RecoveryPointArn) && point.CreationDate !== undefined)
    .filter((point) => !args.toTime || (point.CreationDate as Date).getTime() <= args.toTime.getTime())
    .sort((a, b) => (b.CreationDate as Date).getTime() - (a.CreationDate as Date).getTime());
  if (snapshots.length === 0) {
    const when = args.toTime ? ` at or before ${args.toTime.toISOString()}` : "";
    throw new RunbookError(
      `No completed recovery point of ${context.resourceArn} in ${where}${when}: nothing was started. ` +
        `${usable.length === 0 ? "The vault holds none yet (the first copy arrives after the plan's first run)." : "Choose a later --to-time."} ` +
        "Try the other vault (--from dr or --from primary), or check the backup and copy jobs in the AWS Backup console.",
    );
  }
  return { point: snapshots[0], dataAsOf: snapshots[0].CreationDate as Date };
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

/** Keys of the source's metadata that name things of the source's region or that a new database must not inherit. */
const DROPPED_KEYS = [
  "AvailabilityZone",
  "AvailabilityZones",
  "GlobalClusterIdentifier",
  "DBClusterIdentifier",
  "DBInstanceIdentifier",
  "RestoreTime",
  "UseLatestRestorableTime",
];
/** Names of per-region groups the restore region may not have: dropped when the recovery point's region is not the source's. */
const REGIONAL_GROUP_KEYS = ["DBParameterGroupName", "DBClusterParameterGroupName", "OptionGroupName"];

/**
 * The StartRestoreJob metadata: the recovery point's own (GetRecoveryPointRestoreMetadata) with the
 * new identifier, the region's DB subnet group, security group (a JSON array) and key, and, for an
 * instance, the class and Multi-AZ; `RestoreTime` or `UseLatestRestorableTime` for a point in time.
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
  },
): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (DROPPED_KEYS.includes(key) || (options.crossRegion && REGIONAL_GROUP_KEYS.includes(key))) continue;
    metadata[key] = value;
  }
  if (options.cluster) {
    metadata.DBClusterIdentifier = options.name;
    delete metadata.MultiAZ;
  } else {
    metadata.DBInstanceIdentifier = options.name;
    metadata.MultiAZ = String(options.multiAz);
    if (options.instanceClass) metadata.DBInstanceClass = options.instanceClass;
  }
  metadata.DBSubnetGroupName = options.side.dbSubnetGroupName;
  metadata.VpcSecurityGroupIds = JSON.stringify([options.side.dbSecurityGroupId]);
  metadata.KmsKeyId = options.side.kmsKeyArn;
  if (options.pointInTime === "latest") metadata.UseLatestRestorableTime = "true";
  else if (options.pointInTime) metadata.RestoreTime = options.pointInTime.toISOString();
  return metadata;
}

/** Reads and checks the DR stack's `backupRestoreTargets`. @throws RunbookError (exit 1) naming what is missing. */
export async function loadRestoreTargets(
  args: Pick<RestoreArguments, "stack" | "outputsFile">,
  deps: Pick<RestoreDependencies, "stackOutputs" | "readFile">,
): Promise<RestoreTargets> {
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
  return targets as RestoreTargets;
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
          'restore there with database.restoreToTime and pulumi up (README, "Restore (backup-restore)"), or use --from primary.',
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
    const choice = chooseRecoveryPoint(points, args, { vaultName: side.vaultName, region: side.region, resourceArn: targets.database.arn, now: deps.now() });
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
    const metadata = restoreMetadata(sourceMetadata, {
      cluster,
      name,
      side,
      crossRegion: sourceRegion !== side.region,
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

    output.line("");
    output.line(`Restored: ${cluster ? "cluster" : "instance"} ${name} in ${side.region}, endpoint ${endpoint}, data as of ${asOf}.`);
    output.line("Next steps:");
    output.line(`  1. Check the data: connect to ${endpoint} (same master user; its secret is the source's) and verify the last writes you expect.`);
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
