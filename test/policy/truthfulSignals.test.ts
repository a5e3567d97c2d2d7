// Unit tests for the "signals and deletion" policies (policy/policies/truthfulSignals.ts, issue 19): the
// synthesized default pair and the aurora-global example pass each policy, and a copy of a synthesized
// plan broken in exactly one way fails with exactly the expected message. Small hand-written fixtures
// cover the shapes the program does not build (metric-math alarms, public zones, promoted plans).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { evaluatePolicies, type PolicyViolation } from "../../policy/offline";
import { ALL_POLICIES, POLICY_GROUPS } from "../../policy/policies";
import { jobsInto, lagMetricsOf, stableNameTtlBound, truthfulSignalsPolicies, vaultLockProblems, type VaultJob } from "../../policy/policies/truthfulSignals";
import { policyResourcesOf } from "../../policy/offline";
import type { PlannedResource, StackPlan } from "../../synth/recordStack";
import { synthesize } from "../../synth/synthesize";
import { copyOf, type FixtureResource, planOf, synthesizedStacks, violationsOf } from "./fixtures";
import { named } from "../fixtures/plannedResources";
import { exampleSynthesis } from "../fixtures/synthesis";

const ROOT = path.join(__dirname, "..", "..");
const LAG = "dr-lag-alarm-on-dr-copy";
const TTL = "stable-database-name-ttl";
const LOCK = "dr-backup-vault-locked";

/** Violations of one policy of this group on a plan, with an optional config entry for it. */
async function details(plan: StackPlan, policy: string, settings?: Record<string, unknown>): Promise<PolicyViolation[]> {
  const found = ALL_POLICIES.filter((candidate) => candidate.name === policy);
  expect(found, `exactly one policy named ${policy}`).to.have.length(1);
  return (await evaluatePolicies(plan, settings ? { [policy]: settings as never } : {}, found)).violations;
}

async function messages(plan: StackPlan, policy: string, settings?: Record<string, unknown>): Promise<string[]> {
  return (await details(plan, policy, settings)).map((violation) => violation.message);
}

/** Changes a resource's inputs and outputs alike (resource policies read inputs, stack policies outputs). */
function edit(resource: PlannedResource, change: (props: Record<string, unknown>) => void): void {
  change(resource.inputs);
  change(resource.outputs);
}

/** Moves a resource to the plan's provider of another region. */
function moveTo(plan: StackPlan, resource: PlannedResource, region: string): void {
  const provider = plan.resources.find((candidate) => candidate.type === "pulumi:providers:aws" && candidate.inputs.region === region);
  expect(provider, `a provider of ${region}`).to.not.equal(undefined);
  resource.providerUrn = provider!.urn;
  resource.region = region;
}

/** Expects exactly one message, containing every fragment. */
function expectOne(found: string[], ...fragments: string[]): void {
  expect(found, found.join("\n")).to.have.length(1);
  for (const fragment of fragments) expect(found[0]).to.include(fragment);
}

