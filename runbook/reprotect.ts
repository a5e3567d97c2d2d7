/**
 * `npm run reprotect`: after an unplanned failover (instance mode), makes the primary region protected
 * again: its database becomes a cross-region read replica of the promoted DR database, which failback
 * needs first (docs/runbook.md, "Failback"; stacks/primary.ts, `database.replicaSourceArn`).
 *
 * Steps:
 * 1. Read the DR stack's outputs (`pulumi stack output --json`, or `--outputs-file`): role `dr`,
 *    `databasePromoted: true`, `replicaArn` (the promoted DR database), `primaryRegion`, `primaryStack`,
 *    `replicaSourceArn` (the old primary database).
 * 2. Check with the AWS SDK (read-only): the DR database is `available` and standalone; the primary
 *    region answers (DescribeDBInstances of the old primary there: a timeout or connection error means
 *    "re-run once it is back", nothing changed). Already re-protected (the old primary is a replica of
 *    the DR database, or the DR database lists a replica in the primary region): say so, exit 0.
 * 3. Read the primary stack (`pulumi stack export`, `pulumi config --json`): the URN of the
 *    `aws:rds/instance:Instance` whose output `arn` is the old primary's, and its dependents.
 * 4. After confirmation: CreateDBSnapshot of the old primary (unless `--no-snapshot`), waiting until
 *    it is available or `--snapshot-timeout-minutes`; remove the old database from the primary stack's
 *    state without deleting it; set `database.replicaSourceArn` (and remove `database.promoted`) in the
 *    primary stack's config; with `--up`, `pulumi up` of the primary stack.
 *
 * Removing from state: `pulumi state delete` refuses a resource that other resources depend on
 * ("Resources can't be deleted if other resources depend on it or are parented to it", Pulumi CLI docs,
 * pulumi state delete; pulumi/pulumi pkg/resource/edit/operations.go DeleteResource returns
 * ResourceHasDependenciesError), and `--target-dependents` would drop the dependents from state too,
 * whose next `pulumi up` would then create duplicates of resources that still exist. The primary stack
 * always has dependents (the stable database name's record takes the instance's address; the heartbeat
 * its identifier and ARN), so when there are any the step is the documented alternative: `pulumi stack
 * export`, remove the resource and every reference to it (`dependencies`, `propertyDependencies`,
 * `deletedWith`), `pulumi stack import` ("A deployment that was exported from a stack using pulumi stack
 * export and hand-edited ... can be reimported", Pulumi CLI docs, pulumi stack import). The next `pulumi
 * up` then creates the replica and updates the dependents to it. The export is kept in a private
 * directory (mode 0700) to undo with `pulumi stack import --file`. With no dependents, `pulumi state
 * unprotect` and `pulumi state delete`, as docs/runbook.md ("Failback") describes.
 *
 * Every external command goes through `ReprotectDependencies.run` (`node:child_process` execFile, no
 * shell, by default), so tests drive a fake Pulumi CLI; the AWS SDK clients are injected too.
 *
 * Aurora global database: the failover is Aurora's managed one, which re-adds the old primary cluster
 * as a secondary once its region is healthy (recovery/failover.ts). This command reads
 * DescribeGlobalClusters in the DR region and says whether that happened; it changes nothing.
 *
 * Exit codes (runbook/errors.ts): 0 re-protected, already re-protected, dry run, or the Aurora cluster
 * is a member again; 1 refused (bad arguments or outputs, a check failed, the primary region does not
 * answer, the Aurora cluster is not a member yet, not confirmed): nothing changed; 2 a step failed
 * after changes began: what was done and what is left to do are printed.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CreateDBSnapshotCommand,
  type DBInstance,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeGlobalClustersCommand,
  type GlobalCluster,
  RDSClient,
} from "@aws-sdk/client-rds";
import { PROJECT_NAME } from "../config/conventions";
import { awsErrorName, EXIT, explainAwsError, RunbookError } from "./errors";
import { formatDuration, type Output } from "./output";
import { parseReprotectArguments, REPROTECT_USAGE, type ReprotectArguments } from "./reprotectArguments";

/** What a command printed and how it ended. `code` is the exit status (non-zero: failed). */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs an external command without a shell. `options.stream`: also show its output as it comes (for
 * `pulumi up`, which runs for minutes to hours). Resolves with the exit code; rejects only when the
 * command cannot be started at all (not installed).
 */
export type CommandRunner = (command: string, args: readonly string[], options?: { stream?: boolean }) => Promise<CommandResult>;

/** Everything `runReprotect` needs from the outside world. Times: `sleep` takes milliseconds. */
export interface ReprotectDependencies {
  /** An RDS client for a region; tests return clients wrapped by aws-sdk-client-mock. */
  rds: (region: string) => RDSClient;
  /** The external commands (the Pulumi CLI). */
  run: CommandRunner;
  /** Reads a file (for `--outputs-file`). */
  readFile: (file: string) => string;
  /** Writes a file (the primary stack's exported state, before and after the edit). */
  writeFile: (file: string, text: string) => void;
  /** A new private directory for the exported state files. */
  stateDirectory: () => string;
  output: Output;
  interactive: boolean;
  prompt: (question: string) => Promise<string>;
  now: () => Date;
  sleep: (milliseconds: number) => Promise<void>;
}

/** The Pulumi type token of an RDS DB instance (@pulumi/aws `aws.rds.Instance`). */
export const RDS_INSTANCE_TYPE = "aws:rds/instance:Instance";
/** The primary stack's config key (config/schema.ts `database.replicaSourceArn`). */
export const REPLICA_SOURCE_KEY = `${PROJECT_NAME}:database.replicaSourceArn`;
export const PROMOTED_KEY = `${PROJECT_NAME}:database.promoted`;
const DATABASE_KEY = `${PROJECT_NAME}:database`;
/** What the confirmation prompt wants typed. */
export const CONFIRMATION = "reprotect";

