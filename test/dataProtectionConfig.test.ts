// Config and contract tests for issue 7's keys: database.engineMode (aurora-global), globalTable,
// backup and objectLock, the cross-key rules between them, and the primary outputs that carry the
// Aurora global cluster and the DynamoDB table to the DR stack.
import { expect } from "chai";
import { ConfigError } from "../config/errors";
import { parseStackConfig } from "../config/load";
import { auroraEngineVersionProblem, auroraInstanceClassProblem } from "../config/aurora";
import { type DrConfig, type PrimaryConfig } from "../config/schema";
import { crossStackProblems, parsePrimaryOutputs } from "../stacks/primaryOutputs";
import { primaryOutputsFixture } from "./fixtures/primaryOutputs";

const NS = "multi-region-dr";
const PRIMARY_STACK = "organization/multi-region-dr/primary";

function flat(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

function primary(overrides: Record<string, unknown> = {}): PrimaryConfig {
  const config = parseStackConfig(flat({ "aws:region": "us-east-1", [`${NS}:role`]: "primary", ...overrides }), "t");
  if (config.role !== "primary") throw new Error("expected primary");
  return config;
}

function dr(overrides: Record<string, unknown> = {}): DrConfig {
  const config = parseStackConfig(flat({ "aws:region": "us-west-2", [`${NS}:role`]: "dr", [`${NS}:primaryStack`]: PRIMARY_STACK, ...overrides }), "t");
  if (config.role !== "dr") throw new Error("expected dr");
  return config;
}

/** The problems of a config that must fail, as `key: message` lines. */
function problemsOf(action: () => unknown): { key: string; value: unknown; message: string }[] {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems.map(({ key, value, message }) => ({ key, value, message }));
  }
  expect.fail("expected a ConfigError");
}

const AURORA_CLUSTER_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:primary-db-cluster-1a2b3c4d";

