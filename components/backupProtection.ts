/**
 * BackupProtection: AWS Backup for the primary region's data stores, with every recovery point
 * copied into the DR region. Built by the DR stack, the only stack that knows both regions and the
 * DR key.
 *
 * - In the DR region (the component's provider): a vault encrypted with the DR key, its access policy
 *   (nobody but the break-glass principals deletes a recovery point or shortens its lifecycle) and,
 *   unless `none`, a Vault Lock (minimum retention = `retentionDays`), retained on delete so that a
 *   change of its settings overwrites it in place instead of unlocking the vault ({@link VAULT_LOCK_OPTIONS}).
 * - The AWS Backup service role (IAM, global), under the DR region's provider like the stack's other
 *   roles, so that the outage mode keeps it, and a restore from the DR vault has it, while the primary
 *   region is down.
 * - In the primary region (`primaryProvider`): a vault encrypted with the primary key with the same
 *   policy and lock, and a plan whose one rule runs on `scheduleExpression`
 *   with continuous backup on (point-in-time restore of RDS, Aurora and S3 to any second of the last
 *   `retentionDays` days), keeps recovery points `retentionDays` days, and copies each run's snapshot to
 *   the DR vault, kept `retentionDays` days there. A selection names the protected resources by ARN.
 *
 * What a restore can lose: from the primary vault (continuous backup), the last few minutes (the
 * latest restorable time of RDS point-in-time recovery is typically within 5 minutes of now, RDS User
 * Guide, "Restoring a DB instance to a specified time"); from the DR vault (copies, which are snapshots
 * without point-in-time restore, AWS Backup Developer Guide "Copy a backup"), up to one schedule
 * interval plus the copy's duration.
 *
 * AWS Backup takes over the database's automated backups when continuous backup is on (it sets their
 * retention and window): see {@link continuousRetentionProblem} for what the primary stack must do.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountContext } from "./account";
import {
  BACKUP_ROLE_MANAGED_POLICIES,
  backupKeyPolicy,
  COMPLIANCE_GRACE_DAYS,
  continuousRetentionProblem,
  namePrefixProblem,
  retentionProblem,
  type RestoreTargets,
  scheduleProblem,
  VAULT_SUFFIXES,
  vaultAccessPolicy,
  vaultLockProblem,
  type VaultLockMode,
} from "./backupRules";
import { managedPolicyArn, serviceTrustPolicy } from "./policyDocuments";

export { continuousRetentionProblem };

/** Name of the plan's single rule. */
export const BACKUP_RULE_NAME = "continuous-with-dr-copy";

/** Name of the single rule of the DR region's plan for the promoted database. */
export const PROMOTED_BACKUP_RULE_NAME = "continuous-promoted";

/** Minutes AWS Backup has to start a scheduled job before it cancels it: 60, the least it accepts (API Reference, BackupRule `StartWindowMinutes`). */
export const BACKUP_START_WINDOW_MINUTES = 60;

/**
 * Resource options of each Vault Lock: `retainOnDelete`, so a lock change never unlocks the vault.
 *
 * Every argument of the lock forces a replacement and the resource has no update; its delete calls
 * DeleteBackupVaultLockConfiguration on the vault, and its id is the vault name (terraform-provider-aws
 * `internal/service/backup/vault_lock_configuration.go`: all fields `ForceNew`, no Update, Delete calls
 * `DeleteBackupVaultLockConfiguration`). Under Pulumi's default create-before-delete replacement, a change
 * of `retentionDays`, `vaultLock` or `changeableForDays` would put the new lock on the same vault and then
 * delete it with the old resource: the vault unlocked while the state says locked.
 *
 * With `retainOnDelete` Pulumi never calls the provider's Delete, on a replacement or a removal (Pulumi
 * docs, "Resource option: retainOnDelete"). The replacement's PutBackupVaultLockConfiguration overwrites
 * the vault's lock in place: a lock without ChangeableForDays (governance) can be changed with
 * PutBackupVaultLockConfiguration at any time, a compliance lock before its lock date; on and after the
 * lock date it "becomes immutable and cannot be changed or deleted" (AWS Backup API Reference,
 * PutBackupVaultLockConfiguration, `ChangeableForDays`). So the vault is never unlocked, not even briefly
 * (which `deleteBeforeReplace` would do). After a compliance lock date AWS refuses the Put: the update
 * fails and the state keeps the old lock, which is what the vault has. That refusal cannot be made
 * before deploy: the lock date lives in the vault (DescribeBackupVault `LockDate`), not in the program.
 *
 * The price: `vaultLock: none` and `pulumi destroy` drop the lock from the state and leave it on the
 * vault. Remove a governance lock (or a compliance lock before its lock date) by hand with
 * `aws backup delete-backup-vault-lock-configuration --backup-vault-name <vault> --region <region>`.
 */