/**
 * An RDS DB instance ARN, `arn:<partition>:rds:<region>:<account>:db:<identifier>`; the same shape as
 * config/schema.ts requires of `database.replicaSourceArn`, so the value set is one the stack accepts.
 */
const DB_INSTANCE_ARN = /^arn:aws[a-z-]*:rds:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:db:([A-Za-z][A-Za-z0-9-]*)$/;
/** An Aurora DB cluster ARN, `arn:<partition>:rds:<region>:<account>:cluster:<identifier>`. */
const DB_CLUSTER_ARN = /^arn:aws[a-z-]*:rds:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:cluster:([A-Za-z][A-Za-z0-9-]*)$/;

/** The region and identifier of a DB instance ARN, or undefined when it is not one. */
export function parseDbInstanceArn(arn: string): { region: string; identifier: string } | undefined {
  const match = DB_INSTANCE_ARN.exec(arn);
  return match ? { region: match[1], identifier: match[2] } : undefined;
}

/**
 * The snapshot's identifier: `<instance>-before-reprotect-<yyyymmddhhmm>` (UTC). RDS API Reference,
 * CreateDBSnapshot `DBSnapshotIdentifier`: 1 to 255 letters, numbers or hyphens, a letter first, no
 * trailing hyphen and no two consecutive hyphens; an instance identifier (at most 63 characters, same
 * rules) plus 30 characters satisfies all of them.
 */
export function reprotectSnapshotIdentifier(instanceIdentifier: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-T:]/g, "");
  return `${instanceIdentifier}-before-reprotect-${stamp}`;
}

/**
 * Errors that mean "the region did not answer": the AWS SDK's own transient classes (@smithy/core
 * retry, `isTransientError`: `TimeoutError`, `RequestTimeout`, `RequestTimeoutException`; Node.js codes
 * ECONNRESET, ECONNREFUSED, EPIPE, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ENOTFOUND, EAI_AGAIN; HTTP 500,
 * 502, 503, 504), which the SDK has already retried by the time they reach us.
 */
const UNREACHABLE_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const UNREACHABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
const UNREACHABLE_STATUS = new Set([500, 502, 503, 504]);

/** True when `error` says the region's endpoint did not answer (see `UNREACHABLE_NAMES`). */
export function isRegionUnreachable(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const { name, code, $metadata } = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  return UNREACHABLE_NAMES.has(name ?? "") || UNREACHABLE_CODES.has(code ?? "") || UNREACHABLE_STATUS.has($metadata?.httpStatusCode ?? 0);
}

/**
 * DBSnapshot `Status` values of the RDS service model's `DBSnapshotAvailable` waiter (the AWS SDK's
 * waitUntilDBSnapshotAvailable): success when `available`; failure when one of these.
 */
const SNAPSHOT_FAILED = new Set(["deleted", "deleting", "failed", "incompatible-restore", "incompatible-parameters"]);

/** `arg` quoted for a POSIX shell when it needs it (URNs hold `$` and `::`), for the commands we print. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line as an operator would type it. */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(shellQuote).join(" ");
}

// ---------------------------------------------------------------------------------------------------
// The primary stack's state (`pulumi stack export`): finding the instance and removing it.

/** A resource of an exported deployment (Pulumi apitype ResourceV3: the fields this module reads). */
interface ExportedResource {
  urn?: string;
  type?: string;
  outputs?: Record<string, unknown>;
  parent?: string;
  protect?: boolean;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  deletedWith?: string;
  [field: string]: unknown;
}

/** The resources of `pulumi stack export`'s JSON (`{ version, deployment: { resources } }`). @throws RunbookError when it is not one. */
function exportedResources(exported: unknown, stack: string): ExportedResource[] {
  const resources = (exported as { deployment?: { resources?: unknown } } | undefined)?.deployment?.resources;
  if (resources === undefined) return [];
  if (!Array.isArray(resources)) throw new RunbookError(`pulumi stack export --stack ${stack} printed no deployment.resources list: is it a Pulumi stack?`);
  return resources as ExportedResource[];
}

/** The URNs of the `aws:rds/instance:Instance` resources whose output `arn` is `arn`. */
export function findInstanceUrns(exported: unknown, arn: string, stack: string): string[] {
  return exportedResources(exported, stack)
    .filter((resource) => resource.type === RDS_INSTANCE_TYPE && resource.outputs?.arn === arn && typeof resource.urn === "string")
    .map((resource) => resource.urn as string);
}

/** Whether `resource` refers to `urn` in a way Pulumi's dependency graph counts (parent, dependencies, property dependencies, deletedWith). */
function refersTo(resource: ExportedResource, urn: string): boolean {
  return (
    resource.parent === urn ||
    (resource.dependencies ?? []).includes(urn) ||
    Object.values(resource.propertyDependencies ?? {}).some((urns) => urns.includes(urn)) ||
    resource.deletedWith === urn
  );
}

/** The URNs of the resources that refer to `urn` (what makes `pulumi state delete` refuse it). */
export function dependentsOf(exported: unknown, urn: string, stack: string): string[] {
  return exportedResources(exported, stack)
    .filter((resource) => resource.urn !== urn && refersTo(resource, urn))
    .map((resource) => resource.urn ?? "(no urn)");
}

/**
 * The exported deployment without the resource `urn` and without any reference to it: removed from
 * other resources' `dependencies` and `propertyDependencies`, and their `deletedWith` dropped. The
 * input is not modified.
 * @throws RunbookError when `urn` is not exactly once in it, or a resource is parented to it (its
 *   children would have no parent: never the case for an RDS instance).
 */
