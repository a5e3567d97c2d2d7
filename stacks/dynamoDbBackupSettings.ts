/**
 * AWS Backup can copy a DynamoDB table's backups to another region only with its advanced DynamoDB
 * backup features on (AWS Backup Developer Guide, "Advanced DynamoDB backup": cross-Region copy is
 * one of them). They are on by default for accounts that started using AWS Backup after November
 * 2021; older accounts must turn them on per region, which is the `DynamoDB` entry of the region's
 * `ResourceTypeManagementPreference` (AWS Backup API Reference, DescribeRegionSettings and
 * UpdateRegionSettings). Without them the DR stack's backup plan, and DR invariant 12 that checks it,
 * would promise copies of the table that never happen.
 *
 * The program does not manage the setting itself: `aws.backup.RegionSettings` requires the whole
 * opt-in map of the region, which would override the account's choices for every other service.
 * It reads the setting instead, at `pulumi preview` and `pulumi up` (a real engine), and refuses
 * the DR stack before any resource is created when it is off. Offline synthesis has no account to
 * read and says where the check runs.
 */
import { BackupClient, DescribeRegionSettingsCommand } from "@aws-sdk/client-backup";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { CONFIG_NAMESPACE } from "../config/schema";

/** The guide's page for turning the features on. */
export const ADVANCED_DYNAMODB_BACKUP_PAGE = "https://docs.aws.amazon.com/aws-backup/latest/devguide/advanced-ddb-backup.html";

/** What DescribeRegionSettings answers (the part read here). */
export interface BackupRegionSettings {
  ResourceTypeManagementPreference?: Record<string, boolean>;
}

/** The CLI command that turns the features on in `region`. */
export function enableAdvancedDynamoDbBackupCommand(region: string): string {
  return `aws backup update-region-settings --region ${region} --resource-type-management-preference DynamoDB=true`;
}

/**
 * What `settings` of `region` say about copying a DynamoDB table's backups: `off` (the management
 * preference is false: the copies would fail; refused), `unknown` (the key is absent: warned), or
 * undefined when they can.
 */
export function advancedDynamoDbBackupProblem(settings: BackupRegionSettings, region: string): { verdict: "off" | "unknown"; message: string } | undefined {
  const preference = settings.ResourceTypeManagementPreference?.DynamoDB;
  if (preference === true) return undefined;
  const fix = `turn them on once: ${enableAdvancedDynamoDbBackupCommand(region)} (${ADVANCED_DYNAMODB_BACKUP_PAGE})`;
  return preference === false
    ? {
        verdict: "off",
        message: `AWS Backup's advanced DynamoDB backup features are off in ${region} for this account, so the backup plan's cross-region copies of the global table would never happen; ${fix}`,
      }
    : {
        verdict: "unknown",
        message: `AWS Backup's region settings in ${region} do not say whether its advanced DynamoDB backup features are on; if the table's copy jobs fail, ${fix}`,
      };
}

/**
 * Under a real engine, reads AWS Backup's region settings in `region` (where the backup plan copies
 * from) and refuses the stack when they say the DynamoDB copies would fail; offline, logs that the
 * check runs at preview. The settings live in the primary region, so a read that fails (that region
 * down, or no `backup:DescribeRegionSettings`) only warns: the DR stack must stay deployable during an
 * outage. `client` is for tests.
 * @throws ConfigError naming `multi-region-dr:backup` when the features are off.
 */
export async function checkAdvancedDynamoDbBackup(region: string, stackName: string, client?: BackupClient): Promise<void> {
  if (!pulumi.runtime.hasEngine() && client === undefined) {
    pulumi.log.info(
      `offline synthesis cannot read AWS Backup's region settings: pulumi preview checks that advanced DynamoDB backup is on in ${region} (${ADVANCED_DYNAMODB_BACKUP_PAGE})`,
    );
    return;
  }
  const refuse = (message: string) =>
    new ConfigError(`Invalid configuration for stack "${stackName}"`, [{ key: `${CONFIG_NAMESPACE}:backup`, value: undefined, message }]);
  let settings: BackupRegionSettings;
  try {
    // Short timeouts and one retry: an unreachable region must not stall the preview.
    const backup = client ?? new BackupClient({ region, maxAttempts: 2, requestHandler: { connectionTimeout: 3000, requestTimeout: 5000 } });
    settings = await backup.send(new DescribeRegionSettingsCommand({}));
  } catch (error) {
    pulumi.log.warn(
      `could not read AWS Backup's region settings in ${region} (${(error as Error).name}: ${(error as Error).message}): whether the global table's backups can be copied to the DR region is not checked; the deploying role needs backup:DescribeRegionSettings`,
    );
    return;
  }
  const problem = advancedDynamoDbBackupProblem(settings, region);
  if (problem?.verdict === "off") throw refuse(problem.message);
  if (problem) pulumi.log.warn(problem.message);
}