export const VAULT_LOCK_OPTIONS = { retainOnDelete: true } as const satisfies pulumi.CustomResourceOptions;

export interface BackupProtectionArgs {
  /** Prefix of the vault, plan and selection names, e.g. `multi-region-dr-dr-backup`: letters, digits, `-`, `_`, at most 42 characters. */
  namePrefix: string;
  /** The DR region: the component's provider deploys there, e.g. `us-west-2`. */
  drRegion: string;
  /** The primary region, where the data stores, the plan and the primary vault live, e.g. `us-east-1`. */
  primaryRegion: string;
  /** An AWS provider of the primary region (with the stack's default tags); required unless `primaryRegionReachable` is false. */
  primaryProvider?: aws.Provider;
  /** ARN of the DR region's customer-managed key: encrypts the DR vault and the copies in it. */
  drKeyArn: pulumi.Input<string>;
  /** ARN of the primary region's customer-managed key: encrypts the primary vault. */
  primaryKeyArn: pulumi.Input<string>;
  /** The primary database: an RDS DB instance ARN (`…:db:<id>`) or an Aurora DB cluster ARN (`…:cluster:<id>`). */
  databaseArn: pulumi.Input<string>;
  /**
   * The primary DynamoDB table, if any. Copying DynamoDB backups to another region needs AWS Backup's
   * advanced DynamoDB features turned on in the primary region (AWS Backup Developer Guide, "Advanced
   * DynamoDB backup"), an account-wide setting this component does not change.
   */
  tableArn?: pulumi.Input<string>;
  /** The primary data bucket, if AWS Backup should back it up (it must be versioned); adds the S3 backup and restore managed policies. */
  bucketArn?: pulumi.Input<string>;
  /** Days every recovery point is kept, in both vaults: 5 to 35. Also the Vault Lock's minimum retention. */
  retentionDays: number;
  /** When the plan runs (and copies to the DR region): an AWS cron expression in UTC, e.g. `cron(0 5 ? * * *)`. */
  scheduleExpression: string;
  /**
   * Vault Lock on both vaults: `governance` (principals with backup:DeleteBackupVaultLockConfiguration can
   * remove it), `compliance` (immutable once `changeableForDays` have passed: nobody, not even the root
   * user, can delete a recovery point before it expires, nor delete the vault while it holds any) or `none`.
   */
  vaultLock: VaultLockMode;
  /** Compliance mode only: days before the lock becomes immutable, 3 (default) to 36500. */
  changeableForDays?: number;
  /** IAM role or user ARNs still allowed to delete recovery points and change the vault policies (break glass). Default none. */
  breakGlassPrincipalArns?: string[];
  /**
   * Pulumi `protect` on the two vaults. Default true. False is the teardown mode of a test pair:
   * `forceDestroy` on the vaults (AWS Backup deletes no vault that holds recovery points, so the
   * provider deletes them first, after the vault policy, which depends on the vault, is gone), and the
   * Vault Lock deleted with the stack instead of retained (a governance lock, or a compliance lock
   * before its lock date, can be deleted; a locked compliance vault cannot be emptied before its
   * recovery points expire; and a lock change that replaces the resource leaves the vault unlocked).
   * Continuous backups are disassociated by hand first (docs/deploying.md, "Destroying").
   */
  protect?: boolean;
  /**
   * False while the primary region is down (the DR stack's outage mode): only the DR vault (with its
   * policy and lock) and the role are declared; the primary vault, the plan and the selection are not,
   * so nothing calls the primary region. Default true. The stack deploys those with `retainOnDelete`
   * (stacks/regionalProvider.ts RetainedInRegion), so they leave the state without a call and keep
   * running; the way back adopts them (`outage.adopt`).
   */
  primaryRegionReachable?: boolean;
  /**
   * The DR database once a failover has promoted it (the DR stack's `database.promoted: true`): an RDS
   * DB instance ARN of the DR region. It is then the writer and is protected in its own region: a
   * second plan, in the DR region, backs it up into the DR vault on `scheduleExpression` with
   * continuous backup on, and copies each run to the primary vault (those copies fail while the
   * primary region is down, and resume by themselves). Default none.
   */
  promotedDatabaseArn?: pulumi.Input<string>;
}