export function deploymentWithout(exported: unknown, urn: string, stack: string): unknown {
  const copy = structuredClone(exported) as { deployment: { resources: ExportedResource[] } };
  const resources = exportedResources(copy, stack);
  const count = resources.filter((resource) => resource.urn === urn).length;
  if (count !== 1) throw new RunbookError(`${urn} is ${count === 0 ? "no longer" : `${count} times`} in the state of ${stack}`);
  const children = resources.filter((resource) => resource.parent === urn).map((resource) => resource.urn);
  if (children.length > 0) throw new RunbookError(`${urn} has children in the state of ${stack} (${children.join(", ")}): remove it by hand`);
  copy.deployment.resources = resources
    .filter((resource) => resource.urn !== urn)
    .map((resource) => {
      if (!refersTo(resource, urn)) return resource;
      const edited: ExportedResource = { ...resource };
      if (edited.dependencies) edited.dependencies = edited.dependencies.filter((dependency) => dependency !== urn);
      if (edited.propertyDependencies) {
        edited.propertyDependencies = Object.fromEntries(
          Object.entries(edited.propertyDependencies).map(([property, urns]) => [property, urns.filter((dependency) => dependency !== urn)]),
        );
      }
      if (edited.deletedWith === urn) delete edited.deletedWith;
      return edited;
    });
  return copy;
}

// ---------------------------------------------------------------------------------------------------
// Reading the DR stack's outputs and the primary stack's config.

/** What the command needs from the DR stack's outputs. */
export interface ReprotectOutputs {
  engineMode: "instance" | "aurora-global";
  /** The promoted DR database (instance) or the DR cluster (aurora-global). */
  drArn?: string;
  /** The old primary database (instance) or the primary cluster (aurora-global). */
  oldPrimaryArn: string;
  primaryRegion: string;
  primaryStack: string;
  promoted: boolean;
}

async function readDrOutputs(args: ReprotectArguments, deps: Pick<ReprotectDependencies, "run" | "readFile">): Promise<Record<string, unknown>> {
  const source = args.outputsFile ?? `stack ${args.stack}`;
  const hint = args.outputsFile
    ? "Pass the JSON printed by pulumi stack output --json --stack <dr stack>."
    : `Log in to the state backend (pulumi login) and select the project, or pass --outputs-file with the JSON of pulumi stack output --json --stack ${args.stack} saved earlier.`;
  let text: string;
  if (args.outputsFile) {
    try {
      text = deps.readFile(args.outputsFile);
    } catch (error) {
      throw new RunbookError(`Cannot read the outputs of ${source} (${(error as Error).message}). ${hint}`);
    }
  } else {
    const result = await runCommand(deps, ["stack", "output", "--json", "--stack", args.stack]);
    if (result.code !== 0) throw new RunbookError(`Cannot read the outputs of ${source} (${lastLine(result)}). ${hint}`);
    text = result.stdout;
  }
  try {
    const outputs = JSON.parse(text) as unknown;
    if (!outputs || typeof outputs !== "object" || Array.isArray(outputs)) throw new Error("not a JSON object");
    return outputs as Record<string, unknown>;
  } catch (error) {
    throw new RunbookError(`Cannot read the outputs of ${source} (${(error as Error).message}). ${hint}`);
  }
}

/**
 * Checks the DR stack's outputs.
 * @throws RunbookError (exit 1) naming the output: not role dr, not promoted (instance mode), missing
 *   or malformed ARNs, region or stack.
 */
export function checkDrOutputs(outputs: Record<string, unknown>, source: string): ReprotectOutputs {
  if (outputs.role !== "dr") {
    throw new RunbookError(`The outputs of ${source} have role ${JSON.stringify(outputs.role)}, not "dr": point --stack/--outputs-file at the DR stack.`);
  }
  const engineMode = outputs.dbEngineMode === "aurora-global" ? "aurora-global" : "instance";
  const text = (name: string): string | undefined => (typeof outputs[name] === "string" && outputs[name] !== "" ? (outputs[name] as string) : undefined);
  const promoted = outputs.databasePromoted === true;
  if (engineMode === "instance" && !promoted) {
    throw new RunbookError(
      `The DR database was not promoted: nothing to re-protect (output databasePromoted of ${source} is ${JSON.stringify(outputs.databasePromoted ?? null)}). ` +
        "After a failover, set multi-region-dr:database: { promoted: true } in the DR stack's file and pulumi up -s dr --refresh first (docs/runbook.md, Failover).",
    );
  }
  const missing = ["replicaSourceArn", "primaryRegion", "primaryStack", ...(engineMode === "instance" ? ["replicaArn"] : [])].filter((name) => !text(name));
  if (missing.length > 0) {
    throw new RunbookError(
      `The outputs of ${source} have no ${missing.join(", ")}: deploy the DR stack (pulumi up -s dr), or point --stack/--outputs-file at it.`,
    );
  }
  const arnShape = engineMode === "instance" ? DB_INSTANCE_ARN : DB_CLUSTER_ARN;
  const shape = engineMode === "instance" ? "arn:aws:rds:<region>:<account>:db:<id>" : "arn:aws:rds:<region>:<account>:cluster:<id>";
  for (const name of ["replicaSourceArn", ...(engineMode === "instance" || text("replicaArn") ? ["replicaArn"] : [])]) {
    if (!arnShape.test(text(name) as string)) throw new RunbookError(`Output ${name} of ${source} is ${text(name)}, not ${shape}`);
  }
  const oldPrimaryArn = text("replicaSourceArn") as string;
  const primaryRegion = text("primaryRegion") as string;
  const oldRegion = arnShape.exec(oldPrimaryArn)?.[1];
  if (oldRegion !== primaryRegion) {
    throw new RunbookError(
      `Output replicaSourceArn of ${source} (${oldPrimaryArn}) is not in primaryRegion ${primaryRegion}: the outputs are inconsistent; pulumi up -s dr --refresh`,
    );
  }
  const drArn = text("replicaArn");
  if (drArn && arnShape.exec(drArn)?.[1] === primaryRegion) {
    throw new RunbookError(`Output replicaArn of ${source} (${drArn}) is in the primary region ${primaryRegion}: the DR database must be in the DR region`);
  }
  return { engineMode, ...(drArn ? { drArn } : {}), oldPrimaryArn, primaryRegion, primaryStack: text("primaryStack") as string, promoted };
}

