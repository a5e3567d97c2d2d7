// Unit tests for BackupProtection under Pulumi mocks (synth/recordStack.ts): which resources land in
// which region, what they are encrypted with, where the plan copies to, the vault policy and lock, the
// role's permissions, and every validation failure; then the pure rules of components/backupRules.ts.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  BACKUP_RULE_NAME,
  BackupProtection,
  type BackupProtectionArgs,
  backupProtectionProblems,
  PROMOTED_BACKUP_RULE_NAME,
  restoreTargetsOf,
} from "../components/backupProtection";
import {
  backupKeyPolicy,
  continuousRetentionProblem,
  namePrefixProblem,
  retentionProblem,
  scheduleProblem,
  vaultAccessPolicy,
  vaultLockProblem,
} from "../components/backupRules";
import { MOCK_ACCOUNT_ID } from "../synth/mockCloud";
import { type PlannedResource, recordStack, type StackPlan } from "../synth/recordStack";
import type { PolicyDocument, PolicyStatement } from "../components/policyDocuments";

const PRIMARY = "us-east-1";
const DR = "us-west-2";
const PRIMARY_KEY = `arn:aws:kms:${PRIMARY}:${MOCK_ACCOUNT_ID}:key/11111111-2222-3333-4444-555555555555`;
const DR_KEY = `arn:aws:kms:${DR}:${MOCK_ACCOUNT_ID}:key/66666666-7777-8888-9999-000000000000`;
const DB_ARN = `arn:aws:rds:${PRIMARY}:${MOCK_ACCOUNT_ID}:db:primary-db`;
const CLUSTER_ARN = `arn:aws:rds:${PRIMARY}:${MOCK_ACCOUNT_ID}:cluster:primary-cluster`;
const TABLE_ARN = `arn:aws:dynamodb:${PRIMARY}:${MOCK_ACCOUNT_ID}:table/orders`;
const BUCKET_ARN = "arn:aws:s3:::primary-data-b00b7c7";

