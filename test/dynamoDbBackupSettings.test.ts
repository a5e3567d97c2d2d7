/**
 * The check that AWS Backup can copy the global table's backups out of the primary region
 * (stacks/dynamoDbBackupSettings.ts): DescribeRegionSettings read in that region, the stack refused
 * with the command that fixes it when the advanced DynamoDB features are off or unreadable.
 */
import { BackupClient, DescribeRegionSettingsCommand } from "@aws-sdk/client-backup";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { ConfigError } from "../config/errors";
import { advancedDynamoDbBackupProblem, checkAdvancedDynamoDbBackup, enableAdvancedDynamoDbBackupCommand } from "../stacks/dynamoDbBackupSettings";

async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("AWS Backup's advanced DynamoDB features (cross-region copies of the global table)", () => {
  const client = new BackupClient({ region: "eu-central-1" });
  const backup = mockClient(client);
  afterEach(() => backup.reset());
  after(() => backup.restore());

  it("passes when the region's management preference for DynamoDB is on, reading the primary region's settings", async () => {
    backup.on(DescribeRegionSettingsCommand).resolves({ ResourceTypeManagementPreference: { DynamoDB: true, EFS: false } });
    await checkAdvancedDynamoDbBackup("eu-central-1", "dr", client);
    expect(backup.commandCalls(DescribeRegionSettingsCommand)).to.have.length(1);
    expect(await client.config.region()).to.equal("eu-central-1");
  });

  it("refuses the stack, naming multi-region-dr:backup and the command that fixes it, when the preference is off", async () => {
    backup.on(DescribeRegionSettingsCommand).resolves({ ResourceTypeManagementPreference: { DynamoDB: false } });
    const error = await refusal(checkAdvancedDynamoDbBackup("eu-central-1", "dr", client));
    expect(error.problems.map((problem) => problem.key)).to.deep.equal(["multi-region-dr:backup"]);
    expect(error.problems[0].message).to.contain(enableAdvancedDynamoDbBackupCommand("eu-central-1"));
    expect(error.problems[0].message).to.not.contain("backup.enabled");
  });

  for (const [what, settings] of [
    ["absent from the preferences", { ResourceTypeManagementPreference: { EFS: true } }],
    ["not reported at all", {}],
  ] as const) {
    it(`deploys, with a warning naming the command, when the preference is ${what}`, async () => {
      backup.on(DescribeRegionSettingsCommand).resolves(settings);
      await checkAdvancedDynamoDbBackup("eu-central-1", "dr", client);
      expect(advancedDynamoDbBackupProblem(settings, "eu-central-1")).to.deep.include({ verdict: "unknown" });
    });
  }

  it("deploys with a warning when the settings cannot be read (the primary region may be down: the DR stack must stay deployable)", async () => {
    backup.on(DescribeRegionSettingsCommand).rejects(Object.assign(new Error("connect ETIMEDOUT"), { name: "TimeoutError" }));
    await checkAdvancedDynamoDbBackup("eu-central-1", "dr", client);
    expect(backup.commandCalls(DescribeRegionSettingsCommand)).to.have.length(1);
  });

  it("reads nothing offline (no engine, no client): the check runs at pulumi preview", async () => {
    await checkAdvancedDynamoDbBackup("eu-central-1", "dr");
    expect(backup.commandCalls(DescribeRegionSettingsCommand)).to.have.length(0);
  });

  it("advancedDynamoDbBackupProblem is the pure rule", () => {
    expect(advancedDynamoDbBackupProblem({ ResourceTypeManagementPreference: { DynamoDB: true } }, "us-east-1")).to.equal(undefined);
    expect(advancedDynamoDbBackupProblem({ ResourceTypeManagementPreference: { DynamoDB: false } }, "us-east-1")?.message).to.match(/off in us-east-1/);
  });
});