/** The primary stack's `multi-region-dr:database` object from `pulumi config --json` (`{ key: { value, objectValue?, secret } }`). */
export function databaseConfig(configJson: string, stack: string): Record<string, unknown> {
  let all: Record<string, { value?: unknown; objectValue?: unknown } | undefined>;
  try {
    all = JSON.parse(configJson) as typeof all;
  } catch (error) {
    throw new RunbookError(`pulumi config --json --stack ${stack} printed no JSON (${(error as Error).message})`);
  }
  const entry = all?.[DATABASE_KEY];
  if (!entry) return {};
  if (entry.objectValue && typeof entry.objectValue === "object") return entry.objectValue as Record<string, unknown>;
  if (typeof entry.value === "string") {
    try {
      const parsed = JSON.parse(entry.value) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // falls through to the refusal
    }
  }
  throw new RunbookError(`${DATABASE_KEY} of stack ${stack} is not an object (pulumi config --json): fix Pulumi.${stack.split("/").pop()}.yaml`);
}

// ---------------------------------------------------------------------------------------------------
// Running it.

const PULUMI = "pulumi";

async function runCommand(deps: Pick<ReprotectDependencies, "run">, args: readonly string[], options?: { stream?: boolean }): Promise<CommandResult> {
  try {
    return await deps.run(PULUMI, args, options);
  } catch (error) {
    return { code: 127, stdout: "", stderr: `${PULUMI} could not be started: ${(error as Error).message} (is the Pulumi CLI installed and on PATH?)` };
  }
}

/** The last non-empty line of a failed command's stderr (else stdout), or its exit code. */
function lastLine(result: CommandResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.split("\n").map((line) => line.trim());
  const stderrLast = result.stderr
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .pop();
  return stderrLast ?? lines.filter(Boolean).pop() ?? `exit code ${result.code}`;
}

/** One change the command makes, in order: how to say it, the command an operator would type for it, and doing it. */
interface Change {
  /** What it changes: decides whether a re-run can resume after it failed. */
  kind: "snapshot" | "state" | "config" | "up";
  title: string;
  /** What to type to do it by hand (printed in the plan and in "left to do"). */
  commands: string[];
  apply: () => Promise<void>;
}

/** A step that failed after changes began (exit 2). */
class StepFailed extends Error {}

async function describeInstance(rds: RDSClient, identifier: string): Promise<DBInstance | undefined> {
  try {
    return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })))?.DBInstances?.[0];
  } catch (error) {
    // DBInstanceNotFoundFault: "DBInstanceIdentifier doesn't refer to an existing DB instance" (RDS API Reference, DescribeDBInstances).
    if (awsErrorName(error) === "DBInstanceNotFoundFault" || awsErrorName(error) === "DBInstanceNotFound") return undefined;
    throw error;
  }
}

/** The "what next" lines printed at the end (and when already re-protected). */
function restOfFailback(primaryStack: string, drStack: string): string[] {
  return [
    `  - pulumi up -s ${drStack}: the failback workflow then targets the new primary-region replica`,
    "  - npm run failback: once the replica is available with lag within the RPO (it checks)",
    `  - then docs/runbook.md, "Failback" step 4: database: { replicaSourceArn: <same>, promoted: true } in the primary stack (${primaryStack}) and pulumi up --refresh`,
  ];
}

/**
 * Runs `reprotect` for `argv` (the arguments after `reprotect`).
 * @returns the exit code (module comment).
 * @throws only unexpected errors (bugs).
 */
export async function runReprotect(argv: readonly string[], deps: ReprotectDependencies): Promise<number> {
  const { output } = deps;
  try {
    const command = parseReprotectArguments(argv);
    if (command.kind === "help") {
      output.line(REPROTECT_USAGE);
      return EXIT.succeeded;
    }
    const args = command.arguments;
    // Before anything else: a run that cannot be confirmed is refused.
    if (!args.dryRun && !args.yes && !deps.interactive) {
      throw new RunbookError(
        `Refusing to re-protect without confirmation: stdin is not a terminal, so "${CONFIRMATION}" cannot be typed. Run it from a terminal, or pass --yes. Nothing was changed.`,
      );
    }
    const source = args.outputsFile ?? `stack ${args.stack}`;
    const outputs = checkDrOutputs(await readDrOutputs(args, deps), source);
    if (args.dryRun) output.line("DRY RUN: nothing will be changed (read-only calls only).");
    if (outputs.engineMode === "aurora-global") return await reportAurora(outputs, deps);
    return await reprotectInstance(args, outputs as ReprotectOutputs & { drArn: string }, deps);
  } catch (error) {
    if (error instanceof RunbookError) {
      output.error(error.message);
      return error.exitCode;
    }
    throw error;
  }
}

