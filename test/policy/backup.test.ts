// Unit tests for the AWS Backup policies (policy/policies/backup.ts): a compliant fixture modelled on
// what BackupProtection builds (vaults in both regions, their policies and locks, the plan) passes
// every policy, and for each rule a fixture broken in exactly that one way fails with the expected
// message. The policies run through the offline evaluator, as `npm run synth` runs the pack.
import { expect } from "chai";
import { vaultAccessPolicy } from "../../components/backupRules";
import { evaluatePolicies } from "../../policy/offline";
import { BACKUP_TYPES, backupPolicies, deniesRecoveryPointDeletion, retentionProblems } from "../../policy/policies/backup";
import { copyOf, type FixtureResource, planOf } from "./fixtures";

const ACCOUNT = "123456789012";
const PRIMARY_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/67b36b50-b2af-6baa-5415-7657811c9ffb`;
const DR_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/bedb6028-3f3e-89be-a7f0-2fa27b7a6c37`;
const DR_VAULT_ARN = `arn:aws:backup:us-west-2:${ACCOUNT}:backup-vault:backup-dr`;
const POLICY = JSON.stringify(vaultAccessPolicy());

type Props = Record<string, unknown>;

/** The resources BackupProtection builds: the DR stack's default region is us-west-2, the primary side us-east-1. */
function fixtures(): FixtureResource[] {
  const side = (name: string, region: string, key: string): FixtureResource[] => [
    { type: BACKUP_TYPES.vault, name: `${name}-vault`, region, props: { name: `backup-${name}`, kmsKeyArn: key, forceDestroy: false } },
    {
      type: BACKUP_TYPES.vaultPolicy,
      name: `${name}-vault-policy`,
      region,
      props: { backupVaultName: `backup-${name}`, policy: POLICY },
      propertyDependencies: { backupVaultName: [`${name}-vault`] },
    },
    {
      type: BACKUP_TYPES.vaultLock,
      name: `${name}-vault-lock`,
      region,
      props: { backupVaultName: `backup-${name}`, minRetentionDays: 14 },
      propertyDependencies: { backupVaultName: [`${name}-vault`] },
    },
  ];
  return [
    ...side("dr", "us-west-2", DR_KEY),
    ...side("primary", "us-east-1", PRIMARY_KEY),
    {
      type: BACKUP_TYPES.plan,
      name: "plan",
      region: "us-east-1",
      props: {
        name: "backup-plan",
        rules: [
          {
            ruleName: "continuous-with-dr-copy",
            targetVaultName: "backup-primary",
            schedule: "cron(0 5 ? * * *)",
            enableContinuousBackup: true,
            lifecycle: { deleteAfter: 14 },
            copyActions: [{ destinationVaultArn: DR_VAULT_ARN, lifecycle: { deleteAfter: 14 } }],
          },
        ],
      },
    },
  ];
}

/** A copy of the fixtures with `name`'s props patched (a key patched to undefined is removed). */
function withProps(resources: FixtureResource[], name: string, patch: Props): FixtureResource[] {
  expect(resources.map((resource) => resource.name)).to.include(name);
  return resources.map((resource) => {
    if (resource.name !== name) return copyOf(resource);
    const props: Props = { ...copyOf(resource.props), ...patch };
    for (const [key, value] of Object.entries(patch)) if (value === undefined) delete props[key];
    return { ...copyOf(resource), props };
  });
}

function without(resources: FixtureResource[], ...names: string[]): FixtureResource[] {
  for (const name of names) expect(resources.map((resource) => resource.name)).to.include(name);
  return copyOf(resources.filter((resource) => !names.includes(resource.name)));
}

/** The plan's single rule with `patch` over it. */
function withRule(patch: Props): FixtureResource[] {
  const plan = fixtures().find((resource) => resource.name === "plan") as FixtureResource;
  const [rule] = plan.props.rules as Props[];
  return withProps(fixtures(), "plan", { rules: [{ ...rule, ...patch }] });
}