describe("database.engineMode", () => {
  it("defaults to instance with the RDS instance defaults", () => {
    const { database } = primary();
    expect(database.engineMode).to.equal("instance");
    expect(database.instanceClass).to.equal("db.t4g.medium");
    expect([database.allocatedStorageGib, database.maxAllocatedStorageGib]).to.deep.equal([50, 200]);
  });

  it("aurora-global defaults to a memory-optimized class, not the burstable instance default", () => {
    const { database } = primary({ [`${NS}:database`]: { engineMode: "aurora-global" } });
    expect(database.engineMode).to.equal("aurora-global");
    expect(database.instanceClass).to.equal("db.r6g.large");
  });

  it("refuses a burstable class for aurora-global, naming the key and the fix", () => {
    const problems = problemsOf(() => primary({ [`${NS}:database`]: { engineMode: "aurora-global", instanceClass: "db.t4g.medium" } }));
    expect(problems).to.have.length(1);
    expect(problems[0].key).to.equal(`${NS}:database.instanceClass`);
    expect(problems[0].value).to.equal("db.t4g.medium");
    expect(problems[0].message).to.include("cannot run an Aurora global database").and.include("db.r6g.large");
  });

  it("accepts the same burstable class in instance mode", () => {
    expect(primary({ [`${NS}:database`]: { instanceClass: "db.t4g.small" } }).database.instanceClass).to.equal("db.t4g.small");
  });

  it("refuses RDS storage keys in aurora-global instead of dropping them", () => {
    const problems = problemsOf(() => primary({ [`${NS}:database`]: { engineMode: "aurora-global", allocatedStorageGib: 100, maxAllocatedStorageGib: 400 } }));
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:database.allocatedStorageGib`, `${NS}:database.maxAllocatedStorageGib`]);
    expect(problems[0].message).to.include("Aurora storage grows by itself");
  });

  it("refuses the instance mode's failback source in aurora-global", () => {
    const problems = problemsOf(() =>
      primary({ [`${NS}:database`]: { engineMode: "aurora-global", replicaSourceArn: "arn:aws:rds:us-west-2:123456789012:db:dr-db-instance-1" } }),
    );
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:database.replicaSourceArn`]);
    expect(problems[0].message).to.include("managed switchover");
  });

  it("refuses an unknown engine mode", () => {
    const problems = problemsOf(() => primary({ [`${NS}:database`]: { engineMode: "aurora" } }));
    expect(problems[0].key).to.equal(`${NS}:database.engineMode`);
    expect(problems[0].message).to.include("instance, aurora-global");
  });

  it("checks Aurora version forms per engine, and refuses an Aurora MySQL version on an RDS instance", () => {
    expect(primary({ [`${NS}:database`]: { engineMode: "aurora-global", engineVersion: "16.6" } }).database.engineVersion).to.equal("16.6");
    expect(
      primary({ [`${NS}:database`]: { engineMode: "aurora-global", engine: "mysql", engineVersion: "8.0.mysql_aurora.3.08.0" } }).database.engineVersion,
    ).to.equal("8.0.mysql_aurora.3.08.0");
    const pg = problemsOf(() => primary({ [`${NS}:database`]: { engineMode: "aurora-global", engineVersion: "17" } }));
    expect(pg[0].message).to.include("<major>.<minor>");
    const mysql = problemsOf(() => primary({ [`${NS}:database`]: { engineMode: "aurora-global", engine: "mysql", engineVersion: "8.4" } }));
    expect(mysql[0].message).to.include("8.0.mysql_aurora.3.<minor>.<patch>");
    const instance = problemsOf(() => primary({ [`${NS}:database`]: { engine: "mysql", engineVersion: "8.0.mysql_aurora.3.08.0" } }));
    expect(instance[0].message).to.include("is an Aurora MySQL version");
  });

  it("refuses aurora-global with backup-restore, which keeps no live DR database", () => {
    const problems = problemsOf(() => primary({ [`${NS}:database`]: { engineMode: "aurora-global" }, [`${NS}:recovery`]: { strategy: "backup-restore" } }));
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:recovery.strategy`]);
    expect(problems[0].message).to.include("choose pilot-light or higher");
  });

  it("rules as pure functions", () => {
    expect(auroraInstanceClassProblem("db.r7g.xlarge")).to.equal(undefined);
    expect(auroraInstanceClassProblem("db.t3.medium")).to.include("burstable");
    expect(auroraInstanceClassProblem("db.m6g.large")).to.include("not a memory-optimized class");
    expect(auroraEngineVersionProblem("postgres", "17.4")).to.equal(undefined);
    expect(auroraEngineVersionProblem("postgres", "12.9")).to.include("use 14 or later (14, 15, 16, 17 are in standard support)");
    expect(auroraEngineVersionProblem("postgres", "13.20")).to.include("past Aurora standard support");
    expect(auroraEngineVersionProblem("postgres", "18.1")).to.equal(undefined);
    expect(auroraEngineVersionProblem("mysql", "8.0.mysql_aurora.2.11.0")).to.include("8.0.mysql_aurora.3.<minor>.<patch>");
  });
});

describe("globalTable", () => {
  it("is off by default with partition key pk", () => {
    expect(primary().globalTable).to.deep.equal({ enabled: false, partitionKey: "pk" });
  });

  it("takes a sort key different from the partition key", () => {
    expect(primary({ [`${NS}:globalTable`]: { enabled: true, sortKey: "sk" } }).globalTable).to.deep.equal({
      enabled: true,
      partitionKey: "pk",
      sortKey: "sk",
    });
    const problems = problemsOf(() => primary({ [`${NS}:globalTable`]: { enabled: true, sortKey: "pk" } }));
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:globalTable.sortKey`]);
  });

  it("refuses key names DynamoDB would not take and unknown keys", () => {
    expect(problemsOf(() => primary({ [`${NS}:globalTable`]: { partitionKey: "has space" } }))[0].key).to.equal(`${NS}:globalTable.partitionKey`);
    expect(problemsOf(() => primary({ [`${NS}:globalTable`]: { billing: "PROVISIONED" } }))[0].key).to.equal(`${NS}:globalTable.billing`);
  });

  it("is not a DR stack key (the DR stack replicates what the primary exports)", () => {
    expect(problemsOf(() => dr({ [`${NS}:globalTable`]: { enabled: true } }))[0].key).to.equal(`${NS}:globalTable`);
  });
});