async function reprotectInstance(args: ReprotectArguments, outputs: ReprotectOutputs & { drArn: string }, deps: ReprotectDependencies): Promise<number> {
  const { output } = deps;
  const dr = parseDbInstanceArn(outputs.drArn) as { region: string; identifier: string };
  const old = parseDbInstanceArn(outputs.oldPrimaryArn) as { region: string; identifier: string };
  const { primaryStack } = outputs;
  const check = (text: string) => output.line(`  check  ${text}`);

  output.line(`Re-protecting ${outputs.primaryRegion} after the failover to ${dr.region}:`);
  output.line(`  promoted DR database  ${outputs.drArn}`);
  output.line(`  old primary database  ${outputs.oldPrimaryArn}`);
  output.line(`  primary stack         ${primaryStack}`);

  // 2. The DR database: available and standalone (RDS API Reference, DBInstance: ReadReplicaSourceDBInstanceIdentifier
  // is "the identifier of the source DB instance if this DB instance is a read replica"; ReadReplicaDBInstanceIdentifiers
  // lists its replicas, a cross-Region one by its ARN).
  const drRds = deps.rds(dr.region);
  let drInstance: DBInstance | undefined;
  try {
    drInstance = await describeInstance(drRds, dr.identifier);
  } catch (error) {
    throw explainAwsError(error, { action: "rds:DescribeDBInstances", resource: dr.identifier, region: dr.region });
  }
  if (!drInstance)
    throw new RunbookError(`The DR database ${dr.identifier} does not exist in ${dr.region}: check the DR stack's output replicaArn. Nothing was changed.`);
  if (drInstance.ReadReplicaSourceDBInstanceIdentifier) {
    throw new RunbookError(
      `The DR database ${dr.identifier} is not standalone: it is still a read replica of ${drInstance.ReadReplicaSourceDBInstanceIdentifier}. ` +
        "The failover has not promoted it (npm run failover -- --unplanned), or the promotion is still running. Nothing was changed.",
    );
  }
  if (drInstance.DBInstanceStatus !== "available") {
    throw new RunbookError(
      `The DR database ${dr.identifier} is ${drInstance.DBInstanceStatus ?? "in an unknown status"}, not available: wait, then re-run. Nothing was changed.`,
    );
  }
  check(`DR database ${dr.identifier} (${dr.region}) is available and standalone`);
  const replicaInPrimary = (drInstance.ReadReplicaDBInstanceIdentifiers ?? []).find((replica) => parseDbInstanceArn(replica)?.region === outputs.primaryRegion);
  if (replicaInPrimary) {
    output.line("");
    output.line(`Already re-protected: ${replicaInPrimary} is a read replica of the DR database. Nothing to do here; next:`);
    for (const line of restOfFailback(primaryStack, args.stack)) output.line(line);
    return EXIT.succeeded;
  }

  // The primary region must answer: DescribeDBInstances of the old primary there.
  const primaryRds = deps.rds(old.region);
  let oldInstance: DBInstance | undefined;
  try {
    oldInstance = await describeInstance(primaryRds, old.identifier);
  } catch (error) {
    if (isRegionUnreachable(error)) {
      throw new RunbookError(
        `The primary region does not answer yet: re-run once it is back (DescribeDBInstances of ${old.identifier} in ${old.region}: ${awsErrorName(error) ?? "error"}: ${(error as Error).message}). Nothing was changed.`,
      );
    }
    throw explainAwsError(error, { action: "rds:DescribeDBInstances", resource: old.identifier, region: old.region });
  }
  if (!oldInstance) {
    throw new RunbookError(
      `The old primary database ${old.identifier} does not exist in ${old.region} (deleted?). Remove it from the primary stack's state (pulumi refresh --stack ${primaryStack}), ` +
        `then set ${REPLICA_SOURCE_KEY} to ${outputs.drArn} and pulumi up --stack ${primaryStack}. Nothing was changed.`,
    );
  }
  if (oldInstance.ReadReplicaSourceDBInstanceIdentifier === outputs.drArn) {
    output.line("");
    output.line(`Already re-protected: ${old.identifier} in ${old.region} is a read replica of the DR database. Nothing to do here; next:`);
    for (const line of restOfFailback(primaryStack, args.stack)) output.line(line);
    return EXIT.succeeded;
  }
  if (oldInstance.ReadReplicaSourceDBInstanceIdentifier) {
    throw new RunbookError(
      `${old.identifier} in ${old.region} is a read replica of ${oldInstance.ReadReplicaSourceDBInstanceIdentifier}, not the diverged old primary this command expects: check both stacks' outputs. Nothing was changed.`,
    );
  }
  check(`the primary region ${old.region} answers; old primary ${old.identifier} is ${oldInstance.DBInstanceStatus ?? "in an unknown status"}, standalone`);

  // 3. The primary stack: the instance's URN and its dependents; the current database config.
  const exported = await readPrimaryState(primaryStack, deps);
  const urns = findInstanceUrns(exported, outputs.oldPrimaryArn, primaryStack);
  if (urns.length > 1) {
    throw new RunbookError(
      `${urns.length} ${RDS_INSTANCE_TYPE} resources in the state of ${primaryStack} have arn ${outputs.oldPrimaryArn} (${urns.join(", ")}): remove the extra ones by hand. Nothing was changed.`,
    );
  }
  const configResult = await runCommand(deps, ["config", "--json", "--stack", primaryStack]);
  if (configResult.code !== 0)
    throw new RunbookError(`Cannot read the config of ${primaryStack} (pulumi config --json: ${lastLine(configResult)}). Nothing was changed.`);
  const database = databaseConfig(configResult.stdout, primaryStack);
  const configured = database.replicaSourceArn === outputs.drArn;
  const urn = urns[0];
  if (!urn && !configured) {
    throw new RunbookError(
      `No ${RDS_INSTANCE_TYPE} in the state of ${primaryStack} has arn ${outputs.oldPrimaryArn} (pulumi stack export). If an earlier reprotect removed it, finish by hand: ` +
        `${commandLine(PULUMI, ["config", "set", "--path", REPLICA_SOURCE_KEY, outputs.drArn, "--stack", primaryStack, "--plaintext"])}, then pulumi up --stack ${primaryStack}. ` +
        "Otherwise --stack points at the wrong DR stack. Nothing was changed.",
    );
  }
  const dependents = urn ? dependentsOf(exported, urn, primaryStack) : [];
  if (urn)
    check(`${urn} is in the state of ${primaryStack}${dependents.length ? `; ${dependents.length} resource(s) depend on it` : ", nothing depends on it"}`);
  else
    check(`the state of ${primaryStack} no longer holds ${old.identifier} and ${REPLICA_SOURCE_KEY} is already ${outputs.drArn}: an earlier run got this far`);
  check(`deletion protection of ${old.identifier}: ${oldInstance.DeletionProtection ? "on" : "OFF"}`);

  // 4. The changes.
  const changes: Change[] = [];
  const snapshotId = reprotectSnapshotIdentifier(old.identifier, deps.now());
  if (urn && !args.noSnapshot) {
    changes.push({
      kind: "snapshot",
      title: `Snapshot ${snapshotId} of the old primary (keeps its writes that never reached ${dr.region}; waits up to ${args.snapshotTimeoutMinutes} min)`,
      commands: [
        commandLine("aws", [
          "rds",
          "create-db-snapshot",
          "--db-instance-identifier",
          old.identifier,
          "--db-snapshot-identifier",
          snapshotId,
          "--region",
          old.region,
        ]),
      ],
      apply: () => createSnapshot(primaryRds, { identifier: old.identifier, snapshotId, region: old.region }, args, deps),
    });
  }
  if (urn) {
    changes.push(dependents.length === 0 ? stateDeleteChange(urn, primaryStack, deps) : stateEditChange(urn, dependents, primaryStack, deps));
  }
  if (!configured) {
    const set = ["config", "set", "--path", REPLICA_SOURCE_KEY, outputs.drArn, "--stack", primaryStack, "--plaintext"];
    changes.push({
      kind: "config",
      title: `Set ${REPLICA_SOURCE_KEY} to the DR database in ${primaryStack}`,
      commands: [commandLine(PULUMI, set)],
      apply: () => pulumiStep(deps, set),
    });
  }
  if (database.promoted !== undefined) {
    const rm = ["config", "rm", "--path", PROMOTED_KEY, "--stack", primaryStack];
    changes.push({
      kind: "config",
      title: `Remove ${PROMOTED_KEY} (${JSON.stringify(database.promoted)}) from ${primaryStack}`,
      commands: [commandLine(PULUMI, rm)],
      apply: () => pulumiStep(deps, rm),
    });
  }
  const up = ["up", "--stack", primaryStack, "--yes"];
  if (args.up) {
    changes.push({
      kind: "up",
      title: `pulumi up of ${primaryStack}: creates the cross-region replica of the DR database (30 minutes to hours)`,
      commands: [commandLine(PULUMI, up)],
      apply: () => pulumiStep(deps, up, { stream: true }),
    });
  }

  output.line("");
  output.line(args.dryRun ? "It would make these changes:" : "Changes, in order:");
  changes.forEach((change, index) => {
    output.line(`  ${index + 1}. ${change.title}`);
    for (const line of change.commands) output.line(`       ${line}`);
  });
  if (changes.length === 0) output.line("  (none)");
  if (args.dryRun) {
    const rerunFlags = [
      ...(args.stack !== "dr" ? ["--stack", args.stack] : []),
      ...(args.outputsFile ? ["--outputs-file", shellQuote(args.outputsFile)] : []),
      ...(args.noSnapshot ? ["--no-snapshot"] : []),
      ...(args.up ? ["--up"] : []),
    ];
    output.line("");
    output.line(`To run it: ${["npm run reprotect", ...(rerunFlags.length ? ["--", ...rerunFlags] : [])].join(" ")}`);
    return EXIT.succeeded;
  }
  if (!args.yes) {
    const answer = (await deps.prompt(`Type "${CONFIRMATION}" to make these changes (anything else cancels): `)).trim();
    if (answer !== CONFIRMATION) throw new RunbookError(`Not confirmed (expected "${CONFIRMATION}"): nothing was changed.`);
  }

  for (const [index, change] of changes.entries()) {
    output.line(`${index + 1}/${changes.length} ${change.title}`);
    try {
      await change.apply();
    } catch (error) {
      if (!(error instanceof StepFailed) && !(error instanceof RunbookError)) throw error;
      const done = changes.slice(0, index).map((step) => `  done: ${step.title}`);
      const left = changes.slice(index).flatMap((step) => [`  - ${step.title}`, ...step.commands.map((line) => `      ${line}`)]);
      throw new RunbookError(
        [
          `Step ${index + 1} failed: ${change.title}: ${error.message}`,
          ...(done.length ? ["Done before it:", ...done] : ["Nothing was changed before it."]),
          `Left to do (fix the cause, then ${resumeHint(change.kind, changes.slice(0, index))}):`,
          ...left,
          ...(args.up ? [] : [`  - pulumi up of ${primaryStack}`, `      ${commandLine(PULUMI, up)}`]),
        ].join("\n"),
        EXIT.executionFailed,
      );
    }
  }

  output.line("");
  output.line(
    `The old primary ${old.identifier} stays in ${old.region}, no longer managed by ${primaryStack}, deletion protection ${oldInstance.DeletionProtection ? "on" : "OFF (turn it on: aws rds modify-db-instance --db-instance-identifier " + old.identifier + " --deletion-protection --apply-immediately --region " + old.region + ")"}. ` +
      "It is diverged: never let the application write to it again. Delete it once the failback is done and its data is no longer needed: " +
      `aws rds modify-db-instance --db-instance-identifier ${old.identifier} --no-deletion-protection --apply-immediately --region ${old.region}, then ` +
      `aws rds delete-db-instance --db-instance-identifier ${old.identifier} --final-db-snapshot-identifier ${old.identifier}-final --region ${old.region}.`,
  );
  output.line("Next:");
  if (!args.up)
    output.line(`  - ${commandLine(PULUMI, up)}: creates the cross-region replica of the DR database (30 minutes to hours, longer for big databases)`);
  for (const line of restOfFailback(primaryStack, args.stack)) output.line(line);
  return EXIT.succeeded;
}

