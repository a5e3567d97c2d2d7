// Tests of `npm run restore` (runbook/restore.ts) through the CLI's `main`, against AWS Backup and
// RDS clients wrapped by aws-sdk-client-mock, a fake stack-outputs reader and a clock whose `sleep`
// only advances time: every step (outputs, recovery point choice, metadata, confirmation, restore job,
// Aurora writer, endpoint) and every failure path.
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
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import type { RestoreTargets } from "../../components/backupRules";
import { main, type RunbookDependencies } from "../../runbook/cli";
import { type CollectedOutput, collectOutput } from "../../runbook/output";
import { chooseRecoveryPoint, defaultRestoreName, restoreMetadata } from "../../runbook/restore";
import { parseRestoreArguments } from "../../runbook/restoreArguments";
import { EXIT } from "../../runbook/errors";
import { awsError } from "./harness";

const ACCOUNT = "123456789012";
const NOW = new Date("2026-03-14T12:00:00.000Z");
const DB_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:db:primary-db`;
const CLUSTER_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:primary-cluster`;
const DR_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/dr`;
const PRIMARY_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/primary`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/dr-backup-role`;
/** The DR stack's own database (output replicaIdentifier) and the parameter groups it uses. */
const DR_DB = "dr-db-replica";
const DR_PARAMETERS = "dr-db-parameters-123";
const DR_CLUSTER_PARAMETERS = "dr-cluster-parameters-123";

/** Restore targets with the database network of both regions. */
type CompleteTargets = RestoreTargets & { primary: Required<RestoreTargets["primary"]>; dr: Required<RestoreTargets["dr"]> };

function targets(databaseArn = DB_ARN): CompleteTargets {
  return {
    roleArn: ROLE,
    database: {
      arn: databaseArn,
      engine: "postgres",
      engineMode: databaseArn === CLUSTER_ARN ? "aurora-global" : "instance",
      instanceClass: "db.t4g.medium",
      multiAz: true,
    },
    primary: {
      region: "us-east-1",
      vaultName: "backup-primary",
      kmsKeyArn: PRIMARY_KEY,
      dbSubnetGroupName: "primary-db-subnets",
      dbSecurityGroupId: "sg-primary",
    },
    dr: { region: "us-west-2", vaultName: "backup-dr", kmsKeyArn: DR_KEY, dbSubnetGroupName: "dr-db-subnets", dbSecurityGroupId: "sg-dr" },
  };
}

const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

function snapshot(region: string, id: string, created: Date, patch: Partial<RecoveryPointByBackupVault> = {}): RecoveryPointByBackupVault {
  return {
    RecoveryPointArn: `arn:aws:rds:${region}:${ACCOUNT}:snapshot:awsbackup:${id}`,
    ResourceArn: DB_ARN,
    Status: "COMPLETED",
    CreationDate: created,
    ...patch,
  };
}

const CONTINUOUS: RecoveryPointByBackupVault = {
  RecoveryPointArn: `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:continuous:db-abc-1234`,
  ResourceArn: DB_ARN,
  Status: "COMPLETED",
  CreationDate: hoursAgo(24 * 10),
};

const SOURCE_METADATA = {
  DBInstanceIdentifier: "primary-db",
  DBInstanceClass: "db.t4g.medium",
  Engine: "postgres",
  MultiAZ: "true",
  AvailabilityZone: "us-east-1a",
  DBSubnetGroupName: "primary-db-subnets",
  VpcSecurityGroupIds: '["sg-primary"]',
  DBParameterGroupName: "primary-db-parameters",
  KmsKeyId: PRIMARY_KEY,
  Port: "5432",
};

interface RestoreHarness {
  backupMock: AwsClientStub<BackupClient>;
  rdsMock: AwsClientStub<RDSClient>;
  output: CollectedOutput;
  prompts: string[];
  sleeps: number[];
  regions: string[];
  stacksRead: string[];
  run(argv: string[]): Promise<number>;
}

function harness(
  options: { interactive?: boolean; answer?: string; outputs?: Record<string, unknown> | Error; files?: Record<string, string> } = {},
): RestoreHarness {
  managed.clear();
  const backup = new BackupClient({ region: "us-west-2" });
  const rds = new RDSClient({ region: "us-west-2" });
  const backupMock = mockClient(backup);
  const rdsMock = mockClient(rds);
  const output = collectOutput();
  const prompts: string[] = [];
  const sleeps: number[] = [];
  const regions: string[] = [];
  const stacksRead: string[] = [];
  let now = NOW.getTime();
  const deps: RunbookDependencies = {
    projectDirectory: "/nonexistent",
    clients: () => {
      throw new Error("restore must not use the Step Functions clients");
    },
    output,
    interactive: options.interactive ?? false,
    prompt: async (question) => {
      prompts.push(question);
      return options.answer ?? "";
    },
    now: () => new Date(now),
    sleep: async (milliseconds) => {
      sleeps.push(milliseconds);
      now += milliseconds;
    },
    restore: {
      restoreClients: (region) => {
        regions.push(region);
        return { backup, rds };
      },
      stackOutputs: async (stack) => {
        stacksRead.push(stack);
        const outputs = options.outputs ?? { backupRestoreTargets: targets(), replicaIdentifier: DR_DB };
        if (outputs instanceof Error) throw outputs;
        return outputs;
      },
      readFile: (file) => {
        const text = options.files?.[file];
        if (text === undefined) throw new Error(`ENOENT: no such file ${file}`);
        return text;
      },
    },
  };
  return { backupMock, rdsMock, output, prompts, sleeps, regions, stacksRead, run: (argv) => main(["restore", ...argv], deps) };
}

/** Scripts the vault's recovery points, their metadata, a restore job's states and the new instance's states. */
function script(
  h: RestoreHarness,
  options: {
    points?: RecoveryPointByBackupVault[];
    jobStates?: { Status: string; StatusMessage?: string }[];
    instanceStates?: string[];
    metadata?: Record<string, string>;
  } = {},
): void {
  h.backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: options.points ?? [] });
  h.backupMock.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: options.metadata ?? SOURCE_METADATA });
  h.backupMock.on(StartRestoreJobCommand).resolves({ RestoreJobId: "job-1" });
  const jobs = options.jobStates ?? [{ Status: "RUNNING" }, { Status: "COMPLETED" }];
  let jobPoll = 0;
  h.backupMock.on(DescribeRestoreJobCommand).callsFake(() => {
    const state = jobs[Math.min(jobPoll++, jobs.length - 1)];
    return { RestoreJobId: "job-1", ...state, CreatedResourceArn: `arn:aws:rds:us-west-2:${ACCOUNT}:db:restored` };
  });
  const instances = options.instanceStates ?? ["creating", "available"];
  let instancePoll = 0;
  h.rdsMock.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier: string }) =>
    input.DBInstanceIdentifier === DR_DB
      ? { DBInstances: [{ DBInstanceIdentifier: DR_DB, DBParameterGroups: [{ DBParameterGroupName: DR_PARAMETERS, ParameterApplyStatus: "in-sync" }] }] }
      : {
          DBInstances: [
            {
              DBInstanceIdentifier: input.DBInstanceIdentifier,
              DBInstanceStatus: instances[Math.min(instancePoll++, instances.length - 1)],
              Endpoint: { Address: `${input.DBInstanceIdentifier}.abc.us-west-2.rds.amazonaws.com`, Port: 5432 },
              ...secretOf(input.DBInstanceIdentifier),
            },
          ],
        },
  );
  // ModifyDBInstance/ModifyDBCluster with ManageMasterUserPassword: RDS creates the secret (creating, then active).
  const manage = (identifier: string) => {
    managed.set(identifier, 0);
    return {};
  };
  h.rdsMock.on(ModifyDBInstanceCommand).callsFake((input: { DBInstanceIdentifier: string }) => manage(input.DBInstanceIdentifier));
  h.rdsMock.on(ModifyDBClusterCommand).callsFake((input: { DBClusterIdentifier: string }) => manage(input.DBClusterIdentifier));
}

/** Databases RDS manages a master password for: identifier -> times described since. */
const managed = new Map<string, number>();
const secretArnOf = (identifier: string) => `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:rds!db-${identifier}-AbCdEf`;
/** The `MasterUserSecret` a Describe shows: none before the change, `creating` once, then `active`. */
function secretOf(identifier: string): { MasterUserSecret?: { SecretArn: string; SecretStatus: string; KmsKeyId: string } } {
  const seen = managed.get(identifier);
  if (seen === undefined) return {};
  managed.set(identifier, seen + 1);
  return { MasterUserSecret: { SecretArn: secretArnOf(identifier), SecretStatus: seen === 0 ? "creating" : "active", KmsKeyId: DR_KEY } };
}

/** The calls that created or followed the new database (not the look-up of the DR region's parameter group). */
const newDatabaseCalls = (h: RestoreHarness) =>
  h.rdsMock.calls().filter((call) => (call.args[0].input as { DBInstanceIdentifier?: string }).DBInstanceIdentifier !== DR_DB);

/** The DR stack's own Aurora cluster (output replicaIdentifier dr-cluster) with its cluster parameter group. */
function mockDrCluster(h: RestoreHarness): void {
  h.rdsMock
    .on(DescribeDBClustersCommand, { DBClusterIdentifier: "dr-cluster" })
    .resolves({ DBClusters: [{ DBClusterIdentifier: "dr-cluster", DBClusterParameterGroup: DR_CLUSTER_PARAMETERS }] });
}

const startedMetadata = (h: RestoreHarness) => h.backupMock.commandCalls(StartRestoreJobCommand)[0].args[0].input.Metadata as Record<string, string>;

describe("runbook restore", () => {
  describe("arguments", () => {
    const refusals: [string, string[], RegExp][] = [
      ["no --from", [], /restore needs --from dr .* or --from primary/],
      ["an unknown source", ["--from", "backup"], /--from must be dr or primary, got "backup"/],
      ["a time without a zone", ["--from", "dr", "--to-time", "2026-03-14T09:00:00"], /--to-time must be an ISO 8601 time with a zone/],
      [
        "a time and a recovery point",
        ["--from", "dr", "--to-time", "2026-03-14T09:00:00Z", "--recovery-point-arn", snapshot("us-west-2", "x", NOW).RecoveryPointArn as string],
        /exclude each other/,
      ],
      ["a bad identifier", ["--from", "dr", "--name", "1db--x"], /--name must be 1-63 letters/],
      ["a trailing hyphen", ["--from", "dr", "--name", "restored-"], /--name must be/],
      ["a short timeout", ["--from", "dr", "--timeout-minutes", "2"], /--timeout-minutes must be a whole number from 5 to 1440, got "2"/],
      ["a bad class", ["--from", "dr", "--instance-class", "r6g.large"], /--instance-class must be a DB instance class/],
      ["an unknown option", ["--from", "dr", "--force"], /unknown option --force for restore/],
      ["a positional", ["dr"], /unexpected argument "dr"/],
    ];
    for (const [what, argv, pattern] of refusals) {
      it(`refuses ${what} with exit 1 before reading any output`, async () => {
        const h = harness();
        expect(await h.run(argv)).to.equal(1);
        expect(h.output.errors.join("\n")).to.match(pattern);
        expect(h.output.errors.join("\n")).to.contain("Run with --help for the usage.");
        expect(h.stacksRead).to.deep.equal([]);
      });
    }

    it("prints the usage with --help", async () => {
      const h = harness();
      expect(await h.run(["--help"])).to.equal(0);
      expect(h.output.lines[0]).to.match(/^Usage:\n {2}npm run restore -- --from <dr\|primary>/);
    });

    it("parses a full command line", () => {
      const parsed = parseRestoreArguments([
        "--from",
        "primary",
        "--to-time",
        "2026-03-14T10:30:00+01:00",
        "--name",
        "db-x",
        "--single-az",
        "--yes",
        "--poll-seconds",
        "10",
      ]);
      if (parsed.kind !== "run") expect.fail("expected a run command");
      const args = parsed.arguments as unknown as Record<string, unknown>;
      expect((args.toTime as Date).toISOString()).to.equal("2026-03-14T09:30:00.000Z");
      expect(args).to.deep.include({
        from: "primary",
        name: "db-x",
        singleAz: true,
        yes: true,
        pollSeconds: 10,
        timeoutMinutes: 120,
        stack: "dr",
        dryRun: false,
      });
    });
  });

  describe("outputs and region", () => {
    it("explains how to log in or pass --outputs-file when the outputs cannot be read", async () => {
      const h = harness({ outputs: new Error("no stack named 'dr' found") });
      expect(await h.run(["--from", "dr", "--yes"])).to.equal(1);
      expect(h.output.errors[0]).to.match(/^Cannot read the outputs of stack dr \(no stack named 'dr' found\)\. Log in to the state backend .* --outputs-file/);
      expect(h.regions).to.deep.equal([]);
    });

    it("names the missing fields when the stack has no backupRestoreTargets", async () => {
      const h = harness({ outputs: { region: "us-west-2" } });
      expect(await h.run(["--from", "dr", "--yes"])).to.equal(1);
      expect(h.output.errors[0]).to.match(
        /no usable backupRestoreTargets \(missing roleArn, database\.arn, primary\.region, .*\): deploy the DR stack with backup\.enabled true/,
      );
    });

    it("reads --outputs-file instead of the Pulumi CLI", async () => {
      const h = harness({ files: { "dr-outputs.json": JSON.stringify({ backupRestoreTargets: targets(), replicaIdentifier: DR_DB }) } });
      script(h, { points: [snapshot("us-west-2", "a", hoursAgo(3))] });
      expect(await h.run(["--from", "dr", "--dry-run", "--outputs-file", "dr-outputs.json"])).to.equal(0);
      expect(h.stacksRead).to.deep.equal([]);
      expect(h.regions).to.deep.equal(["us-west-2"]);
    });

    it("refuses a DR restore when the outputs name no DR database to take the parameter group from (RDS's default does not require TLS)", async () => {
      const h = harness({ interactive: true, answer: "restore x", files: { "dr-outputs.json": JSON.stringify({ backupRestoreTargets: targets() }) } });
      script(h, { points: [snapshot("us-west-2", "a", hoursAgo(3))] });
      expect(await h.run(["--from", "dr", "--outputs-file", "dr-outputs.json"])).to.equal(1);
      expect(h.output.errors[0]).to.match(
        /^The DR stack's outputs name no database in us-west-2 \(output replicaIdentifier\).*default parameter group, which does not require TLS\. Nothing was started/,
      );
      expect(h.prompts).to.deep.equal([]);
      expect(h.backupMock.commandCalls(StartRestoreJobCommand)).to.have.length(0);
    });

    it("a DR restore takes the DR database's parameter group, not the source's nor RDS's default", async () => {
      const h = harness();
      script(h, { points: [snapshot("us-west-2", "a", hoursAgo(3))] });
      expect(await h.run(["--from", "dr", "--yes"])).to.equal(0);
      expect(h.rdsMock.commandCalls(DescribeDBInstancesCommand)[0].args[0].input).to.deep.equal({ DBInstanceIdentifier: DR_DB });
      expect(startedMetadata(h).DBParameterGroupName).to.equal(DR_PARAMETERS);
    });

    it("refuses --region that is not the chosen vault's region, before any AWS call", async () => {
      const h = harness();
      expect(await h.run(["--from", "dr", "--region", "us-east-1", "--yes"])).to.equal(1);
      expect(h.output.errors[0]).to.match(
        /^--region us-east-1 is not the region of the dr vault \(us-west-2\): --from dr restores into us-west-2\. Use --from primary/,
      );
      expect(h.regions).to.deep.equal([]);
    });

    it("refuses --from dr while a backup-restore DR region has no database network, and names the way out", async () => {
      const { dbSubnetGroupName: _subnets, dbSecurityGroupId: _group, ...vaultOnly } = targets().dr;
      const h = harness({ files: { "dr-outputs.json": JSON.stringify({ backupRestoreTargets: { ...targets(), dr: vaultOnly } }) } });
      expect(await h.run(["--from", "dr", "--yes", "--outputs-file", "dr-outputs.json"])).to.equal(1);
      expect(h.output.errors[0]).to.match(/The dr region \(us-west-2\) has no database subnet group .*database\.restoreToTime.*--from primary/);
      expect(h.regions).to.deep.equal([]);
    });

    it("refuses a recovery point of the other region", async () => {
      const h = harness();
      const arn = snapshot("us-east-1", "a", hoursAgo(3)).RecoveryPointArn as string;
      expect(await h.run(["--from", "dr", "--recovery-point-arn", arn, "--yes"])).to.equal(1);
      expect(h.output.errors[0]).to.match(/--recovery-point-arn is in us-east-1 but the dr vault is in us-west-2/);
    });

    it("refuses to start without confirmation when stdin is not a terminal, before any AWS call", async () => {
      const h = harness({ interactive: false });
      expect(await h.run(["--from", "dr"])).to.equal(1);
      expect(h.output.errors[0]).to.match(
        /^Refusing to restore without confirmation: stdin is not a terminal, so "restore primary-db-restore-202603141200" cannot be typed/,
      );
      expect(h.regions).to.deep.equal([]);
    });
  });

  describe("choosing the recovery point", () => {
    it("dry run from the DR vault: the newest completed copy, with the DR network and key, and nothing started", async () => {
      const h = harness();
      script(h, {
        points: [
          snapshot("us-west-2", "old", hoursAgo(27)),
          snapshot("us-west-2", "newest", hoursAgo(3)),
          snapshot("us-west-2", "partial", hoursAgo(1), { Status: "PARTIAL" }),
          snapshot("us-west-2", "other", hoursAgo(1), { ResourceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:other` }),
        ],
      });
      expect(await h.run(["--from", "dr", "--dry-run"])).to.equal(0);
      const list = h.backupMock.commandCalls(ListRecoveryPointsByBackupVaultCommand)[0].args[0].input;
      expect(list).to.deep.equal({ BackupVaultName: "backup-dr", ByResourceArn: DB_ARN });
      const text = h.output.text();
      expect(text).to.contain("DRY RUN: nothing will be started.");
      expect(text).to.contain(`recovery point   arn:aws:rds:us-west-2:${ACCOUNT}:snapshot:awsbackup:newest (snapshot)`);
      expect(text).to.contain("data as of       2026-03-14T09:00:00.000Z (3:00:00 before now: writes after it are not in the restore)");
      expect(text).to.contain(
        `To start it: npm run restore -- --from dr --recovery-point-arn arn:aws:rds:us-west-2:${ACCOUNT}:snapshot:awsbackup:newest --name primary-db-restore-202603141200`,
      );
      const metadataLine = h.output.lines.find((line) => line.trim().startsWith("metadata")) as string;
      const metadata = JSON.parse(metadataLine.replace(/^\s*metadata\s+/, ""));
      expect(metadata).to.deep.equal({
        DBInstanceClass: "db.t4g.medium",
        Engine: "postgres",
        MultiAZ: "true",
        DBSubnetGroupName: "dr-db-subnets",
        VpcSecurityGroupIds: '["sg-dr"]',
        KmsKeyId: DR_KEY,
        Port: "5432",
        DBInstanceIdentifier: "primary-db-restore-202603141200",
        DBParameterGroupName: DR_PARAMETERS,
      });
      expect(h.backupMock.commandCalls(StartRestoreJobCommand)).to.have.length(0);
      expect(h.rdsMock.calls().map((call) => call.args[0].input)).to.deep.equal([{ DBInstanceIdentifier: DR_DB }]);
    });

    it("follows NextToken and picks the newest copy at or before --to-time", async () => {
      const h = harness();
      script(h);
      h.backupMock
        .on(ListRecoveryPointsByBackupVaultCommand)
        .resolvesOnce({ RecoveryPoints: [snapshot("us-west-2", "day-2", hoursAgo(51))], NextToken: "page-2" })
        .resolvesOnce({ RecoveryPoints: [snapshot("us-west-2", "day-1", hoursAgo(27)), snapshot("us-west-2", "day-0", hoursAgo(3))] });
      expect(await h.run(["--from", "dr", "--dry-run", "--to-time", hoursAgo(26).toISOString()])).to.equal(0);
      expect(h.backupMock.commandCalls(ListRecoveryPointsByBackupVaultCommand)[1].args[0].input.NextToken).to.equal("page-2");
      expect(h.output.text()).to.contain("snapshot:awsbackup:day-1 (snapshot)");
    });

    it("fails with exit 1 and the fix when the vault has no recovery point of the database", async () => {
      const h = harness();
      script(h, { points: [] });
      expect(await h.run(["--from", "dr", "--yes"])).to.equal(1);
      expect(h.output.errors[0]).to.match(
        new RegExp(`^No completed recovery point of ${DB_ARN} in vault backup-dr \\(us-west-2\\): nothing was started\\. The vault holds none yet`),
      );
      expect(h.backupMock.commandCalls(StartRestoreJobCommand)).to.have.length(0);
    });

    it("fails when every copy is newer than --to-time", async () => {
      const h = harness();
      script(h, { points: [snapshot("us-west-2", "day-0", hoursAgo(3))] });
      expect(await h.run(["--from", "dr", "--yes", "--to-time", hoursAgo(5).toISOString()])).to.equal(1);
      expect(h.output.errors[0]).to.match(/at or before 2026-03-14T07:00:00\.000Z: nothing was started\. Choose a later --to-time/);
    });

    it("from the primary vault restores the continuous point to the latest restorable time, in the primary region's network", async () => {
      const h = harness();
      script(h, { points: [snapshot("us-east-1", "day-0", hoursAgo(3)), CONTINUOUS] });
      expect(await h.run(["--from", "primary", "--dry-run"])).to.equal(0);
      expect(h.regions).to.deep.equal(["us-east-1"]);
      const text = h.output.text();
      expect(text).to.contain("recovery-point:continuous:db-abc-1234 (continuous)");
      expect(text).to.contain("the latest restorable time (typically within 5 minutes of now)");
      expect(text).to.contain('"UseLatestRestorableTime":"true"');
      expect(text).to.contain('"DBSubnetGroupName":"primary-db-subnets"');
      expect(text).to.contain('"DBParameterGroupName":"primary-db-parameters"');
    });

    it("restores the continuous point to --to-time to the second", () => {
      const toTime = hoursAgo(2);
      const choice = chooseRecoveryPoint([CONTINUOUS], { toTime }, { vaultName: "v", region: "us-east-1", resourceArn: DB_ARN, now: NOW });
      expect(choice.pointInTime).to.equal(toTime);
      const metadata = restoreMetadata(SOURCE_METADATA, {
        cluster: false,
        name: "db-x",
        side: targets().primary,
        crossRegion: false,
        multiAz: true,
        pointInTime: toTime,
      });
      expect(metadata.RestoreTime).to.equal("2026-03-14T10:00:00.000Z");
      expect(metadata).to.not.have.property("UseLatestRestorableTime");
    });

    it("a point in time of an Aurora cluster sends RestoreToTime (RestoreDBClusterToPointInTime), never RestoreTime or instance-only keys", () => {
      const toTime = hoursAgo(2);
      const source = { ...SOURCE_METADATA, DBClusterIdentifier: "primary-cluster", DBClusterParameterGroupName: "primary-cluster-parameters" };
      const metadata = restoreMetadata(source, { cluster: true, name: "c-x", side: targets().primary, crossRegion: false, multiAz: true, pointInTime: toTime });
      expect(metadata.RestoreToTime).to.equal("2026-03-14T10:00:00.000Z");
      for (const key of ["RestoreTime", "UseLatestRestorableTime", "DBInstanceClass", "MultiAZ", "DBParameterGroupName", "DBInstanceIdentifier"]) {
        expect(metadata).to.not.have.property(key);
      }
      expect(metadata.DBClusterParameterGroupName).to.equal("primary-cluster-parameters");
      const latest = restoreMetadata(source, { cluster: true, name: "c-x", side: targets().primary, crossRegion: false, multiAz: true, pointInTime: "latest" });
      expect(latest.UseLatestRestorableTime).to.equal("true");
      expect(latest).to.not.have.property("RestoreToTime");
      const instance = restoreMetadata(
        { ...SOURCE_METADATA, RestoreToTime: "x", DBClusterParameterGroupName: "y" },
        {
          cluster: false,
          name: "db-x",
          side: targets().primary,
          crossRegion: false,
          multiAz: true,
          pointInTime: toTime,
        },
      );
      expect(instance).to.not.have.property("RestoreToTime");
      expect(instance).to.not.have.property("DBClusterParameterGroupName");
    });

    it("sends RestoreToTime through the CLI for an Aurora cluster's continuous point, inside the window DescribeDBClusters reports", async () => {
      const h = harness({ outputs: { backupRestoreTargets: targets(CLUSTER_ARN), replicaIdentifier: "dr-cluster" } });
      script(h, { points: [{ ...CONTINUOUS, ResourceArn: CLUSTER_ARN }], metadata: { DBClusterIdentifier: "primary-cluster", Engine: "aurora-postgresql" } });
      h.rdsMock
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: "primary-cluster" })
        .resolves({ DBClusters: [{ DBClusterIdentifier: "primary-cluster", EarliestRestorableTime: hoursAgo(48), LatestRestorableTime: hoursAgo(0.1) }] });
      expect(await h.run(["--from", "primary", "--dry-run", "--to-time", hoursAgo(2).toISOString(), "--name", "restored"])).to.equal(0);
      expect(h.output.text()).to.contain('"RestoreToTime":"2026-03-14T10:00:00.000Z"');
      expect(h.output.text()).to.not.contain('"RestoreTime"');
      expect(h.output.text()).to.contain("restorable       2026-03-12T12:00:00.000Z to 2026-03-14T11:54:00.000Z");
    });

    it("refuses a --to-time after the latest restorable time, naming the window, before asking", async () => {
      const h = harness({ interactive: true, answer: "restore primary-db-restore-202603141200" });
      script(h, { points: [CONTINUOUS, snapshot("us-east-1", "day-0", hoursAgo(3))] });
      h.rdsMock.on(DescribeDBInstanceAutomatedBackupsCommand, { DBInstanceIdentifier: "primary-db" }).resolves({
        DBInstanceAutomatedBackups: [
          { DBInstanceIdentifier: "primary-db", Status: "active", RestoreWindow: { EarliestTime: hoursAgo(24 * 7), LatestTime: hoursAgo(1) } },
        ],
      });
      expect(await h.run(["--from", "primary", "--to-time", hoursAgo(0.5).toISOString()])).to.equal(1);
      expect(h.output.errors[0]).to.equal(
        `--to-time 2026-03-14T11:30:00.000Z is after the latest restorable time of ${CONTINUOUS.RecoveryPointArn}: its restorable window is ` +
          "2026-03-07T12:00:00.000Z to 2026-03-14T11:00:00.000Z. Give a time in that window, or omit --to-time for the latest. Nothing was started.",
      );
      expect(h.prompts).to.deep.equal([]);
      expect(h.backupMock.commandCalls(GetRecoveryPointRestoreMetadataCommand)).to.have.length(0);
      expect(h.backupMock.commandCalls(StartRestoreJobCommand)).to.have.length(0);
    });

    it("refuses a --to-time before the earliest restorable time when no snapshot covers it, naming the window", async () => {
      const h = harness({ interactive: true, answer: "restore primary-db-restore-202603141200" });
      script(h, { points: [CONTINUOUS] });
      h.rdsMock.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({
        DBInstanceAutomatedBackups: [
          { DBInstanceIdentifier: "primary-db", Status: "active", RestoreWindow: { EarliestTime: hoursAgo(24 * 7), LatestTime: hoursAgo(0.1) } },
        ],
      });
      // After the recovery point's creation (10 days ago) but before RDS's window (7 days): today's code would start it and RDS would fail it.
      expect(await h.run(["--from", "primary", "--to-time", hoursAgo(24 * 8).toISOString()])).to.equal(1);
      expect(h.output.errors[0]).to.match(
        /at or before 2026-03-06T12:00:00\.000Z: nothing was started\. The continuous backup's restorable window is 2026-03-07T12:00:00\.000Z to 2026-03-14T11:54:00\.000Z\./,
      );
      expect(h.prompts).to.deep.equal([]);
      expect(h.backupMock.commandCalls(StartRestoreJobCommand)).to.have.length(0);
    });

    it("restores the continuous point to a --to-time inside the window with RestoreTime (RestoreDBInstanceToPointInTime)", async () => {
      const h = harness();
      script(h, { points: [CONTINUOUS] });
      h.rdsMock.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({
        DBInstanceAutomatedBackups: [
          { DBInstanceIdentifier: "primary-db", Status: "active", RestoreWindow: { EarliestTime: hoursAgo(24 * 7), LatestTime: hoursAgo(0.1) } },
        ],
      });
      expect(await h.run(["--from", "primary", "--yes", "--to-time", hoursAgo(2).toISOString()])).to.equal(0);
      expect(h.rdsMock.commandCalls(DescribeDBInstanceAutomatedBackupsCommand)[0].args[0].input).to.deep.equal({ DBInstanceIdentifier: "primary-db" });
      expect(startedMetadata(h).RestoreTime).to.equal("2026-03-14T10:00:00.000Z");
      expect(startedMetadata(h)).to.not.have.property("RestoreToTime");
    });

    it("restores a database deleted by mistake: RDS no longer describes it, so only the recovery point's creation bounds the time", async () => {
      const h = harness();
      script(h, { points: [CONTINUOUS] });
      h.rdsMock.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(awsError("DBInstanceNotFoundFault", "DBInstance primary-db not found."));
      expect(await h.run(["--from", "primary", "--yes", "--to-time", hoursAgo(2).toISOString()])).to.equal(0);
      expect(startedMetadata(h).RestoreTime).to.equal("2026-03-14T10:00:00.000Z");
    });

    it("still stops on any other error describing the window, naming the action", async () => {
      const h = harness();
      script(h, { points: [CONTINUOUS] });
      h.rdsMock.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(awsError("AccessDenied", "not authorized"));
      expect(await h.run(["--from", "primary", "--yes", "--to-time", hoursAgo(2).toISOString()])).to.equal(1);
      expect(h.output.errors.join("\n")).to.contain("rds:DescribeDBInstanceAutomatedBackups");
      expect(h.backupMock.commandCalls(StartRestoreJobCommand)).to.have.length(0);
    });

    it("falls back to a snapshot when --to-time is older than the continuous backup, and refuses a future time", () => {
      const old = snapshot("us-east-1", "old", hoursAgo(24 * 12));
      const choice = chooseRecoveryPoint(
        [CONTINUOUS, old],
        { toTime: hoursAgo(24 * 11) },
        { vaultName: "v", region: "us-east-1", resourceArn: DB_ARN, now: NOW },
      );
      expect(choice.point).to.equal(old);
      expect(choice.pointInTime).to.equal(undefined);
      expect(() =>
        chooseRecoveryPoint([CONTINUOUS], { toTime: new Date(NOW.getTime() + 60_000) }, { vaultName: "v", region: "us-east-1", resourceArn: DB_ARN, now: NOW }),
      ).to.throw(/is in the future/);
    });

    it("explains a denied listing with the missing permission", async () => {
      const h = harness();
      h.backupMock.on(ListRecoveryPointsByBackupVaultCommand).rejects(awsError("AccessDeniedException", "not authorized"));
      expect(await h.run(["--from", "dr", "--yes"])).to.equal(1);
      expect(h.output.errors[0]).to.match(/^Access denied: backup:ListRecoveryPointsByBackupVault on vault backup-dr is needed/);
    });
  });

  describe("the restore", () => {
    it("starts the job with the overridden metadata and the backup role, follows it, waits for the instance and prints the endpoint and next steps", async () => {
      const h = harness();
      script(h, { points: [snapshot("us-west-2", "newest", hoursAgo(3))], jobStates: [{ Status: "PENDING" }, { Status: "RUNNING" }, { Status: "COMPLETED" }] });
      expect(await h.run(["--from", "dr", "--yes", "--name", "orders-restored", "--single-az", "--poll-seconds", "10"])).to.equal(0);
      const start = h.backupMock.commandCalls(StartRestoreJobCommand)[0].args[0].input;
      expect(start.RecoveryPointArn).to.equal(`arn:aws:rds:us-west-2:${ACCOUNT}:snapshot:awsbackup:newest`);
      expect(start.IamRoleArn).to.equal(ROLE);
      expect(start.IdempotencyToken).to.equal("restore orders-restored");
      expect(startedMetadata(h)).to.include({
        DBInstanceIdentifier: "orders-restored",
        MultiAZ: "false",
        DBSubnetGroupName: "dr-db-subnets",
        KmsKeyId: DR_KEY,
      });
      expect(h.backupMock.commandCalls(DescribeRestoreJobCommand)).to.have.length(3);
      expect(h.rdsMock.commandCalls(DescribeDBInstancesCommand)[1].args[0].input).to.deep.equal({ DBInstanceIdentifier: "orders-restored" });
      expect(h.sleeps.every((sleep) => sleep === 10_000)).to.equal(true);
      const text = h.output.text();
      expect(text).to.contain("Restore job job-1 COMPLETED after 00:20");
      expect(text).to.contain("Restored: instance orders-restored in us-west-2, endpoint orders-restored.abc.us-west-2.rds.amazonaws.com:5432");
      expect(text).to.contain("Next steps:");
      // Credentials usable in the DR region: a new RDS-managed password under the DR key, waited for until active.
      expect(h.rdsMock.commandCalls(ModifyDBInstanceCommand).map((call) => call.args[0].input)).to.deep.equal([
        { DBInstanceIdentifier: "orders-restored", ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: DR_KEY, ApplyImmediately: true },
      ]);
      expect(text).to.contain(`with the password in ${secretArnOf("orders-restored")} (us-west-2`);
      expect(text).to.contain("move the stable database name");
      expect(text).to.contain("aws rds delete-db-instance --db-instance-identifier orders-restored --region us-west-2");
      expect(h.prompts).to.deep.equal([]);
    });

    it("asks for the confirmation phrase and starts nothing on a wrong answer", async () => {
      const h = harness({ interactive: true, answer: "yes" });
      script(h, { points: [snapshot("us-west-2", "newest", hoursAgo(3))] });
      expect(await h.run(["--from", "dr", "--name", "orders-restored"])).to.equal(1);
      expect(h.prompts).to.deep.equal(['Type "restore orders-restored" to start it (anything else cancels): ']);
      expect(h.output.errors[0]).to.equal('Not confirmed (expected "restore orders-restored"): nothing was started.');
      expect(h.backupMock.commandCalls(StartRestoreJobCommand)).to.have.length(0);
    });

    it("starts after the right phrase", async () => {
      const h = harness({ interactive: true, answer: "restore orders-restored" });
      script(h, { points: [snapshot("us-west-2", "newest", hoursAgo(3))] });
      expect(await h.run(["--from", "dr", "--name", "orders-restored"])).to.equal(0);
      expect(h.backupMock.commandCalls(StartRestoreJobCommand)).to.have.length(1);
    });

    for (const status of ["FAILED", "ABORTED"]) {
      it(`exits 2 with AWS Backup's message when the job is ${status}`, async () => {
        const h = harness();
        script(h, {
          points: [snapshot("us-west-2", "newest", hoursAgo(3))],
          jobStates: [{ Status: "RUNNING" }, { Status: status, StatusMessage: "DBSubnetGroupNotFoundFault" }],
        });
        expect(await h.run(["--from", "dr", "--yes"])).to.equal(2);
        expect(h.output.errors[0]).to.match(new RegExp(`^Restore job job-1 ${status}: DBSubnetGroupNotFoundFault\\. Nothing usable was created`));
        expect(newDatabaseCalls(h)).to.have.length(0);
      });
    }

    it("stops following at the timeout with exit 2, saying the job goes on and how to follow it", async () => {
      const h = harness();
      script(h, { points: [snapshot("us-west-2", "newest", hoursAgo(3))], jobStates: [{ Status: "RUNNING" }] });
      expect(await h.run(["--from", "dr", "--yes", "--timeout-minutes", "5", "--poll-seconds", "60"])).to.equal(2);
      expect(h.backupMock.commandCalls(DescribeRestoreJobCommand)).to.have.length(6);
      expect(h.sleeps.reduce((sum, sleep) => sum + sleep, 0)).to.equal(300_000);
      expect(h.output.errors[0]).to.match(
        /^Restore job job-1 is still running after 5 min; it goes on\. Follow it with aws backup describe-restore-job --restore-job-id job-1 --region us-west-2/,
      );
    });

    it("restores an Aurora cluster, creates its writer and prints the cluster endpoint", async () => {
      const h = harness({ outputs: { backupRestoreTargets: targets(CLUSTER_ARN), replicaIdentifier: "dr-cluster" } });
      const clusterPoint = {
        ...snapshot("us-west-2", "cluster", hoursAgo(3)),
        RecoveryPointArn: `arn:aws:rds:us-west-2:${ACCOUNT}:cluster-snapshot:awsbackup:c1`,
        ResourceArn: CLUSTER_ARN,
      };
      script(h, {
        points: [clusterPoint],
        metadata: {
          DBClusterIdentifier: "primary-cluster",
          Engine: "aurora-postgresql",
          AvailabilityZones: '["us-east-1a"]',
          GlobalClusterIdentifier: "g1",
          KmsKeyId: PRIMARY_KEY,
        },
      });
      h.rdsMock.on(CreateDBInstanceCommand).resolves({});
      mockDrCluster(h);
      h.rdsMock.on(DescribeDBClustersCommand, { DBClusterIdentifier: "restored" }).callsFake(() => ({
        DBClusters: [
          {
            DBClusterIdentifier: "restored",
            Status: "available",
            Endpoint: "restored.cluster-abc.us-west-2.rds.amazonaws.com",
            Port: 5432,
            ...secretOf("restored"),
          },
        ],
      }));
      expect(await h.run(["--from", "dr", "--yes", "--name", "restored", "--instance-class", "db.r6g.large"])).to.equal(0);
      // The cluster, not its writer, gets the regional secret.
      expect(h.rdsMock.commandCalls(ModifyDBClusterCommand).map((call) => call.args[0].input)).to.deep.equal([
        { DBClusterIdentifier: "restored", ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: DR_KEY, ApplyImmediately: true },
      ]);
      expect(h.rdsMock.commandCalls(ModifyDBInstanceCommand)).to.have.length(0);
      expect(startedMetadata(h)).to.deep.equal({
        Engine: "aurora-postgresql",
        KmsKeyId: DR_KEY,
        DBClusterIdentifier: "restored",
        DBClusterParameterGroupName: DR_CLUSTER_PARAMETERS,
        DBSubnetGroupName: "dr-db-subnets",
        VpcSecurityGroupIds: '["sg-dr"]',
      });
      expect(h.rdsMock.commandCalls(CreateDBInstanceCommand)[0].args[0].input).to.deep.equal({
        DBInstanceIdentifier: "restored-writer",
        DBClusterIdentifier: "restored",
        Engine: "aurora-postgresql",
        DBInstanceClass: "db.r6g.large",
      });
      expect(h.output.text()).to.contain("Restored: cluster restored in us-west-2, endpoint restored.cluster-abc.us-west-2.rds.amazonaws.com:5432");
    });

    it("keeps a regional secret the restored instance already has, and waits for none", async () => {
      const h = harness();
      script(h, { points: [snapshot("us-west-2", "newest", hoursAgo(3))] });
      managed.set("orders-restored", 1);
      expect(await h.run(["--from", "dr", "--yes", "--name", "orders-restored"])).to.equal(0);
      expect(h.rdsMock.commandCalls(ModifyDBInstanceCommand)).to.have.length(0);
      expect(h.output.text()).to.contain(secretArnOf("orders-restored"));
    });

    it("explains a refused ManageMasterUserPassword with the permission it needs, and says the database exists and how to finish or delete it", async () => {
      const h = harness();
      script(h, { points: [snapshot("us-west-2", "newest", hoursAgo(3))] });
      h.rdsMock.on(ModifyDBInstanceCommand).rejects(awsError("AccessDenied", "not authorized to perform secretsmanager:CreateSecret"));
      expect(await h.run(["--from", "dr", "--yes", "--name", "orders-restored"])).to.equal(EXIT.executionFailed);
      const error = h.output.errors.join("\n");
      expect(error).to.match(/Access denied: rds:ModifyDBInstance on orders-restored \(ManageMasterUserPassword with .*\) is needed/);
      expect(error).to.contain("The database exists (orders-restored.abc.us-west-2.rds.amazonaws.com:5432)");
      expect(error).to.contain("--manage-master-user-password");
      expect(error).to.contain("aws rds delete-db-instance --db-instance-identifier orders-restored --region us-west-2");
      // The endpoint and the way to delete it were printed as soon as it existed.
      expect(h.output.text()).to.contain("Instance orders-restored is available at orders-restored.abc.us-west-2.rds.amazonaws.com:5432");
    });

    it("retries the change while RDS refuses it because the fresh database is busy", async () => {
      const h = harness();
      script(h, { points: [snapshot("us-west-2", "newest", hoursAgo(3))] });
      let attempts = 0;
      h.rdsMock.on(ModifyDBInstanceCommand).callsFake((input: { DBInstanceIdentifier: string }) => {
        attempts += 1;
        if (attempts < 3) throw awsError("InvalidDBInstanceStateFault", "backing-up");
        managed.set(input.DBInstanceIdentifier, 0);
        return {};
      });
      expect(await h.run(["--from", "dr", "--yes", "--name", "orders-restored"])).to.equal(0);
      expect(attempts).to.equal(3);
    });

    it("stops following, with the way to go on, when the secret is not active by the timeout", async () => {
      const h = harness();
      script(h, { points: [snapshot("us-west-2", "newest", hoursAgo(3))] });
      h.rdsMock.on(ModifyDBInstanceCommand).resolves({});
      expect(await h.run(["--from", "dr", "--yes", "--name", "orders-restored", "--timeout-minutes", "5"])).to.equal(EXIT.executionFailed);
      expect(h.output.errors.join("\n")).to.match(
        /master user secret of orders-restored was not active, or the database not available again, after 5 min\. The database exists/,
      );
    });

    it("reports a writer that cannot be created, naming rds:CreateDBInstance", async () => {
      const h = harness({ outputs: { backupRestoreTargets: targets(CLUSTER_ARN), replicaIdentifier: "dr-cluster" } });
      script(h, { points: [{ ...snapshot("us-west-2", "c", hoursAgo(3)), ResourceArn: CLUSTER_ARN }], metadata: { Engine: "aurora-postgresql" } });
      mockDrCluster(h);
      h.rdsMock.on(CreateDBInstanceCommand).rejects(awsError("AccessDenied", "no"));
      expect(await h.run(["--from", "dr", "--yes", "--name", "restored"])).to.equal(1);
      expect(h.output.errors[0]).to.match(/^Access denied: rds:CreateDBInstance on restored-writer in cluster restored is needed/);
    });
  });

  describe("helpers", () => {
    it("defaultRestoreName stamps the UTC minute and leaves room for -writer", () => {
      expect(defaultRestoreName(DB_ARN, NOW)).to.equal("primary-db-restore-202603141200");
      const long = defaultRestoreName(`arn:aws:rds:us-east-1:${ACCOUNT}:cluster:${"a".repeat(60)}`, NOW);
      expect(long.length).to.be.at.most(56);
      expect(long).to.match(/^a+-restore-202603141200$/);
    });

    it("restoreMetadata keeps the source's parameter group in its own region and drops it across regions", () => {
      const side = targets().dr;
      expect(restoreMetadata(SOURCE_METADATA, { cluster: false, name: "x", side, crossRegion: false, multiAz: true })).to.have.property("DBParameterGroupName");
      expect(restoreMetadata(SOURCE_METADATA, { cluster: false, name: "x", side, crossRegion: true, multiAz: true })).to.not.have.property(
        "DBParameterGroupName",
      );
    });
  });
});