const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/*-]+$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[\w-]+$/;

/** The region of a known ARN string; undefined for Outputs. */
function knownArnRegion(value: pulumi.Input<string> | undefined): string | undefined {
  return typeof value === "string" ? value.split(":")[3] : undefined;
}

/**
 * Every problem with the arguments, `<arg>: <problem>`, before anything is created. ARNs given as plain
 * strings are checked for their service and region; Outputs are trusted (the policy pack checks them).
 */
export function backupProtectionProblems(args: BackupProtectionArgs): string[] {
  const problems: string[] = [];
  const add = (arg: string, problem: string | undefined) => problem && problems.push(`${arg} ${problem}`);
  add("namePrefix", namePrefixProblem(args.namePrefix));
  add("retentionDays", retentionProblem(args.retentionDays));
  add("scheduleExpression", scheduleProblem(args.scheduleExpression));
  add("vaultLock", vaultLockProblem(args.vaultLock, args.changeableForDays));
  if (args.primaryProvider === undefined && (args.primaryRegionReachable ?? true)) {
    add(
      "primaryProvider",
      "is required while the primary region is reachable (primaryRegionReachable is not false): the plan and the primary vault deploy there",
    );
  }
  if (args.primaryRegion === args.drRegion) add("drRegion", `is the primary region ${args.primaryRegion} too: the copies must land in another region`);
  for (const [arg, value, region] of [
    ["drKeyArn", args.drKeyArn, args.drRegion],
    ["primaryKeyArn", args.primaryKeyArn, args.primaryRegion],
  ] as const) {
    if (typeof value !== "string") continue;
    const match = KEY_ARN.exec(value);
    if (!match) add(arg, `must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got "${value}"`);
    else if (match[1] !== region) add(arg, `must be a key of ${region} (each region encrypts with its own key), got one of ${match[1]}`);
  }
  if (typeof args.databaseArn === "string" && !/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(db|cluster):[A-Za-z][A-Za-z0-9-]*$/.test(args.databaseArn)) {
    add("databaseArn", `must be an RDS DB instance or DB cluster ARN (arn:aws:rds:<region>:<account>:db:<id> or …:cluster:<id>), got "${args.databaseArn}"`);
  }
  if (typeof args.tableArn === "string" && !/^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[\w.-]+$/.test(args.tableArn)) {
    add("tableArn", `must be a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>), got "${args.tableArn}"`);
  }
  if (typeof args.bucketArn === "string" && !/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucketArn)) {
    add("bucketArn", `must be an S3 bucket ARN (arn:aws:s3:::<bucket>), got "${args.bucketArn}"`);
  }
  if (typeof args.promotedDatabaseArn === "string") {
    const region = knownArnRegion(args.promotedDatabaseArn);
    if (!/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:[A-Za-z][A-Za-z0-9-]*$/.test(args.promotedDatabaseArn))
      add("promotedDatabaseArn", `must be an RDS DB instance ARN (arn:aws:rds:<region>:<account>:db:<id>), got "${args.promotedDatabaseArn}"`);
    else if (region !== args.drRegion)
      add("promotedDatabaseArn", `is in ${region}, not the DR region ${args.drRegion}: the promoted database is the DR region's`);
  }
  for (const [arg, value] of [
    ["databaseArn", args.databaseArn],
    ["tableArn", args.tableArn],
  ] as const) {
    const region = knownArnRegion(value);
    if (region !== undefined && region !== "" && region !== args.primaryRegion) {
      add(arg, `is in ${region}, not the primary region ${args.primaryRegion}: the plan backs up the primary region's stores`);
    }
  }
  for (const principal of args.breakGlassPrincipalArns ?? []) {
    if (!IAM_PRINCIPAL_ARN.test(principal))
      add("breakGlassPrincipalArns", `must hold IAM role or user ARNs (arn:aws:iam::<account>:role/<name>), got "${principal}"`);
  }
  return problems;
}