async function violations(policy: string, resources: FixtureResource[], settings?: Props): Promise<{ message: string; level: string }[]> {
  const selected = backupPolicies.filter((candidate) => candidate.name === policy);
  expect(selected, policy).to.have.length(1);
  const report = await evaluatePolicies(planOf(resources), settings ? { [policy]: settings as never } : {}, selected);
  return report.violations.map((violation) => ({ message: violation.message, level: violation.enforcementLevel }));
}

async function expectNone(policy: string, resources: FixtureResource[], settings?: Props): Promise<void> {
  const found = await violations(policy, resources, settings);
  expect(found.map((violation) => violation.message)).to.deep.equal([]);
}

async function expectOnly(policy: string, resources: FixtureResource[], pattern: RegExp, settings?: Props): Promise<string> {
  const found = await violations(policy, resources, settings);
  expect(
    found.map((violation) => violation.message),
    policy,
  ).to.have.length(1);
  expect(found[0].message).to.match(pattern);
  return found[0].level;
}

describe("backup policies", () => {
  it("pass the resources BackupProtection builds", async () => {
    for (const policy of backupPolicies) await expectNone(policy.name, fixtures());
  });

  it("declare their enforcement: everything mandatory but the vault lock", () => {
    expect(Object.fromEntries(backupPolicies.map((policy) => [policy.name, policy.enforcementLevel]))).to.deep.equal({
      "backup-vault-customer-key": "mandatory",
      "backup-vault-deletion-denied": "mandatory",
      "backup-retention-floor": "mandatory",
      "backup-continuous": "mandatory",
      "backup-vault-lock": "advisory",
    });
  });

  describe("backup-vault-customer-key", () => {
    it("fails a vault without a key or with an AWS-managed alias", async () => {
      await expectOnly(
        "backup-vault-customer-key",
        withProps(fixtures(), "dr-vault", { kmsKeyArn: undefined }),
        /^kmsKeyArn undefined is not a customer-managed key ARN/,
      );
      await expectOnly(
        "backup-vault-customer-key",
        withProps(fixtures(), "dr-vault", { kmsKeyArn: `arn:aws:kms:us-west-2:${ACCOUNT}:alias/aws/backup` }),
        /is not a customer-managed key ARN/,
      );
    });

    it("fails a vault encrypted with the other region's key", async () => {
      await expectOnly(
        "backup-vault-customer-key",
        withProps(fixtures(), "dr-vault", { kmsKeyArn: PRIMARY_KEY }),
        /^kmsKeyArn is a key of us-east-1 but the vault is in us-west-2/,
      );
    });
  });

  describe("backup-vault-deletion-denied", () => {
    it("fails a vault without an access policy", async () => {
      await expectOnly("backup-vault-deletion-denied", without(fixtures(), "dr-vault-policy"), /^vault dr-vault: add an aws\.backup\.VaultPolicy that denies/);
    });

    it("fails a policy that denies deletion but not lifecycle changes", async () => {
      const policy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Principal: "*", Action: "backup:DeleteRecoveryPoint", Resource: "*" }],
      });
      await expectOnly(
        "backup-vault-deletion-denied",
        withProps(fixtures(), "primary-vault-policy", { policy }),
        /^vault primary-vault: its access policy must Deny/,
      );
    });

    it("finds the policy by name when it is not linked by an output", async () => {
      const unlinked = fixtures().map((resource) => (resource.name === "dr-vault-policy" ? { ...resource, propertyDependencies: {} } : resource));
      await expectNone("backup-vault-deletion-denied", unlinked);
    });

    it("accepts a break-glass exemption", async () => {
      const policy = JSON.stringify(vaultAccessPolicy([`arn:aws:iam::${ACCOUNT}:role/break-glass`]));
      await expectNone("backup-vault-deletion-denied", withProps(fixtures(), "dr-vault-policy", { policy }));
    });
  });

  describe("backup-retention-floor", () => {
    it("fails a rule kept fewer than 5 days", async () => {
      await expectOnly(
        "backup-retention-floor",
        withRule({ lifecycle: { deleteAfter: 3 } }),
        /^rule continuous-with-dr-copy: lifecycle\.deleteAfter is 3 days, below 5/,
      );
    });

    it("fails a copy kept fewer than 5 days", async () => {
      await expectOnly(
        "backup-retention-floor",
        withRule({ copyActions: [{ destinationVaultArn: DR_VAULT_ARN, lifecycle: { deleteAfter: 2 } }] }),
        /the copy to arn:aws:backup:us-west-2:.* is kept 2 days, below 5: the DR region's copy must outlive the floor too/,
      );
    });

    it("fails a continuous rule kept longer than 35 days or without a lifecycle", async () => {
      await expectOnly(
        "backup-retention-floor",
        withRule({ lifecycle: { deleteAfter: 60 } }),
        /continuous backup needs lifecycle\.deleteAfter of at most 35 days, got 60/,
      );
      await expectOnly(
        "backup-retention-floor",
        withRule({ lifecycle: undefined }),
        /continuous backup needs lifecycle\.deleteAfter of at most 35 days, got none/,
      );
    });

    it("takes its floor from the pack configuration", async () => {
      const found = (await violations("backup-retention-floor", fixtures(), { minimumRetentionDays: 30 })).map((violation) => violation.message);
      expect(found).to.have.length(2);
      expect(found[0]).to.match(/lifecycle\.deleteAfter is 14 days, below 30/);
      expect(found[1]).to.match(/is kept 14 days, below 30/);
    });
  });

  describe("backup-continuous", () => {
    it("fails a plan without continuous backup", async () => {
      await expectOnly("backup-continuous", withRule({ enableContinuousBackup: false }), /^set enableContinuousBackup to true on a rule/);
    });
  });

  describe("backup-vault-lock", () => {
    it("reports an unlocked vault as advisory", async () => {
      const level = await expectOnly(
        "backup-vault-lock",
        without(fixtures(), "primary-vault-lock"),
        /^vault primary-vault: add an aws\.backup\.VaultLockConfiguration/,
      );
      expect(level).to.equal("advisory");
    });

    it("reports a lock without a minimum retention or with a short compliance grace time", async () => {
      await expectOnly("backup-vault-lock", withProps(fixtures(), "dr-vault-lock", { minRetentionDays: undefined }), /set the lock's minRetentionDays/);
      await expectOnly("backup-vault-lock", withProps(fixtures(), "dr-vault-lock", { changeableForDays: 1 }), /changeableForDays must be at least 3, got 1/);
    });
  });

  describe("helpers", () => {
    it("deniesRecoveryPointDeletion wants both actions denied to every principal on every resource", () => {
      expect(deniesRecoveryPointDeletion(POLICY)).to.equal(true);
      const statement = {
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["BACKUP:DeleteRecoveryPoint", "backup:updaterecoverypointlifecycle"],
        Resource: "*",
      };
      expect(deniesRecoveryPointDeletion({ Statement: [statement] })).to.equal(true);
      expect(deniesRecoveryPointDeletion({ Statement: [{ ...statement, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }] })).to.equal(false);
      expect(deniesRecoveryPointDeletion({ Statement: [{ ...statement, Resource: DR_VAULT_ARN }] })).to.equal(false);
      expect(deniesRecoveryPointDeletion({ Statement: [{ ...statement, Effect: "Allow" }] })).to.equal(false);
      expect(deniesRecoveryPointDeletion("not json")).to.equal(false);
    });

    it("retentionProblems accepts rules without a lifecycle unless continuous", () => {
      expect(retentionProblems([{ ruleName: "forever" }], 5)).to.deep.equal([]);
      expect(retentionProblems(undefined, 5)).to.deep.equal([]);
    });
  });
});
