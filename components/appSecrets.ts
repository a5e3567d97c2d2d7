/**
 * AppSecrets: the app's Secrets Manager secrets, made in the primary region and replicated to the
 * standby region, so the DR region's instances read their own region's copies before, during and
 * after an outage of the primary region.
 *
 * - A multi-Region KMS key (primary in the primary region, replica in the standby region, both
 *   owned by this stack) encrypts the secrets. A replica secret must be encrypted by a key of the
 *   replica's region, and the DR stack's own key cannot be named here (the DR stack is deployed
 *   after the primary and reads its outputs); related multi-Region keys are independent keys that
 *   answer in their own region (KMS Developer Guide, "Multi-Region keys in AWS KMS"), so the DR
 *   copies stay readable when the primary region is gone.
 * - The app's database credentials: `{username, password}` of the app's own database user (never the
 *   master user), the password generated here (a Pulumi secret in the state). The user itself lives
 *   in the database (AppDatabaseUser creates it), so replication carries it to the DR copy and the
 *   same password works there before and after promotion. AWS "strongly recommend[s] ... using a
 *   database user created with the minimal privileges required for your application, rather than
 *   using the master user" (Secrets Manager User Guide, "Managed rotation for AWS Secrets Manager
 *   secrets"), and the RDS-managed master secret cannot serve the DR region anyway: RDS keeps it in
 *   the database's own region, a secret created by another service is changed through that service
 *   (User Guide, "Modify an AWS Secrets Manager secret"), and a promoted replica gets a new managed
 *   password of its own region (components/replicatedDatabase.ts `regionalMasterSecret`).
 * - The app's own secrets (`app.secrets`): empty containers, replicated the same way; you put the
 *   values (`aws secretsmanager put-secret-value --secret-id <arn>`), so they never enter the state.
 *
 * A replica's ARN is the primary's with the region changed (Secrets Manager User Guide, "Replicate
 * AWS Secrets Manager secrets across Regions"): {@link replicaSecretArn}. Rotation happens in the
 * primary region and propagates to the replicas (same page); during an outage of the primary region
 * a replica is read-only until promoted to a standalone secret (`aws secretsmanager
 * stop-replication-to-replica`, User Guide "Promote a replica secret to a standalone secret").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RegionalKey } from "./regionalKey";

/** Days a deleted secret can still be restored (Secrets Manager accepts 7-30). */
export const APP_SECRET_RECOVERY_WINDOW_DAYS = 30;
/** Length of the generated app database password; letters and digits only, so no driver or shell quoting can break it. */
export const APP_DATABASE_PASSWORD_LENGTH = 40;

export interface AppSecretsArgs {
  /** Name prefix of the secrets and the key alias, e.g. `multi-region-dr-primary-primary`. */
  prefix: string;
  /** The primary region, e.g. `us-east-1` (this component's provider must deploy there). */
  region: string;
  /** The app's own database user, e.g. `app_user`. */
  databaseUser: string;
  /** Short names of the app's secrets (`app.secrets`), each an empty replicated container. */
  secretNames: readonly string[];
  /**
   * The standby region and a provider deploying there: the key's replica and the secrets' replicas.
   * Unset (no `standbyRegion` in the primary's stack file): nothing is replicated and the DR stack refuses the pair.
   */
  standby?: { region: string; provider: aws.Provider };
  /** `protect` the keys (a deleted key makes the secrets unreadable). */
  protect: boolean;
}

/** ARN of a secret's replica in another region: the same ARN with the region changed. */
export function replicaSecretArn(arn: string, region: string): string {
  const parts = arn.split(":");
  if (parts.length < 7 || parts[2] !== "secretsmanager") throw new Error(`not a Secrets Manager secret ARN: ${arn}`);
  parts[3] = region;
  return parts.join(":");
}

export class AppSecrets extends pulumi.ComponentResource {
  /** ARN of the multi-Region key in the primary region. */
  readonly keyArn: pulumi.Output<string>;
  /** ARN of its replica in the standby region, when there is one. */
  readonly standbyKeyArn?: pulumi.Output<string>;
  /** The database credentials secret (primary region) and its name (the replica's too). */
  readonly databaseCredentialsSecretArn: pulumi.Output<string>;
  readonly databaseCredentialsSecretName: pulumi.Output<string>;
  /** Version id of the credentials' current value: changes when the password is rotated by Pulumi. */
  readonly databaseCredentialsVersionId: pulumi.Output<string>;
  /** Short name to ARN (primary region) of each app secret. */
  readonly secretArns: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:security:AppSecrets", name, {}, opts);
    const child = { parent: this };
    const key = new RegionalKey(
      `${name}-key`,
      { region: args.region, aliasName: `${args.prefix}-app-secrets`, protect: args.protect, multiRegion: true },
      child,
    );
    const standbyKey = args.standby
      ? new RegionalKey(
          `${name}-standby-key`,
          { region: args.standby.region, aliasName: `${args.prefix}-app-secrets`, protect: args.protect, replicaOf: key.keyArn },
          { parent: this, provider: args.standby.provider },
        )
      : undefined;
    const replicas = standbyKey && args.standby ? [{ region: args.standby.region, kmsKeyId: standbyKey.keyArn }] : undefined;
    const secret = (id: string, description: string) =>
      new aws.secretsmanager.Secret(
        `${name}-${id}`,
        {
          // A prefix, not a name: a deleted secret's name stays taken for the recovery window.
          namePrefix: `${args.prefix}/app/${id}-`,
          description,
          kmsKeyId: key.keyArn,
          recoveryWindowInDays: APP_SECRET_RECOVERY_WINDOW_DAYS,
          ...(replicas ? { replicas } : {}),
        },
        // Deleting a replicated secret first removes its replicas at once (RemoveRegionsFromReplication, then
        // DeleteSecret; terraform-provider-aws secretsmanager secret delete): the recovery window covers only the
        // primary-region copy, the one a disaster takes. So the secrets are protected like the keys.
        { parent: this, protect: args.protect },
      );

    const password = new random.RandomPassword(`${name}-database-password`, { length: APP_DATABASE_PASSWORD_LENGTH, special: false }, child);
    const credentials = secret("database-credentials", `The app's own database user ${args.databaseUser} (not the master user)`);
    const credentialsValue = new aws.secretsmanager.SecretVersion(
      `${name}-database-credentials-value`,
      { secretId: credentials.id, secretString: pulumi.secret(pulumi.jsonStringify({ username: args.databaseUser, password: password.result })) },
      child,
    );
    const appSecrets = args.secretNames.map((secretName) => ({
      secretName,
      secret: secret(secretName, `App secret ${secretName}: put its value with aws secretsmanager put-secret-value`),
    }));

    this.keyArn = key.keyArn;
    this.standbyKeyArn = standbyKey?.keyArn;
    this.databaseCredentialsSecretArn = credentials.arn;
    this.databaseCredentialsSecretName = credentials.name;
    this.databaseCredentialsVersionId = credentialsValue.versionId;
    this.secretArns = pulumi
      .all(appSecrets.map(({ secret: s }) => s.arn))
      .apply((arns) => Object.fromEntries(appSecrets.map(({ secretName }, index) => [secretName, arns[index]])));
    this.registerOutputs({
      keyArn: this.keyArn,
      standbyKeyArn: this.standbyKeyArn,
      databaseCredentialsSecretArn: this.databaseCredentialsSecretArn,
      secretArns: this.secretArns,
    });
  }
}