/** How to go on after a step of `kind` failed, `done` being the steps before it. */
function resumeHint(kind: Change["kind"], done: Change[]): string {
  // While the old database is still in the state, a re-run checks again and redoes what is left.
  if (kind === "snapshot") return "re-run npm run reprotect, or add --no-snapshot to go without the snapshot; or run these by hand";
  if (kind === "state")
    return `re-run npm run reprotect${done.some((step) => step.kind === "snapshot") ? " -- --no-snapshot (the snapshot is done)" : ""}, or run these by hand`;
  // Once it is out of the state, a re-run resumes only when replicaSourceArn is already set: run the rest by hand.
  return "run these by hand";
}

async function readPrimaryState(primaryStack: string, deps: Pick<ReprotectDependencies, "run">): Promise<unknown> {
  const result = await runCommand(deps, ["stack", "export", "--stack", primaryStack]);
  if (result.code !== 0) throw new RunbookError(`Cannot read the state of ${primaryStack} (pulumi stack export: ${lastLine(result)}). Nothing was changed.`);
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch (error) {
    throw new RunbookError(`pulumi stack export --stack ${primaryStack} printed no JSON (${(error as Error).message}). Nothing was changed.`);
  }
}

/** Runs a Pulumi command as a step. @throws StepFailed with its last error line when it fails. */
async function pulumiStep(deps: Pick<ReprotectDependencies, "run">, args: readonly string[], options?: { stream?: boolean }): Promise<void> {
  const result = await runCommand(deps, args, options);
  if (result.code !== 0) throw new StepFailed(`${commandLine(PULUMI, args)} exited ${result.code}: ${lastLine(result)}`);
}