export class BackupProtection extends pulumi.ComponentResource {
  readonly drVaultName: pulumi.Output<string>;
  readonly drVaultArn: pulumi.Output<string>;
  /** `<namePrefix>-primary`; known without the vault, so the restore targets name it during an outage too. */
  readonly primaryVaultName: pulumi.Output<string>;
  /** Undefined while the primary region is down (`primaryRegionReachable: false`), like the plan's id and ARN. */
  readonly primaryVaultArn: pulumi.Output<string> | undefined;
  readonly planId: pulumi.Output<string> | undefined;
  readonly planArn: pulumi.Output<string> | undefined;
  /** The AWS Backup service role: runs backups, copies and restore jobs. */
  readonly backupRoleArn: pulumi.Output<string>;
  /** The ARNs the selection backs up: the database, then the table and the bucket when given. */
  readonly protectedResourceArns: pulumi.Output<string[]>;
  /** The database ARN the selection backs up (the resource ARN of its recovery points in both vaults). */
  readonly databaseArn: pulumi.Output<string>;
  /** The DR region's plan for the promoted database (`promotedDatabaseArn`); undefined without one. */
  readonly promotedPlanId: pulumi.Output<string> | undefined;

  /**
   * @throws Error naming every bad argument (see {@link backupProtectionProblems}) before any resource is created.
   */
  constructor(name: string, args: BackupProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:data:BackupProtection", name, {}, opts);
    const problems = backupProtectionProblems(args);
    if (problems.length > 0) throw new Error(`BackupProtection ${name}: invalid arguments:\n  - ${problems.join("\n  - ")}`);

    const inDr = { parent: this };
    const inPrimary = { parent: this, provider: args.primaryProvider };
    const teardown = !(args.protect ?? true);
    // The deny stays in teardown mode too: pulumi destroy deletes each vault's policy (it depends on the vault) before the vault, whose forceDestroy then empties it.
    const policy = JSON.stringify(vaultAccessPolicy(args.breakGlassPrincipalArns ?? []));
    const lock =
      args.vaultLock === "none"
        ? undefined
        : {
            minRetentionDays: args.retentionDays,
            ...(args.vaultLock === "compliance" ? { changeableForDays: args.changeableForDays ?? COMPLIANCE_GRACE_DAYS.default } : {}),
          };

    const vault = (side: "dr" | "primary", keyArn: pulumi.Input<string>, options: pulumi.CustomResourceOptions) => {
      const resource = new aws.backup.Vault(
        `${name}-${side}-vault`,
        { name: `${args.namePrefix}${VAULT_SUFFIXES[side]}`, kmsKeyArn: keyArn, forceDestroy: teardown },
        { ...options, protect: !teardown },
      );
      const guards: pulumi.Resource[] = [new aws.backup.VaultPolicy(`${name}-${side}-vault-policy`, { backupVaultName: resource.name, policy }, options)];
      if (lock) {
        guards.push(
          new aws.backup.VaultLockConfiguration(
            `${name}-${side}-vault-lock`,
            { backupVaultName: resource.name, ...lock },
            { ...options, ...(teardown ? {} : VAULT_LOCK_OPTIONS) },
          ),
        );
      }
      return { vault: resource, guards };
    };
    const dr = vault("dr", args.drKeyArn, inDr);
    const primaryReachable = args.primaryRegionReachable ?? true;
    const primary = primaryReachable ? vault("primary", args.primaryKeyArn, inPrimary) : undefined;

    const account = accountContext(this);
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("backup.amazonaws.com")) }, inDr);
    const managed = [...BACKUP_ROLE_MANAGED_POLICIES.always, ...(args.bucketArn !== undefined ? BACKUP_ROLE_MANAGED_POLICIES.s3 : [])];
    const attachments: pulumi.Resource[] = managed.map(
      (policyName) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-role-${policyName.split("/").pop()}`,
          { role: role.name, policyArn: account.apply(({ partition }) => managedPolicyArn(partition, policyName)) },
          inDr,
        ),
    );
    attachments.push(
      new aws.iam.RolePolicy(
        `${name}-role-keys`,
        {
          role: role.id,
          policy: pulumi.all([args.primaryKeyArn, args.drKeyArn]).apply(([primaryKeyArn, drKeyArn]) =>
            JSON.stringify(
              backupKeyPolicy([
                { keyArn: primaryKeyArn, region: args.primaryRegion },
                { keyArn: drKeyArn, region: args.drRegion },
              ]),
            ),
          ),
        },
        inDr,
      ),
    );

    this.drVaultName = dr.vault.name;
    this.drVaultArn = dr.vault.arn;
    this.primaryVaultName = primary ? primary.vault.name : pulumi.output(`${args.namePrefix}${VAULT_SUFFIXES.primary}`);
    this.backupRoleArn = role.arn;
    this.databaseArn = pulumi.output(args.databaseArn);
    const resources: pulumi.Input<string>[] = [
      args.databaseArn,
      ...(args.tableArn !== undefined ? [args.tableArn] : []),
      ...(args.bucketArn !== undefined ? [args.bucketArn] : []),
    ];
    this.protectedResourceArns = pulumi.output(resources);
    this.promotedPlanId =
      args.promotedDatabaseArn === undefined
        ? undefined
        : this.promotedDatabasePlan(name, args, { vault: dr.vault, guards: [...dr.guards, ...(primary?.guards ?? [])] }, account, role, attachments);
    if (!primary) {
      this.registerOutputs({
        drVaultName: this.drVaultName,
        drVaultArn: this.drVaultArn,
        primaryVaultName: this.primaryVaultName,
        backupRoleArn: this.backupRoleArn,
      });
      return;
    }

    const lifecycle = { deleteAfter: args.retentionDays };
    const plan = new aws.backup.Plan(
      `${name}-plan`,
      {
        name: `${args.namePrefix}-plan`,
        rules: [
          {
            ruleName: BACKUP_RULE_NAME,
            targetVaultName: primary.vault.name,
            schedule: args.scheduleExpression,
            startWindow: BACKUP_START_WINDOW_MINUTES,
            enableContinuousBackup: true,
            lifecycle,
            copyActions: [{ destinationVaultArn: dr.vault.arn, lifecycle }],
          },
        ],
      },
      // Both vaults are guarded before the first recovery point lands in them.
      { ...inPrimary, dependsOn: [...dr.guards, ...primary.guards] },
    );

    new aws.backup.Selection(
      `${name}-selection`,
      { name: `${args.namePrefix}-data`, planId: plan.id, iamRoleArn: role.arn, resources },
      { ...inPrimary, dependsOn: attachments },
    );

    this.primaryVaultArn = primary.vault.arn;
    this.planId = plan.id;
    this.planArn = plan.arn;
    this.registerOutputs({
      drVaultName: this.drVaultName,
      drVaultArn: this.drVaultArn,
      primaryVaultName: this.primaryVaultName,
      primaryVaultArn: this.primaryVaultArn,
      promotedPlanId: this.promotedPlanId,
      planId: this.planId,
      planArn: this.planArn,
      backupRoleArn: this.backupRoleArn,
      protectedResourceArns: this.protectedResourceArns,
    });
  }

  /**
   * Re-protection after a failover (issue 18, item 6): the promoted DR database is the writer, so it is
   * backed up in its own region like the primary was: continuous backup into the DR vault and a copy of
   * each run to the primary vault (AWS Backup Developer Guide, "Creating a backup copy across AWS
   * Regions": the copy action names the destination vault by ARN,
   * `arn:<partition>:backup:<region>:<account>:backup-vault:<name>`). The ARN is built from the vault's
   * name, so the plan is the same in the outage mode, when the primary vault is out of the stack: while
   * that region is down the copy jobs fail (the backups in the DR vault do not), and they succeed again
   * once it is back. The selection uses the same service role.
   */
  private promotedDatabasePlan(
    name: string,
    args: BackupProtectionArgs,
    dr: { vault: aws.backup.Vault; guards: pulumi.Resource[] },
    account: pulumi.Output<{ accountId: string; partition: string }>,
    role: aws.iam.Role,
    attachments: pulumi.Resource[],
  ): pulumi.Output<string> {
    const lifecycle = { deleteAfter: args.retentionDays };
    const primaryVaultArn = account.apply(
      ({ partition, accountId }) => `arn:${partition}:backup:${args.primaryRegion}:${accountId}:backup-vault:${args.namePrefix}${VAULT_SUFFIXES.primary}`,
    );
    const plan = new aws.backup.Plan(
      `${name}-promoted-plan`,
      {
        name: `${args.namePrefix}-promoted-plan`,
        rules: [
          {
            ruleName: PROMOTED_BACKUP_RULE_NAME,
            targetVaultName: dr.vault.name,
            schedule: args.scheduleExpression,
            startWindow: BACKUP_START_WINDOW_MINUTES,
            enableContinuousBackup: true,
            lifecycle,
            copyActions: [{ destinationVaultArn: primaryVaultArn, lifecycle }],
          },
        ],
      },
      { parent: this, dependsOn: dr.guards },
    );
    new aws.backup.Selection(
      `${name}-promoted-selection`,
      { name: `${args.namePrefix}-promoted`, planId: plan.id, iamRoleArn: role.arn, resources: [args.promotedDatabaseArn as pulumi.Input<string>] },
      { parent: this, dependsOn: attachments },
    );
    return plan.id;
  }
}

/** One region's network and key for a restored database (the stacks' `dbSubnetGroupName`, `dbSecurityGroupId`, `kmsKeyArn`). */
export interface RestoreNetwork {
  /** The region's DB subnet group and database security group; absent where no database runs yet (a backup-restore DR region before a restore). */
  dbSubnetGroupName: pulumi.Input<string | undefined>;
  dbSecurityGroupId: pulumi.Input<string | undefined>;
  kmsKeyArn: pulumi.Input<string>;
}

/**
 * The DR stack's `backupRestoreTargets` output (`RESTORE_TARGETS_OUTPUT`), which `npm run restore` reads:
 * both vaults, the role, the database and each region's subnet group, security group and key.
 */
export function restoreTargetsOf(
  backups: BackupProtection,
  args: {
    primaryRegion: string;
    drRegion: string;
    primary: RestoreNetwork;
    dr: RestoreNetwork;
    database: {
      engine: pulumi.Input<string>;
      engineMode: pulumi.Input<"instance" | "aurora-global">;
      instanceClass: pulumi.Input<string>;
      multiAz: pulumi.Input<boolean>;
    };
  },
): pulumi.Output<RestoreTargets> {
  const side = (network: RestoreNetwork) =>
    pulumi.all([network.dbSubnetGroupName, network.dbSecurityGroupId, network.kmsKeyArn]).apply(([dbSubnetGroupName, dbSecurityGroupId, kmsKeyArn]) => ({
      kmsKeyArn,
      ...(dbSubnetGroupName !== undefined && dbSecurityGroupId !== undefined ? { dbSubnetGroupName, dbSecurityGroupId } : {}),
    }));
  const database = pulumi
    .all([args.database.engine, args.database.engineMode, args.database.instanceClass, args.database.multiAz])
    .apply(([engine, engineMode, instanceClass, multiAz]) => ({ engine, engineMode, instanceClass, multiAz }));
  return pulumi
    .all([backups.backupRoleArn, backups.databaseArn, backups.primaryVaultName, backups.drVaultName, side(args.primary), side(args.dr), database])
    .apply(([roleArn, databaseArn, primaryVault, drVault, primary, dr, db]): RestoreTargets => ({
      roleArn,
      database: { arn: databaseArn, ...db },
      primary: { region: args.primaryRegion, vaultName: primaryVault, ...primary },
      dr: { region: args.drRegion, vaultName: drVault, ...dr },
    }));
}