describe("signals and deletion policies (issue 19)", function () {
  this.timeout(240000);
  let primary: StackPlan;
  let dr: StackPlan;
  let auroraDr: StackPlan;

  before(async () => {
    ({ primary, dr } = await synthesizedStacks());
    auroraDr = (await exampleSynthesis("aurora-global")).dr;
  });

  it('registers the group "signals and deletion" with its three mandatory policies, each citing its source', () => {
    expect(Object.keys(POLICY_GROUPS)).to.include("signals and deletion");
    expect(POLICY_GROUPS["signals and deletion"].map((policy) => policy.name)).to.deep.equal([LAG, TTL, LOCK]);
    for (const policy of truthfulSignalsPolicies) {
      expect(policy.enforcementLevel, policy.name).to.equal("mandatory");
      expect(policy.description, policy.name).to.not.include("\n");
    }
  });

  for (const policy of [LAG, TTL, LOCK]) {
    it(`${policy}: the default primary and DR stacks and the aurora-global DR stack pass`, async () => {
      for (const plan of [primary, dr, auroraDr]) expect(await messages(plan, policy), plan.stack).to.deep.equal([]);
    });
  }

  describe(LAG, () => {
    it("the synthesized lag alarms are the ones judged: ReplicaLag of the replica, AuroraGlobalDBReplicationLag of the secondary", () => {
      expect(lagMetricsOf(named(dr, "dr-alarms-replica-lag").outputs)).to.deep.equal([
        { metricName: "ReplicaLag", dimensions: { DBInstanceIdentifier: named(dr, "dr-db-instance").outputs.identifier } },
      ]);
      expect(lagMetricsOf(named(auroraDr, "dr-alarms-replica-lag").outputs)).to.deep.equal([
        { metricName: "AuroraGlobalDBReplicationLag", dimensions: { DBClusterIdentifier: named(auroraDr, "dr-db-cluster").outputs.clusterIdentifier } },
      ]);
      expect(lagMetricsOf({ namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: {} })).to.deep.equal([]);
      expect(lagMetricsOf({ namespace: "Custom", metricName: "ReplicaLag", dimensions: {} })).to.deep.equal([]);
    });

    it("fails a ReplicaLag alarm on the primary's DB instance", async () => {
      const broken = copyOf(dr);
      const primaryId = named(primary, "primary-db-instance").outputs.identifier as string;
      edit(named(broken, "dr-alarms-replica-lag"), (props) => (props.dimensions = { DBInstanceIdentifier: primaryId }));
      const found = await details(broken, LAG);
      expectOne(
        found.map((violation) => violation.message),
        `dr-alarms-replica-lag: ReplicaLag watches the primary ${primaryId} (DBInstanceIdentifier), not the DR copy`,
        "set DBInstanceIdentifier to dr-db-instance-",
      );
      expect(found[0]).to.include({ enforcementLevel: "mandatory", resource: "dr-alarms-replica-lag" });
    });

    it("fails a lag alarm that reads missing data as fine (notBreaching or ignore), in both engine modes", async () => {
      for (const plan of [dr, auroraDr]) {
        for (const treatment of ["notBreaching", "ignore"]) {
          const broken = copyOf(plan);
          edit(named(broken, "dr-alarms-replica-lag"), (props) => (props.treatMissingData = treatment));
          expectOne(
            (await details(broken, LAG)).map((violation) => violation.message),
            `dr-alarms-replica-lag: treats missing data as ${treatment}, so a DR copy that publishes no lag can read OK`,
          );
        }
      }
    });

    it("fails an AuroraGlobalDBReplicationLag alarm on the primary cluster", async () => {
      const broken = copyOf(auroraDr);
      edit(named(broken, "dr-alarms-replica-lag"), (props) => (props.dimensions = { DBClusterIdentifier: "primary-db-cluster-a6edaffb" }));
      expectOne(
        await messages(broken, LAG),
        "AuroraGlobalDBReplicationLag watches the primary primary-db-cluster-a6edaffb (DBClusterIdentifier), not the DR copy",
        "set DBClusterIdentifier to dr-db-cluster-",
      );
    });

    it("fails a lag alarm that lives outside the DR region", async () => {
      const broken = copyOf(dr);
      moveTo(broken, named(broken, "dr-alarms-replica-lag"), "us-east-1");
      expectOne(await messages(broken, LAG), "dr-alarms-replica-lag: the lag alarm lives in us-east-1, not the DR region us-west-2");
    });

    it("fails a lag alarm without the identifying dimension, and one on another database", async () => {
      const none = copyOf(dr);
      edit(named(none, "dr-alarms-replica-lag"), (props) => (props.dimensions = {}));
      expectOne(await messages(none, LAG), "ReplicaLag has no DBInstanceIdentifier dimension, so it reads the region's aggregate");
      const other = copyOf(dr);
      edit(named(other, "dr-alarms-replica-lag"), (props) => (props.dimensions = { DBInstanceIdentifier: "reporting-db" }));
      expectOne(await messages(other, LAG), "watches DBInstanceIdentifier reporting-db, which is not the DR stack's DB instance in us-west-2");
    });

    it("judges the metrics of a metric-math alarm, and only in a DR stack", async () => {
      const manifest = named(dr, "recovery-parameter");
      const alarm = (region: string): FixtureResource => ({
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name: "lag-math",
        region,
        props: {
          metricQueries: [
            { id: "lag", metric: { namespace: "AWS/RDS", metricName: "AuroraGlobalDBRPOLag", dimensions: { DBClusterIdentifier: "primary-db-cluster" } } },
            { id: "e", expression: "lag / 1000", returnData: true },
          ],
        },
      });
      const withManifest: FixtureResource = { type: manifest.type, name: manifest.name, props: manifest.outputs };
      expectOne(
        await violationsOf(LAG, [withManifest, alarm("us-west-2")]),
        "lag-math: AuroraGlobalDBRPOLag watches DBClusterIdentifier primary-db-cluster, which is not the DR stack's DB cluster in us-west-2; set it to no DB cluster of this stack in us-west-2",
      );
      expect(await violationsOf(LAG, [alarm("us-east-1")]), "no manifest: not a DR stack").to.deep.equal([]);
    });
  });

  describe(TTL, () => {
    it("bounds the TTL by the smaller of 60 s and a tenth of the RTO", () => {
      expect(stableNameTtlBound(900)).to.equal(60);
      expect(stableNameTtlBound(3600)).to.equal(60);
      expect(stableNameTtlBound(300)).to.equal(30);
      expect(stableNameTtlBound(125)).to.equal(12);
      expect(stableNameTtlBound(900, 20, 10)).to.equal(20);
      expect(stableNameTtlBound(900, 60, 1)).to.equal(9);
    });

    it("fails a stable database name whose TTL is over 60 s, in either stack", async () => {
      for (const [plan, name] of [
        [dr, "dr-db-name-db"],
        [primary, "primary-db-name-db"],
      ] as const) {
        const broken = copyOf(plan);
        edit(named(broken, name), (props) => (props.ttl = 300));
        expectOne(
          await messages(broken, TTL),
          `${name}: db.app.internal has a TTL of 300 s, over 60 s (the smaller of 60 s and 10 % of the 900 s RTO)`,
          "lower the TTL",
        );
      }
    });

    it("fails the synthesized 30 s TTL against a tighter share of the RTO set in the pack config, and a name without a TTL", async () => {
      expectOne(await messages(dr, TTL, { rtoPercent: 1 }), "has a TTL of 30 s, over 9 s (the smaller of 60 s and 1 % of the 900 s RTO)");
      const broken = copyOf(dr);
      edit(named(broken, "dr-db-name-db"), (props) => delete props.ttl);
      expectOne(await messages(broken, TTL), "dr-db-name-db: db.app.internal has no TTL; set ttl to at most 60 s");
    });

    it("judges only db.<zone> CNAMEs of the stack's private zones", async () => {
      const manifest = named(dr, "recovery-parameter");
      const zone = (name: string, privateZone: boolean): FixtureResource => ({
        type: "aws:route53/zone:Zone",
        name,
        region: "global",
        props: { name: "app.internal", zoneId: `Z${name.toUpperCase()}`, ...(privateZone ? { vpcs: [{ vpcId: "vpc-1", vpcRegion: "us-west-2" }] } : {}) },
      });
      const record = (name: string, zoneName: string, type = "CNAME", recordName = "db.app.internal."): FixtureResource => ({
        type: "aws:route53/record:Record",
        name,
        region: "global",
        props: { name: recordName, type, ttl: 3600, records: ["x"], zoneId: `Z${zoneName.toUpperCase()}` },
        propertyDependencies: { zoneId: [zoneName] },
      });
      const withManifest: FixtureResource = { type: manifest.type, name: manifest.name, props: manifest.outputs };
      const found = await violationsOf(TTL, [
        withManifest,
        zone("private", true),
        zone("public", false),
        record("stable", "private"),
        record("in-public-zone", "public"),
        record("other-name", "private", "CNAME", "api.app.internal"),
        record("txt", "private", "TXT"),
      ]);
      expectOne(found, "stable: db.app.internal. has a TTL of 3600 s, over 60 s");
    });
  });

  describe(LOCK, () => {
    it("finds the jobs into the DR vault: the primary plan's copy (and the promoted plan's backups after a failover)", () => {
      const resources = policyResourcesOf(dr);
      const vault = resources.find((resource) => resource.name === "dr-backup-dr-vault")!;
      expect(jobsInto(resources, vault)).to.deep.equal([{ what: "dr-backup-plan rule continuous-with-dr-copy's copy", deleteAfterDays: 7 }]);
      const promoted = planOf([
        { type: "aws:backup/vault:Vault", name: "dr-vault", props: { name: "backup-dr", arn: "arn:aws:backup:us-west-2:123456789012:backup-vault:backup-dr" } },
        {
          type: "aws:backup/plan:Plan",
          name: "promoted-plan",
          props: { rules: [{ ruleName: "continuous-promoted", targetVaultName: "backup-dr", lifecycle: { deleteAfter: 10 } }] },
        },
        {
          type: "aws:backup/plan:Plan",
          name: "primary-plan",
          region: "us-east-1",
          props: {
            rules: [
              {
                ruleName: "r",
                targetVaultName: "backup-dr",
                copyActions: [{ destinationVaultArn: "arn:aws:backup:us-west-2:123456789012:backup-vault:backup-dr" }],
              },
            ],
          },
        },
      ]);
      const promotedResources = policyResourcesOf(promoted);
      // The primary-region rule's own target is a vault of the same name in its region, not this one.
      expect(
        jobsInto(
          promotedResources,
          promotedResources.find((resource) => resource.name === "dr-vault")!,
        ),
      ).to.deep.equal([
        { what: "promoted-plan rule continuous-promoted", deleteAfterDays: 10 },
        { what: "primary-plan rule r's copy", deleteAfterDays: undefined },
      ]);
    });

    it("states what a lock must be: the floor, the jobs' retention within its bounds, the grace days", () => {
      const jobs: VaultJob[] = [{ what: "copy", deleteAfterDays: 7 }];
      expect(vaultLockProblems({ minRetentionDays: 7 }, jobs)).to.deep.equal([]);
      expect(vaultLockProblems({ minRetentionDays: 5, maxRetentionDays: 7, changeableForDays: 3 }, jobs)).to.deep.equal([]);
      expect(vaultLockProblems({}, jobs)).to.have.length(1);
      expect(vaultLockProblems({ minRetentionDays: 8 }, jobs)[0]).to.include("copy keeps recovery points 7 days, under the lock's minRetentionDays 8");
      expect(vaultLockProblems({ minRetentionDays: 5, maxRetentionDays: 6 }, jobs)[0]).to.include("over the lock's maxRetentionDays 6");
      expect(vaultLockProblems({ minRetentionDays: 5, maxRetentionDays: 6 }, [{ what: "forever", deleteAfterDays: undefined }])[0]).to.include(
        "forever keeps recovery points forever, over the lock's maxRetentionDays 6",
      );
      expect(vaultLockProblems({ minRetentionDays: 5, changeableForDays: 2 }, jobs)[0]).to.include("changeableForDays is 2");
    });

    it("fails a DR vault whose lock is gone, and leaves the primary region's vault to the advisory backup-vault-lock", async () => {
      const broken = copyOf(dr);
      broken.resources = broken.resources.filter((resource) => resource.name !== "dr-backup-dr-vault-lock");
      const found = await details(broken, LOCK);
      expectOne(
        found.map((violation) => violation.message),
        "vault dr-backup-dr-vault holds the DR region's copy of every recovery point and has no Vault Lock",
        'set "dr-backup-vault-locked" to advisory in the policy-pack config',
      );
      expect(found[0]).to.include({ enforcementLevel: "mandatory", resource: "dr-backup-dr-vault" });

      const primaryUnlocked = copyOf(dr);
      primaryUnlocked.resources = primaryUnlocked.resources.filter((resource) => resource.name !== "dr-backup-primary-vault-lock");
      expect(await messages(primaryUnlocked, LOCK)).to.deep.equal([]);
      const advisory = await details(primaryUnlocked, "backup-vault-lock");
      expect(advisory.map((violation) => `${violation.enforcementLevel} ${violation.resource}`)).to.deep.equal(["advisory dr-backup-primary-vault"]);
    });

    it("fails a DR vault lock whose minimum retention refuses the copies", async () => {
      const broken = copyOf(dr);
      edit(named(broken, "dr-backup-dr-vault-lock"), (props) => (props.minRetentionDays = 14));
      expectOne(
        await messages(broken, LOCK),
        "vault dr-backup-dr-vault's lock dr-backup-dr-vault-lock: dr-backup-plan rule continuous-with-dr-copy's copy keeps recovery points 7 days, under the lock's minRetentionDays 14: AWS Backup fails that job",
      );
    });

    it("fails a DR vault lock below the retention floor, and one whose maximum refuses the copies", async () => {
      const low = copyOf(dr);
      edit(named(low, "dr-backup-dr-vault-lock"), (props) => (props.minRetentionDays = 1));
      expectOne(await messages(low, LOCK), "its minRetentionDays is 1: set at least 5 (the retention floor)");
      const capped = copyOf(dr);
      edit(named(capped, "dr-backup-dr-vault-lock"), (props) => (props.maxRetentionDays = 6));
      expectOne(await messages(capped, LOCK), "keeps recovery points 7 days, over the lock's maxRetentionDays 6");
    });

    it("does not exempt the teardown mode: a vault with forceDestroy still needs its lock, and stateful-resources-protected refuses the teardown", async () => {
      const teardown = copyOf(dr);
      const vault = named(teardown, "dr-backup-dr-vault");
      edit(vault, (props) => (props.forceDestroy = true));
      vault.protect = false;
      expect(await messages(teardown, LOCK)).to.deep.equal([]);
      expect((await details(teardown, "stateful-resources-protected")).map((violation) => violation.enforcementLevel)).to.include("mandatory");
      teardown.resources = teardown.resources.filter((resource) => resource.name !== "dr-backup-dr-vault-lock");
      expectOne(await messages(teardown, LOCK), "vault dr-backup-dr-vault holds the DR region's copy of every recovery point and has no Vault Lock");
    });

    it("with backup.vaultLock none the DR stack fails as mandatory; the pack config's advisory level lets it through as a finding", async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "vault-lock-none-")), "Pulumi.dr.yaml");
      writeFileSync(file, readFileSync(path.join(ROOT, "Pulumi.dr.yaml"), "utf8").replace("vaultLock: governance", "vaultLock: none"));
      const unlocked = (await synthesize({ projectDirectory: ROOT, drStackFile: file })).dr;
      expect(unlocked.resources.filter((resource) => resource.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration")).to.deep.equal([]);
      const mandatory = await details(unlocked, LOCK);
      expect(mandatory.map((violation) => `${violation.enforcementLevel} ${violation.resource}`)).to.deep.equal(["mandatory dr-backup-dr-vault"]);
      const accepted = await details(unlocked, LOCK, { enforcementLevel: "advisory" });
      expect(accepted.map((violation) => violation.enforcementLevel)).to.deep.equal(["advisory"]);
    });
  });
});