/** `pulumi state unprotect` then `pulumi state delete` (Pulumi CLI docs: both take the URN, `--stack` and `--yes`). */
function stateDeleteChange(urn: string, stack: string, deps: ReprotectDependencies): Change {
  const unprotect = ["state", "unprotect", urn, "--stack", stack, "--yes"];
  const remove = ["state", "delete", urn, "--stack", stack, "--yes"];
  return {
    kind: "state",
    title: `Remove the old database from the state of ${stack} (it stays in AWS)`,
    commands: [commandLine(PULUMI, unprotect), commandLine(PULUMI, remove)],
    apply: async () => {
      await pulumiStep(deps, unprotect);
      await pulumiStep(deps, remove);
    },
  };
}

/** Export, remove the resource and the references to it, import (module comment: why not `pulumi state delete`). */
function stateEditChange(urn: string, dependents: string[], stack: string, deps: ReprotectDependencies): Change {
  let directory: string | undefined;
  const dir = () => (directory ??= deps.stateDirectory());
  const safeStack = stack.replace(/[^A-Za-z0-9_.-]/g, "_");
  const backupName = `${safeStack}-state-before-reprotect.json`;
  const editedName = `${safeStack}-state-reprotected.json`;
  return {
    kind: "state",
    title:
      `Remove the old database from the state of ${stack} (it stays in AWS): ${dependents.length} resource(s) depend on it, which pulumi state delete refuses, ` +
      "so export the state, drop it and the references to it, import the result",
    commands: [
      commandLine(PULUMI, ["stack", "export", "--stack", stack, "--file", backupName]),
      `(edit: remove the resource ${urn} and every reference to it in dependencies, propertyDependencies and deletedWith of ${dependents.join(", ")}; save as ${editedName})`,
      commandLine(PULUMI, ["stack", "import", "--stack", stack, "--file", editedName]),
    ],
    apply: async () => {
      const exported = await runCommand(deps, ["stack", "export", "--stack", stack]);
      if (exported.code !== 0) throw new StepFailed(`pulumi stack export --stack ${stack} exited ${exported.code}: ${lastLine(exported)}`);
      let deployment: unknown;
      try {
        deployment = JSON.parse(exported.stdout) as unknown;
      } catch (error) {
        throw new StepFailed(`pulumi stack export --stack ${stack} printed no JSON (${(error as Error).message})`);
      }
      const backup = path.join(dir(), backupName);
      const edited = path.join(dir(), editedName);
      deps.writeFile(backup, exported.stdout);
      deps.writeFile(edited, `${JSON.stringify(deploymentWithout(deployment, urn, stack), null, 2)}\n`);
      deps.output.line(`  state before: ${backup} (to undo: ${commandLine(PULUMI, ["stack", "import", "--stack", stack, "--file", backup])})`);
      await pulumiStep(deps, ["stack", "import", "--stack", stack, "--file", edited]);
      deps.output.line(
        `  imported ${edited}: ${urn} is no longer in the state; ${dependents.length} dependent(s) follow the new replica at the next pulumi up`,
      );
    },
  };
}

/**
 * CreateDBSnapshot of the old primary, then DescribeDBSnapshots until `available` (or a failure
 * status, or the bound). RDS API Reference, CreateDBSnapshot: "The source DB instance must be in the
 * available or storage-optimization state"; the response's DBSnapshot carries DBSnapshotArn.
 * @throws StepFailed on a refusal, a failed snapshot or the bound (the snapshot then goes on).
 */
async function createSnapshot(
  rds: RDSClient,
  target: { identifier: string; snapshotId: string; region: string },
  args: ReprotectArguments,
  deps: Pick<ReprotectDependencies, "output" | "now" | "sleep">,
): Promise<void> {
  let arn: string | undefined;
  try {
    const created = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: target.identifier, DBSnapshotIdentifier: target.snapshotId }));
    arn = created?.DBSnapshot?.DBSnapshotArn;
  } catch (error) {
    throw new StepFailed(explainAwsError(error, { action: "rds:CreateDBSnapshot", resource: target.identifier, region: target.region }).message);
  }
  deps.output.line(`  snapshot ${target.snapshotId} started: ${arn ?? "(no ARN returned)"}`);
  const started = deps.now().getTime();
  const deadline = started + args.snapshotTimeoutMinutes * 60_000;
  for (;;) {
    let status: string | undefined;
    try {
      const described = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: target.snapshotId }));
      const snapshot = described?.DBSnapshots?.[0];
      status = snapshot?.Status;
      arn = snapshot?.DBSnapshotArn ?? arn;
      deps.output.progress(`snapshot ${target.snapshotId}: ${status ?? "unknown"} ${snapshot?.PercentProgress ?? ""}%`);
    } catch (error) {
      throw new StepFailed(explainAwsError(error, { action: "rds:DescribeDBSnapshots", resource: target.snapshotId, region: target.region }).message);
    }
    if (status === "available") {
      deps.output.line(`  snapshot available after ${formatDuration(deps.now().getTime() - started)}: ${arn ?? target.snapshotId}`);
      return;
    }
    if (SNAPSHOT_FAILED.has(status ?? ""))
      throw new StepFailed(`snapshot ${target.snapshotId} is ${status}: take one by hand, or re-run with --no-snapshot to go without`);
    if (deps.now().getTime() + args.pollSeconds * 1000 > deadline) {
      throw new StepFailed(
        `snapshot ${target.snapshotId} is still ${status ?? "not visible"} after ${args.snapshotTimeoutMinutes} min (--snapshot-timeout-minutes); it goes on. ` +
          `Follow it with aws rds describe-db-snapshots --db-snapshot-identifier ${target.snapshotId} --region ${target.region}, then re-run with --no-snapshot`,
      );
    }
    await deps.sleep(args.pollSeconds * 1000);
  }
}

