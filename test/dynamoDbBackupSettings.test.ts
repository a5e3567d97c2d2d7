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

  for (const [what, settings] of [
    ["off", { ResourceTypeManagementPreference: { DynamoDB: false } }],
    ["absent (an account from before November 2021)", { ResourceTypeManagementPreference: { EFS: true } }],
    ["not reported at all", {}],
  ] as const) {
    it(`refuses the stack, naming multi-region-dr:backup and the command that fixes it, when the preference is ${what}`, async () => {
      backup.on(DescribeRegionSettingsCommand).resolves(settings);
      const error = await refusal(checkAdvancedDynamoDbBackup("eu-central-1", "dr", client));
      expect(error.problems.map((problem) => problem.key)).to.deep.equal(["multi-region-dr:backup"]);
      expect(error.problems[0].message).to.contain(enableAdvancedDynamoDbBackupCommand("eu-central-1"));
      expect(error.problems[0].message).to.contain("or set backup.enabled to false");
    });
  }

  it("refuses, naming backup:DescribeRegionSettings, when the settings cannot be read", async () => {
    backup.on(DescribeRegionSettingsCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    const error = await refusal(checkAdvancedDynamoDbBackup("eu-central-1", "dr", client));
    expect(error.problems[0].message).to.match(/AccessDeniedException: not authorized.*backup:DescribeRegionSettings/);
  });

  it("reads nothing offline (no engine, no client): the check runs at pulumi preview", async () => {
    await checkAdvancedDynamoDbBackup("eu-central-1", "dr");
    expect(backup.commandCalls(DescribeRegionSettingsCommand)).to.have.length(0);
  });

  it("advancedDynamoDbBackupProblem is the pure rule", () => {
    expect(advancedDynamoDbBackupProblem({ ResourceTypeManagementPreference: { DynamoDB: true } }, "us-east-1")).to.equal(undefined);
    expect(advancedDynamoDbBackupProblem({}, "us-east-1")).to.match(/off in us-east-1/);
  });
});
