/**
 * The teardown mode of a test pair (`multi-region-dr:protect: false`): the settings that let
 * `pulumi destroy` succeed (buckets and vaults force-destroyed, the Vault Lock deleted with the
 * stack, DynamoDB deletion protection off), and the
 * default (`protect: true`) unchanged. Tried on the default pair with a global table and on the
 * EU pilot-light example.
 */
import { expect } from "chai";
import { vaultAccessPolicy } from "../components/backupRules";
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import type { SynthesisResult } from "../synth/synthesize";
import { editedSynthesis } from "./fixtures/synthesis";

const NS = "multi-region-dr";

const ofType = (plan: StackPlan, type: string): PlannedResource[] => plan.resources.filter((resource) => resource.type === type);

/** The pair with a global table, and `protect` as given in both stack files. */
function pair(protect: boolean, example?: string): Promise<SynthesisResult> {
  const edit = (config: Record<string, unknown>) => {
    config[`${NS}:protect`] = protect;
    // The global table is the primary's setting; the DR stack adds its replica.
    if (!example && config[`${NS}:role`] === "primary") config[`${NS}:globalTable`] = { enabled: true, partitionKey: "id" };
  };
  return editedSynthesis({ example, primary: edit, dr: edit });
}

describe("teardown mode (protect: false) and the protected default", () => {
  let protectedPair: SynthesisResult;
  let teardown: SynthesisResult;
  let teardownEu: SynthesisResult;

  before(async () => {
    [protectedPair, teardown, teardownEu] = await Promise.all([pair(true), pair(false), pair(false, "pilot-light-eu")]);
  });

  it("force-destroys every bucket and backup vault only in teardown mode", () => {
    for (const [result, expected] of [
      [protectedPair, false],
      [teardown, true],
      [teardownEu, true],
    ] as const) {
      for (const plan of [result.primary, result.dr]) {
        for (const resource of [...ofType(plan, "aws:s3/bucket:Bucket"), ...ofType(plan, "aws:backup/vault:Vault")]) {
          expect(resource.inputs.forceDestroy, `${plan.stack}/${resource.name}`).to.equal(expected);
          // The DR stack's vault in the primary region is retained on delete instead of protected (the outage mode drops it).
          const retainedInstead = !expected && plan.role === "dr" && resource.region === result.primary.region;
          expect(resource.protect, `${plan.stack}/${resource.name}`).to.equal(!expected && !retainedInstead);
          expect(resource.retainOnDelete, `${plan.stack}/${resource.name}`).to.equal(retainedInstead);
        }
      }
    }
    expect(ofType(teardown.dr, "aws:backup/vault:Vault")).to.have.length(2);
  });

  it("turns DynamoDB deletion protection off only in teardown mode, on the table and its replica", () => {
    const tables = (result: SynthesisResult) => [
      ...ofType(result.primary, "aws:dynamodb/table:Table"),
      ...ofType(result.dr, "aws:dynamodb/tableReplica:TableReplica"),
    ];
    expect(tables(protectedPair).map((table) => table.inputs.deletionProtectionEnabled)).to.deep.equal([true, true]);
    expect(tables(teardown).map((table) => table.inputs.deletionProtectionEnabled)).to.deep.equal([false, false]);
  });

  it("keeps the vault policy's recovery-point deny in teardown mode too: destroy deletes the policy before its vault", () => {
    const policies = (result: SynthesisResult) => ofType(result.dr, "aws:backup/vaultPolicy:VaultPolicy");
    for (const policy of [...policies(protectedPair), ...policies(teardown)]) {
      expect(JSON.parse(String(policy.inputs.policy))).to.deep.equal(vaultAccessPolicy([]));
    }
    // Each policy names its vault, so Pulumi deletes it first (dependents before what they depend on).
    const vaultNames = ofType(teardown.dr, "aws:backup/vault:Vault").map((vault) => vault.outputs.name);
    expect(policies(teardown).map((policy) => policy.inputs.backupVaultName)).to.have.members(vaultNames);
  });

  it("retains the Vault Lock on delete only when protected: in teardown mode pulumi destroy deletes it", () => {
    const locks = (result: SynthesisResult) => ofType(result.dr, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
    expect(locks(protectedPair).map((lock) => lock.retainOnDelete)).to.deep.equal([true, true]);
    expect(locks(teardown).map((lock) => lock.retainOnDelete ?? false)).to.deep.equal([false, false]);
  });

  it("keeps the RDS final snapshot in teardown mode (a destroy still leaves the data), with deletion protection off", () => {
    const database = ofType(teardown.primary, "aws:rds/instance:Instance")[0];
    expect(database.inputs).to.include({ deletionProtection: false });
    expect(database.inputs.skipFinalSnapshot).to.not.equal(true);
    expect(database.inputs.finalSnapshotIdentifier).to.be.a("string");
  });

  it("is reported by invariant 10 and the mandatory pack: a teardown stack never passes the checks that guard production", () => {
    expect(protectedPair.invariants.find((invariant) => invariant.id === 10)?.violations).to.deep.equal([]);
    expect(teardown.invariants.find((invariant) => invariant.id === 10)?.violations.length).to.be.greaterThan(0);
    const mandatory = teardown.policies.dr.violations.filter((violation) => violation.enforcementLevel === "mandatory").map((violation) => violation.policy);
    expect(mandatory).to.include("stateful-resources-protected");
  });
});