/**
 * Aurora global database: whether Aurora re-added the old primary cluster (RDS API Reference,
 * DescribeGlobalClusters: GlobalClusterMembers, each with DBClusterArn, IsWriter and
 * SynchronizationStatus `connected | pending-resync`). Changes nothing.
 * @returns 0 when the primary cluster is a member again, 1 when not yet.
 */
async function reportAurora(outputs: ReprotectOutputs, deps: ReprotectDependencies): Promise<number> {
  const { output } = deps;
  const drRegion = outputs.drArn ? (DB_CLUSTER_ARN.exec(outputs.drArn)?.[1] as string) : undefined;
  if (!drRegion) throw new RunbookError("The DR stack's outputs have no replicaArn (the DR cluster): deploy the DR stack (pulumi up -s dr).");
  const rds = deps.rds(drRegion);
  const clusters: GlobalCluster[] = [];
  let marker: string | undefined;
  do {
    let page;
    try {
      page = await rds.send(new DescribeGlobalClustersCommand(marker ? { Marker: marker } : {}));
    } catch (error) {
      throw explainAwsError(error, { action: "rds:DescribeGlobalClusters", resource: "global clusters", region: drRegion });
    }
    clusters.push(...(page?.GlobalClusters ?? []));
    marker = page?.Marker;
  } while (marker);
  const global = clusters.find((cluster) => (cluster.GlobalClusterMembers ?? []).some((member) => member.DBClusterArn === outputs.drArn));
  if (!global) {
    throw new RunbookError(
      `The DR cluster ${outputs.drArn} is in no global cluster (DescribeGlobalClusters in ${drRegion}): it was detached. Add the primary region back by hand (docs/outage-runbook.md, "Aurora global database"). Nothing was changed.`,
    );
  }
  const member = (global.GlobalClusterMembers ?? []).find((candidate) => candidate.DBClusterArn === outputs.oldPrimaryArn);
  output.line(`Aurora global database ${global.GlobalClusterIdentifier ?? "(unnamed)"} (DescribeGlobalClusters in ${drRegion}); nothing is changed.`);
  if (member) {
    output.line(
      `Aurora re-added it after the failover; run npm run failback: ${outputs.oldPrimaryArn} is a member again (${member.IsWriter ? "writer" : "secondary"}, ` +
        `synchronization ${member.SynchronizationStatus ?? "unknown"}${member.SynchronizationStatus === "pending-resync" ? ": wait until connected, failback checks it" : ""}).`,
    );
    return EXIT.succeeded;
  }
  output.error(
    `The primary-region cluster ${outputs.oldPrimaryArn} is not a member of ${global.GlobalClusterIdentifier ?? "the global cluster"} yet. After a managed failover Aurora re-adds it ` +
      `as a secondary once ${outputs.primaryRegion} is healthy and its volume rebuilt: wait and re-run. If it was detached by hand, add the region back (docs/outage-runbook.md, "Aurora global database"). ` +
      "Keep its writes that never reached the DR region: copy its rds:unplanned-global-failover snapshot to a manual snapshot. Nothing was changed.",
  );
  return EXIT.refused;
}

// ---------------------------------------------------------------------------------------------------
// The real world.

/**
 * The default runner: `execFile` (no shell) in `cwd`, output collected (16 MiB at most per stream);
 * with `stream`, also copied to stderr as it comes, so a long `pulumi up` shows its progress.
 */
export function commandRunner(cwd: string, sink: NodeJS.WritableStream = process.stderr): CommandRunner {
  return (command, args, options) =>
    new Promise((resolve, reject) => {
      const child = execFile(command, [...args], { cwd, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code as number) : undefined) : 0;
        // A command that never started (ENOENT: not installed) has a string code: reject, the caller says what to install.
        if (error && code === undefined && typeof (error as { code?: unknown }).code === "string") {
          reject(error);
          return;
        }
        resolve({ code: code ?? 1, stdout, stderr });
      });
      if (options?.stream) {
        child.stdout?.on("data", (chunk: string) => sink.write(chunk));
        child.stderr?.on("data", (chunk: string) => sink.write(chunk));
      }
    });
}

/**
 * The real world for `runReprotect`: RDS clients with the default credential chain and short network
 * timeouts (5 s to connect, 20 s per request, 3 attempts), so a primary region that does not answer is
 * reported within about a minute; the Pulumi CLI run in `projectDirectory`; state files in a new
 * private temporary directory (`mkdtemp`: mode 0700).
 */
export function reprotectServices(projectDirectory: string): Pick<ReprotectDependencies, "rds" | "run" | "readFile" | "writeFile" | "stateDirectory"> {
  return {
    rds: (region) => new RDSClient({ region, maxAttempts: 3, requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 } }),
    run: commandRunner(projectDirectory),
    readFile: (file) => readFileSync(path.resolve(file), "utf8"),
    writeFile: (file, text) => writeFileSync(file, text, { mode: 0o600 }),
    stateDirectory: () => mkdtempSync(path.join(tmpdir(), "reprotect-")),
  };
}