const T = {
  vault: "aws:backup/vault:Vault",
  vaultPolicy: "aws:backup/vaultPolicy:VaultPolicy",
  vaultLock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
  plan: "aws:backup/plan:Plan",
  selection: "aws:backup/selection:Selection",
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

type Args = Omit<BackupProtectionArgs, "primaryProvider">;

function baseArgs(patch: Partial<Args> = {}): Args {
  return {
    namePrefix: "multi-region-dr-dr-backup",
    drRegion: DR,
    primaryRegion: PRIMARY,
    drKeyArn: DR_KEY,
    primaryKeyArn: PRIMARY_KEY,
    databaseArn: DB_ARN,
    retentionDays: 14,
    scheduleExpression: "cron(0 5 ? * * *)",
    vaultLock: "governance",
    ...patch,
  };
}

/** Builds the component in the DR region with a primary-region provider; returns the plan and the component's outputs. */
function build(patch: Partial<Args> = {}, extra?: (backups: BackupProtection) => Record<string, unknown>): Promise<StackPlan> {
  return recordStack({
    project: "backup",
    stack: "dr",
    role: "dr",
    region: DR,
    program: () => {
      const drProvider = new aws.Provider("dr-provider", { region: DR });
      const primaryProvider = new aws.Provider("primary-provider", { region: PRIMARY });
      const backups = new BackupProtection("dr-backup", { ...baseArgs(patch), primaryProvider }, { providers: { aws: drProvider } });
      return {
        drVaultName: backups.drVaultName,
        drVaultArn: backups.drVaultArn,
        primaryVaultName: backups.primaryVaultName,
        primaryVaultArn: backups.primaryVaultArn,
        planId: backups.planId,
        backupRoleArn: backups.backupRoleArn,
        ...(extra ? extra(backups) : {}),
      };
    },
  });
}

function ofType(plan: StackPlan, type: string): PlannedResource[] {
  return plan.resources.filter((resource) => resource.type === type);
}

function named(plan: StackPlan, type: string, name: string): PlannedResource {
  const found = ofType(plan, type).filter((resource) => resource.name === name);
  expect(found.map((resource) => resource.name)).to.deep.equal([name]);
  return found[0];
}

async function expectFailure(patch: Partial<Args>, pattern: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await build(patch);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected BackupProtection to throw").to.be.instanceOf(Error);
  expect((thrown as Error).message).to.match(/^BackupProtection dr-backup: invalid arguments/);
  expect((thrown as Error).message).to.match(pattern);
}

describe("BackupProtection", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await build();
  });

  describe("regions and keys", () => {
    it("puts the DR vault in the DR region under the DR key and the primary vault in the primary region under the primary key", () => {
      const drVault = named(plan, T.vault, "dr-backup-dr-vault");
      const primaryVault = named(plan, T.vault, "dr-backup-primary-vault");
      expect(drVault.region).to.equal(DR);
      expect(drVault.inputs.kmsKeyArn).to.equal(DR_KEY);
      expect(drVault.inputs.name).to.equal("multi-region-dr-dr-backup-dr");
      expect(drVault.inputs.forceDestroy).to.equal(false);
      expect(primaryVault.region).to.equal(PRIMARY);
      expect(primaryVault.inputs.kmsKeyArn).to.equal(PRIMARY_KEY);
      expect(primaryVault.inputs.name).to.equal("multi-region-dr-dr-backup-primary");
    });

    it("builds the plan and the selection in the primary region, each vault's policy and lock beside its vault", () => {
      expect(named(plan, T.plan, "dr-backup-plan").region).to.equal(PRIMARY);
      expect(named(plan, T.selection, "dr-backup-selection").region).to.equal(PRIMARY);
      expect(named(plan, T.vaultPolicy, "dr-backup-dr-vault-policy").region).to.equal(DR);
      expect(named(plan, T.vaultPolicy, "dr-backup-primary-vault-policy").region).to.equal(PRIMARY);
      expect(named(plan, T.vaultLock, "dr-backup-dr-vault-lock").region).to.equal(DR);
      expect(named(plan, T.vaultLock, "dr-backup-primary-vault-lock").region).to.equal(PRIMARY);
    });

    it("exports both vaults, the plan id and the role ARN with their regions in the ARNs", () => {
      expect(plan.outputs.drVaultName).to.equal("multi-region-dr-dr-backup-dr");
      expect(plan.outputs.drVaultArn).to.equal(`arn:aws:backup:${DR}:${MOCK_ACCOUNT_ID}:backup-vault:multi-region-dr-dr-backup-dr`);
      expect(plan.outputs.primaryVaultArn).to.equal(`arn:aws:backup:${PRIMARY}:${MOCK_ACCOUNT_ID}:backup-vault:multi-region-dr-dr-backup-primary`);
      expect(plan.outputs.planId).to.be.a("string").and.not.equal("");
      expect(String(plan.outputs.backupRoleArn)).to.match(/^arn:aws:iam::/);
    });
  });

  describe("the plan", () => {
    it("has one rule: the schedule, continuous backup, retention, and a copy to the DR vault's ARN kept as long", () => {
      const rules = named(plan, T.plan, "dr-backup-plan").inputs.rules as Record<string, unknown>[];
      expect(rules).to.have.length(1);
      const [rule] = rules;
      expect(rule.ruleName).to.equal(BACKUP_RULE_NAME);
      expect(rule.targetVaultName).to.equal("multi-region-dr-dr-backup-primary");
      expect(rule.schedule).to.equal("cron(0 5 ? * * *)");
      expect(rule.enableContinuousBackup).to.equal(true);
      expect(rule.startWindow).to.equal(60);
      expect(rule.lifecycle).to.deep.equal({ deleteAfter: 14 });
      expect(rule.copyActions).to.deep.equal([
        { destinationVaultArn: `arn:aws:backup:${DR}:${MOCK_ACCOUNT_ID}:backup-vault:multi-region-dr-dr-backup-dr`, lifecycle: { deleteAfter: 14 } },
      ]);
    });

    it("waits for both vaults' policies and locks", () => {
      const dependencies = named(plan, T.plan, "dr-backup-plan").dependencies;
      for (const name of ["dr-backup-dr-vault-policy", "dr-backup-primary-vault-policy", "dr-backup-dr-vault-lock", "dr-backup-primary-vault-lock"]) {
        expect(
          dependencies.some((urn) => urn.endsWith(`::${name}`)),
          name,
        ).to.equal(true);
      }
    });

    it("selects the database alone by default, with the backup role", () => {
      const selection = named(plan, T.selection, "dr-backup-selection");
      expect(selection.inputs.resources).to.deep.equal([DB_ARN]);
      expect(selection.inputs.name).to.equal("multi-region-dr-dr-backup-data");
      expect(selection.inputs.iamRoleArn).to.equal(plan.outputs.backupRoleArn);
    });

    it("selects an Aurora cluster, the table and the bucket when given, and adds the S3 managed policies", async () => {
      const full = await build({ databaseArn: CLUSTER_ARN, tableArn: TABLE_ARN, bucketArn: BUCKET_ARN });
      expect(named(full, T.selection, "dr-backup-selection").inputs.resources).to.deep.equal([CLUSTER_ARN, TABLE_ARN, BUCKET_ARN]);
      const policies = ofType(full, T.attachment).map((attachment) => String(attachment.inputs.policyArn));
      expect(policies).to.have.members([
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
      ]);
    });
  });

  describe("the role", () => {
    it("is assumed by AWS Backup, with the backup and restore managed policies only (no bucket)", () => {
      const role = named(plan, T.role, "dr-backup-role");
      expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal).to.deep.equal({ Service: "backup.amazonaws.com" });
      expect(ofType(plan, T.attachment).map((attachment) => String(attachment.inputs.policyArn).split("/").pop())).to.have.members([
        "AWSBackupServiceRolePolicyForBackup",
        "AWSBackupServiceRolePolicyForRestores",
      ]);
    });

    it("may use each regional key only through that region's data services", () => {
      const document = JSON.parse(String(named(plan, T.rolePolicy, "dr-backup-role-keys").inputs.policy)) as PolicyDocument;
      const use = document.Statement.find((statement) => statement.Sid === "UseRegionalKeysThroughDataServices") as PolicyStatement;
      expect(use.Resource).to.deep.equal([PRIMARY_KEY, DR_KEY]);
      expect(use.Condition?.StringEquals["kms:ViaService"]).to.include.members(["rds.us-east-1.amazonaws.com", "backup.us-west-2.amazonaws.com"]);
    });

    it("makes the selection wait for the role's permissions", () => {
      const dependencies = named(plan, T.selection, "dr-backup-selection").dependencies;
      expect(dependencies.filter((urn) => urn.includes("dr-backup-role-")).length).to.equal(3);
    });
  });

  describe("vault policy and lock", () => {
    it("denies recovery-point deletion and lifecycle changes to every principal in both vaults", () => {
      for (const side of ["dr", "primary"]) {
        const document = JSON.parse(String(named(plan, T.vaultPolicy, `dr-backup-${side}-vault-policy`).inputs.policy));
        expect(document.Statement).to.deep.equal([
          {
            Sid: "DenyRecoveryPointDeletion",
            Effect: "Deny",
            Principal: "*",
            Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
            Resource: "*",
          },
        ]);
      }
    });

    it("exempts break-glass principals and then also denies policy changes to everyone else", async () => {
      const breakGlass = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/break-glass`;
      const withBreakGlass = await build({ breakGlassPrincipalArns: [breakGlass] });
      const document = JSON.parse(String(named(withBreakGlass, T.vaultPolicy, "dr-backup-dr-vault-policy").inputs.policy)) as PolicyDocument;
      expect(document.Statement.map((statement) => statement.Sid)).to.deep.equal(["DenyRecoveryPointDeletion", "DenyAccessPolicyChanges"]);
      for (const statement of document.Statement) expect(statement.Condition).to.deep.equal({ ArnNotLike: { "aws:PrincipalArn": [breakGlass] } });
    });

    it("locks in governance mode with the retention as the minimum and no grace time", () => {
      const lock = named(plan, T.vaultLock, "dr-backup-dr-vault-lock");
      expect(lock.inputs.minRetentionDays).to.equal(14);
      expect(lock.inputs).to.not.have.property("changeableForDays");
      expect(lock.inputs.backupVaultName).to.equal("multi-region-dr-dr-backup-dr");
    });

    it("locks in compliance mode with 3 days of grace by default, or the given days", async () => {
      const compliance = await build({ vaultLock: "compliance" });
      expect(named(compliance, T.vaultLock, "dr-backup-dr-vault-lock").inputs.changeableForDays).to.equal(3);
      const longer = await build({ vaultLock: "compliance", changeableForDays: 7 });
      expect(named(longer, T.vaultLock, "dr-backup-primary-vault-lock").inputs.changeableForDays).to.equal(7);
    });

    it("retains each lock on delete, so a replacing lock overwrites it in place and no delete unlocks the vault", async () => {
      for (const built of [plan, await build({ vaultLock: "compliance" })]) {
        const locks = ofType(built, T.vaultLock);
        expect(locks).to.have.length(2);
        for (const lock of locks) expect(lock.retainOnDelete, lock.name).to.equal(true);
        // Only the locks: the vaults and their policies are deleted as usual.
        for (const other of [...ofType(built, T.vault), ...ofType(built, T.vaultPolicy)]) expect(other.retainOnDelete, other.name).to.equal(false);
      }
    });

    it("creates no lock with none, and protects the vaults unless told otherwise (protect: false is the teardown mode)", async () => {
      const unlocked = await build({ vaultLock: "none", protect: true });
      expect(ofType(unlocked, T.vaultLock)).to.have.length(0);
      expect(ofType(unlocked, T.vault).every((vault) => vault.protect && vault.inputs.forceDestroy === false)).to.equal(true);
      expect(ofType(plan, T.vault).every((vault) => vault.protect)).to.equal(true);
      const teardown = await build({ protect: false });
      expect(ofType(teardown, T.vault).every((vault) => !vault.protect && vault.inputs.forceDestroy === true)).to.equal(true);
    });
  });

  describe("restore targets", () => {
    it("gathers both regions' vaults, networks and keys with the role and the database", async () => {
      const withTargets = await build({}, (backups) => ({
        targets: restoreTargetsOf(backups, {
          primaryRegion: PRIMARY,
          drRegion: DR,
          primary: { dbSubnetGroupName: "primary-db-subnets", dbSecurityGroupId: "sg-primary", kmsKeyArn: PRIMARY_KEY },
          dr: { dbSubnetGroupName: "dr-db-subnets", dbSecurityGroupId: "sg-dr", kmsKeyArn: pulumi.output(DR_KEY) },
          database: { engine: "postgres", engineMode: "instance", instanceClass: "db.t4g.medium", multiAz: true },
        }),
      }));
      expect(withTargets.outputs.targets).to.deep.equal({
        roleArn: withTargets.outputs.backupRoleArn,
        database: { arn: DB_ARN, engine: "postgres", engineMode: "instance", instanceClass: "db.t4g.medium", multiAz: true },
        primary: {
          region: PRIMARY,
          vaultName: "multi-region-dr-dr-backup-primary",
          dbSubnetGroupName: "primary-db-subnets",
          dbSecurityGroupId: "sg-primary",
          kmsKeyArn: PRIMARY_KEY,
        },
        dr: { region: DR, vaultName: "multi-region-dr-dr-backup-dr", dbSubnetGroupName: "dr-db-subnets", dbSecurityGroupId: "sg-dr", kmsKeyArn: DR_KEY },
      });
    });
  });

  describe("validation, before any resource", () => {
    it("refuses retention below 5, above 35 or fractional", async () => {
      await expectFailure({ retentionDays: 4 }, /retentionDays must be a whole number of days from 5 .* to 35 .*, got 4/);
      await expectFailure({ retentionDays: 36 }, /retentionDays .*got 36/);
      await expectFailure({ retentionDays: 7.5 }, /retentionDays .*got 7.5/);
    });

    it("refuses a rate expression, a five-field cron and a sub-hourly schedule", async () => {
      await expectFailure({ scheduleExpression: "rate(12 hours)" }, /scheduleExpression must be a cron expression .* not rate/);
      await expectFailure({ scheduleExpression: "cron(0 5 * * ?)" }, /scheduleExpression must have six fields/);
      await expectFailure({ scheduleExpression: "cron(0/15 * ? * * *)" }, /scheduleExpression must name one minute .* less than 60 minutes apart/);
    });

    it("refuses an unknown lock mode, a short compliance grace time and a grace time outside compliance", async () => {
      await expectFailure({ vaultLock: "legal" as never }, /vaultLock must be one of governance, compliance, none, got "legal"/);
      await expectFailure({ vaultLock: "compliance", changeableForDays: 2 }, /changeableForDays must be a whole number from 3 to 36500 .* got 2/);
      await expectFailure({ vaultLock: "governance", changeableForDays: 3 }, /changeableForDays applies to compliance mode only/);
    });

    it("refuses one region for both sides and keys of the wrong region", async () => {
      await expectFailure({ drRegion: PRIMARY }, /drRegion is the primary region us-east-1 too/);
      await expectFailure({ drKeyArn: PRIMARY_KEY }, /drKeyArn must be a key of us-west-2 .*got one of us-east-1/);
      await expectFailure({ primaryKeyArn: "alias/aws/backup" }, /primaryKeyArn must be a KMS key ARN/);
    });

    it("refuses a database that is not an RDS instance or cluster of the primary region, and bad table, bucket and principal ARNs", async () => {
      await expectFailure({ databaseArn: `arn:aws:rds:${DR}:${MOCK_ACCOUNT_ID}:db:replica` }, /databaseArn is in us-west-2, not the primary region us-east-1/);
      await expectFailure({ databaseArn: `arn:aws:rds:${PRIMARY}:${MOCK_ACCOUNT_ID}:snapshot:x` }, /databaseArn must be an RDS DB instance or DB cluster ARN/);
      await expectFailure({ tableArn: "orders" }, /tableArn must be a DynamoDB table ARN/);
      await expectFailure({ bucketArn: "primary-data" }, /bucketArn must be an S3 bucket ARN/);
      await expectFailure({ breakGlassPrincipalArns: ["admin"] }, /breakGlassPrincipalArns must hold IAM role or user ARNs/);
      await expectFailure({ namePrefix: "x".repeat(43) }, /namePrefix must be 2 to 42 letters/);
    });

    it("lists every problem at once", () => {
      const problems = backupProtectionProblems({ ...baseArgs({ retentionDays: 3, scheduleExpression: "daily" }), primaryProvider: undefined as never });
      expect(problems).to.have.length(3);
      expect(problems[0]).to.match(/^retentionDays /);
      expect(problems[1]).to.match(/^scheduleExpression /);
      expect(problems[2]).to.match(/^primaryProvider is required while the primary region is reachable/);
    });

    it("trusts ARNs given as Outputs (the policy pack checks the deployed ones)", async () => {
      const fromOutputs = await build({ databaseArn: pulumi.output(DB_ARN), drKeyArn: pulumi.output(DR_KEY) });
      expect(named(fromOutputs, T.vault, "dr-backup-dr-vault").inputs.kmsKeyArn).to.equal(DR_KEY);
    });
  });
});

describe("BackupProtection after a failover: the promoted DR database (issue 18, item 6)", () => {
  const PROMOTED = `arn:aws:rds:${DR}:${MOCK_ACCOUNT_ID}:db:dr-db-instance`;
  const primaryVaultArn = `arn:aws:backup:${PRIMARY}:${MOCK_ACCOUNT_ID}:backup-vault:multi-region-dr-dr-backup-primary`;

  it("backs it up in the DR region into the DR vault, continuous, and copies each run to the primary vault", async () => {
    const plan = await build({ promotedDatabaseArn: PROMOTED }, (backups) => ({ promotedPlanId: backups.promotedPlanId }));
    const promoted = named(plan, T.plan, "dr-backup-promoted-plan");
    expect(promoted.region).to.equal(DR);
    const [rule, ...others] = promoted.inputs.rules as Record<string, unknown>[];
    expect(others).to.deep.equal([]);
    expect(rule).to.deep.include({
      ruleName: PROMOTED_BACKUP_RULE_NAME,
      targetVaultName: "multi-region-dr-dr-backup-dr",
      schedule: "cron(0 5 ? * * *)",
      enableContinuousBackup: true,
      lifecycle: { deleteAfter: 14 },
    });
    expect(rule.copyActions).to.deep.equal([{ destinationVaultArn: primaryVaultArn, lifecycle: { deleteAfter: 14 } }]);
    const selection = named(plan, T.selection, "dr-backup-promoted-selection");
    expect(selection.region).to.equal(DR);
    expect(selection.inputs.resources).to.deep.equal([PROMOTED]);
    expect(selection.inputs.iamRoleArn).to.equal(named(plan, T.role, "dr-backup-role").outputs.arn);
    expect(plan.outputs.promotedPlanId).to.equal(promoted.id);
    // The primary region's plan still protects the primary stack's database (the old primary until it is rebuilt).
    expect(named(plan, T.plan, "dr-backup-plan").region).to.equal(PRIMARY);
  });

  it("keeps the same plan while the primary region is down (its copies fail until it is back), and declares nothing there", async () => {
    const plan = await build({ promotedDatabaseArn: PROMOTED, primaryRegionReachable: false });
    const rule = (named(plan, T.plan, "dr-backup-promoted-plan").inputs.rules as Record<string, unknown>[])[0];
    expect(rule.copyActions).to.deep.equal([{ destinationVaultArn: primaryVaultArn, lifecycle: { deleteAfter: 14 } }]);
    expect(plan.resources.filter((resource) => resource.region === PRIMARY && !resource.type.startsWith("pulumi:providers:"))).to.deep.equal([]);
  });

  it("has no DR-region plan before a failover", () => {
    expect(ofType(plan0(), T.plan).map((resource) => resource.name)).to.deep.equal(["dr-backup-plan"]);
  });

  it("refuses a promoted database that is not an RDS instance of the DR region", async () => {
    await expectFailure({ promotedDatabaseArn: DB_ARN }, /promotedDatabaseArn is in us-east-1, not the DR region us-west-2/);
    await expectFailure({ promotedDatabaseArn: `arn:aws:rds:${DR}:${MOCK_ACCOUNT_ID}:cluster:aurora` }, /promotedDatabaseArn must be an RDS DB instance ARN/);
  });

  let base: StackPlan | undefined;
  const plan0 = () => base as StackPlan;
  before(async () => {
    base = await build();
  });
});

describe("backup rules", () => {
  it("retentionProblem accepts 5 to 35 whole days", () => {
    expect([5, 14, 35].map(retentionProblem)).to.deep.equal([undefined, undefined, undefined]);
    expect([0, 4, 36, 10.5, Number.NaN].map(retentionProblem).every((problem) => typeof problem === "string")).to.equal(true);
  });

  it("scheduleProblem accepts hourly-or-slower AWS cron expressions", () => {
    for (const good of ["cron(0 5 ? * * *)", "cron(15 * ? * * *)", "cron(0 12 * * ? *)", "cron(30 2 ? * MON-FRI *)", "cron(0 0/6 ? * * *)"]) {
      expect(scheduleProblem(good), good).to.equal(undefined);
    }
    for (const bad of [
      "cron(0 5 * * * *)",
      "cron(0 5 ? * ? *)",
      "cron(60 5 ? * * *)",
      "cron(*/5 * ? * * *)",
      "0 5 ? * * *",
      "rate(1 day)",
      "cron(0 5 ? * * * *)",
    ]) {
      expect(scheduleProblem(bad), bad).to.be.a("string");
    }
  });

  it("vaultLockProblem checks the mode and the compliance grace time", () => {
    expect(vaultLockProblem("governance", undefined)).to.equal(undefined);
    expect(vaultLockProblem("none", undefined)).to.equal(undefined);
    expect(vaultLockProblem("compliance", undefined)).to.equal(undefined);
    expect(vaultLockProblem("compliance", 36500)).to.equal(undefined);
    expect(vaultLockProblem("compliance", 36501)).to.match(/from 3 to 36500/);
    expect(vaultLockProblem("none", 3)).to.match(/compliance mode only/);
  });

  it("namePrefixProblem leaves room for the vault suffixes", () => {
    expect(namePrefixProblem("multi-region-dr-dr-backup")).to.equal(undefined);
    expect(namePrefixProblem("x".repeat(42))).to.equal(undefined);
    expect(namePrefixProblem("x".repeat(43))).to.be.a("string");
    expect(namePrefixProblem("bad name")).to.be.a("string");
  });

  it("continuousRetentionProblem asks the primary's backup retention to equal the plan's", () => {
    expect(continuousRetentionProblem(14, 14)).to.equal(undefined);
    expect(continuousRetentionProblem(14, 7)).to.match(
      /^is 14 days but the primary database keeps automated backups 7 days: .* set the primary's database.backupRetentionDays to 14/,
    );
  });

  it("vaultAccessPolicy denies with wildcards (the AWS Config rule's requirement) and exempts only break-glass principals", () => {
    const plain = vaultAccessPolicy();
    expect(plain.Statement).to.have.length(1);
    expect(plain.Statement[0]).to.include({ Effect: "Deny", Principal: "*", Resource: "*" });
    expect(plain.Statement[0]).to.not.have.property("Condition");
  });

  it("backupKeyPolicy names each key's region's services", () => {
    const document = backupKeyPolicy([{ keyArn: PRIMARY_KEY, region: PRIMARY }]);
    const services = (document.Statement[2].Condition as Record<string, Record<string, string[]>>).StringEquals["kms:ViaService"];
    expect(services).to.deep.equal([
      "backup.us-east-1.amazonaws.com",
      "rds.us-east-1.amazonaws.com",
      "s3.us-east-1.amazonaws.com",
      "dynamodb.us-east-1.amazonaws.com",
    ]);
    expect(document.Statement[1].Condition).to.deep.equal({ Bool: { "kms:GrantIsForAWSResource": true } });
  });
});