describe("backup", () => {
  it("is on by default: daily at 05:00 UTC, governance vault lock, retention left to the primary's", () => {
    expect(dr().backup).to.deep.equal({ enabled: true, scheduleExpression: "cron(0 5 ? * * *)", vaultLock: "governance" });
  });

  it("refuses a retention that differs from the primary database's, which continuous backup would fight", () => {
    const problems = crossStackProblems(dr({ [`${NS}:backup`]: { retentionDays: 14 } }), primaryOutputsFixture({ dbBackupRetentionDays: 7 }));
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:backup.retentionDays`]);
    expect(problems[0].message).to.include("set the primary's database.backupRetentionDays to 14").and.include("or remove it");
    expect(crossStackProblems(dr({ [`${NS}:backup`]: { retentionDays: 7 } }), primaryOutputsFixture({ dbBackupRetentionDays: 7 }))).to.deep.equal([]);
    expect(crossStackProblems(dr({ [`${NS}:backup`]: { enabled: false, retentionDays: 14 } }), primaryOutputsFixture())).to.deep.equal([]);
  });

  it("keeps 5 to 35 days", () => {
    expect(dr({ [`${NS}:backup`]: { retentionDays: 5 } }).backup.retentionDays).to.equal(5);
    expect(dr({ [`${NS}:backup`]: { retentionDays: 35 } }).backup.retentionDays).to.equal(35);
    expect(problemsOf(() => dr({ [`${NS}:backup`]: { retentionDays: 4 } }))[0].message).to.include("at least 5");
    expect(problemsOf(() => dr({ [`${NS}:backup`]: { retentionDays: 36 } }))[0].message).to.include("at most 35");
  });

  it("takes cron schedules and refuses rate(...), which AWS Backup does not take, and malformed ones", () => {
    expect(dr({ [`${NS}:backup`]: { scheduleExpression: "cron(30 2 ? * MON-FRI *)" } }).backup.scheduleExpression).to.equal("cron(30 2 ? * MON-FRI *)");
    for (const bad of ["0 5 * * *", "cron(0 5 * *)", "rate(12 hours)"]) {
      const problems = problemsOf(() => dr({ [`${NS}:backup`]: { scheduleExpression: bad } }));
      expect(problems[0].key).to.equal(`${NS}:backup.scheduleExpression`);
      expect(problems[0].message).to.include("cron(0 5 ? * * *)");
    }
  });

  it("refuses an unknown vault lock mode", () => {
    expect(problemsOf(() => dr({ [`${NS}:backup`]: { vaultLock: "legal-hold" } }))[0].message).to.include("governance, compliance or none");
  });
});

describe("objectLock", () => {
  it("is off by default, 30 days when turned on", () => {
    expect(dr().objectLock).to.deep.equal({ mode: "none", retentionDays: 30 });
    expect(dr({ [`${NS}:objectLock`]: { mode: "compliance", retentionDays: 365 } }).objectLock).to.deep.equal({ mode: "compliance", retentionDays: 365 });
  });

  it("refuses unknown modes and retention outside 1 to 36500 days", () => {
    expect(problemsOf(() => dr({ [`${NS}:objectLock`]: { mode: "GOVERNANCE" } }))[0].message).to.include("none, governance or compliance");
    expect(problemsOf(() => dr({ [`${NS}:objectLock`]: { mode: "governance", retentionDays: 0 } }))[0].key).to.equal(`${NS}:objectLock.retentionDays`);
  });
});

describe("the primary's outputs for Aurora and DynamoDB", () => {
  const aurora = () =>
    primaryOutputsFixture({
      dbEngineMode: "aurora-global",
      dbArn: AURORA_CLUSTER_ARN,
      dbIdentifier: "primary-db-cluster-1a2b3c4d",
      dbGlobalClusterIdentifier: "primary-db-global",
    });

  it("reads an instance primary deployed before engine modes as instance mode", () => {
    const { dbEngineMode: _absent, ...older } = primaryOutputsFixture();
    expect(parsePrimaryOutputs(older, PRIMARY_STACK).dbEngineMode).to.equal("instance");
  });

  it("accepts an aurora-global primary with its cluster ARN and global cluster", () => {
    const parsed = parsePrimaryOutputs(aurora(), PRIMARY_STACK);
    expect(parsed.dbGlobalClusterIdentifier).to.equal("primary-db-global");
  });

  it("refuses an aurora-global primary without its global cluster, and says what is wrong rather than 'deploy first'", () => {
    const { dbGlobalClusterIdentifier: _dropped, ...values } = aurora();
    let error: ConfigError | undefined;
    try {
      parsePrimaryOutputs(values, PRIMARY_STACK);
    } catch (thrown) {
      error = thrown as ConfigError;
    }
    expect(error?.problems.map((problem) => problem.key)).to.deep.equal([`${PRIMARY_STACK} output dbGlobalClusterIdentifier`]);
    expect(error?.problems[0].message).to.include("the global cluster the DR secondary joins");
  });

  it("refuses an ARN that does not match the engine mode", () => {
    const instanceArn = primaryOutputsFixture().dbArn;
    expect(() => parsePrimaryOutputs({ ...aurora(), dbArn: instanceArn }, PRIMARY_STACK)).to.throw(ConfigError, "dbArn");
    expect(() => parsePrimaryOutputs(primaryOutputsFixture({ dbArn: AURORA_CLUSTER_ARN }), PRIMARY_STACK)).to.throw(ConfigError, "dbArn");
  });

  it("takes the table name and ARN together only", () => {
    const arn = "arn:aws:dynamodb:us-east-1:123456789012:table/app";
    expect(parsePrimaryOutputs(primaryOutputsFixture({ globalTableName: "app", globalTableArn: arn }), PRIMARY_STACK).globalTableArn).to.equal(arn);
    expect(() => parsePrimaryOutputs(primaryOutputsFixture({ globalTableName: "app" }), PRIMARY_STACK)).to.throw(ConfigError, "globalTableArn");
  });

  it("refuses database.promoted on a DR stack of an aurora-global primary", () => {
    const problems = crossStackProblems(dr({ [`${NS}:database`]: { promoted: true } }), parsePrimaryOutputs(aurora(), PRIMARY_STACK));
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:database.promoted`]);
    expect(problems[0].message).to.include("Aurora global database");
  });
});
