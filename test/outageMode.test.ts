/**
 * The DR stack's outage mode (`outage.primaryRegionDown`), proven in synthesis on several pairs: with
 * the primary region down the DR stack declares no resource, provider or invoke in it (nor in us-east-1
 * when that is the primary region, where IAM's and Route 53's control planes live); compared with the
 * same stack in the normal mode after a failover (`database.promoted: true`), every resource it keeps
 * is declared under the same URN with the same inputs and options (so nothing is replaced or updated,
 * IAM and Route 53 included), and every resource it drops carries `retainOnDelete` (the engine makes no
 * call to drop it). Also: the way back (`outage.adopt` imports what the outage mode dropped), the
 * providers' `stsRegion`, and the config errors.
 */
import { expect } from "chai";
import { ConfigError } from "../config/errors";
import { parseStackConfig } from "../config/load";
import { type DrConfig, outageProtectProblem } from "../config/schema";
import { checkStatefulProtection, RETAINED_TAG } from "../invariants/statefulProtection";
import { retainedOnDelete } from "../policy/policies/recovery";
import { advancedBackupCheckRegion } from "../stacks/dr";
import { type PlannedResource, type StackPlan } from "../synth/recordStack";
import { type SynthesisResult } from "../synth/synthesize";
import { editedPair, PROJECT_DIRECTORY, synthesizedWithCalls } from "./fixtures/synthesis";

const NS = "multi-region-dr";

/**
 * After a failover: database.promoted true (instance mode; an Aurora global database's failover changes no
 * resource, so its stack refuses the key), and the outage mode on or off; `extra` edits more.
 */
function afterFailover(outage: boolean, extra: (config: Record<string, unknown>) => void = () => undefined, promoted = true) {
  return (config: Record<string, unknown>) => {
    if (promoted) config[`${NS}:database`] = { ...(config[`${NS}:database`] as object | undefined), promoted: true };
    if (outage) config[`${NS}:outage`] = { primaryRegionDown: true };
    extra(config);
  };
}

interface Run {
  result: SynthesisResult;
  /** The DR stack's invokes (the recorder sees registrations, not invokes). */
  invokes: { token: string; provider: string }[];
  /** Import ids by URN. */
  imports: Map<string, string>;
}

/** The pair of `examples/<example>` (default: the repository's stack files) with `edit` applied to the DR stack file, synthesized once per process. */
async function run(example: string | undefined, edit: (config: Record<string, unknown>) => void): Promise<Run> {
  const { result, calls } = await synthesizedWithCalls({ projectDirectory: PROJECT_DIRECTORY, ...editedPair({ example, dr: edit }) });
  return { result, invokes: calls.invokes.filter((invoke) => invoke.stack === "dr"), imports: calls.imports };
}

const isProvider = (resource: PlannedResource) => resource.type.startsWith("pulumi:providers:");

/** Region of each provider reference (`<urn>::<id>`) of a plan. */
function providerRegions(plan: StackPlan): Map<string, string> {
  return new Map(plan.resources.filter(isProvider).map((provider) => [`${provider.urn}::${provider.id}`, String(provider.inputs.region)]));
}

/** The regions the outage mode must not reach: the primary region (which is us-east-1 itself, IAM's and Route 53's home, when the primary is there). */
function downRegions(primaryRegion: string): string[] {
  return [primaryRegion];
}

/**
 * Where each resource of the plan lives, as the DR checks read it: its own `region` input, else its
 * explicit provider's region, else (IAM, Route 53) `global`; and the region of the provider it uses.
 */
function reachOf(plan: StackPlan, resource: PlannedResource): string[] {
  const byUrn = new Map(plan.resources.map((candidate) => [candidate.urn, candidate]));
  const provider = resource.providerUrn ? byUrn.get(resource.providerUrn) : undefined;
  return [
    resource.region,
    ...(provider ? [String(provider.inputs.region)] : []),
    ...(typeof resource.inputs.region === "string" ? [resource.inputs.region] : []),
  ];
}

/** The inputs and options that decide what the engine does with a resource it has in its state. */
function declared(resource: PlannedResource): unknown {
  return {
    type: resource.type,
    inputs: resource.inputs,
    providerUrn: resource.providerUrn,
    parentUrn: resource.parentUrn,
    protect: resource.protect,
    retainOnDelete: resource.retainOnDelete,
    ignoreChanges: resource.ignoreChanges,
  };
}

/**
 * The one in-place update the outage mode makes, and why: the recovery manifest (an SSM parameter of
 * the DR region) records `primaryRegionDown`, so that the policy pack knows what is out of the stack.
 */
const OUTAGE_UPDATES: Record<string, (inputs: Record<string, unknown>) => void> = {
  "recovery-parameter": (inputs) => {
    const manifest = JSON.parse(String(inputs.insecureValue)) as Record<string, unknown>;
    expect(manifest.primaryRegionDown ?? false).to.be.a("boolean");
    delete manifest.primaryRegionDown;
    inputs.insecureValue = JSON.stringify(manifest);
  },
};

/** What differs between the same resource in the outage and the normal plan, beyond `OUTAGE_UPDATES`. */
function differences(outage: PlannedResource, normal: PlannedResource): string[] {
  const strip = (resource: PlannedResource) => {
    const copy = structuredClone(declared(resource)) as { inputs: Record<string, unknown> };
    OUTAGE_UPDATES[resource.name]?.(copy.inputs);
    return JSON.stringify(copy);
  };
  return strip(outage) === strip(normal) ? [] : [outage.urn];
}

const PAIRS = [
  { title: "the default pair, us-east-1 -> us-west-2 (warm standby, PostgreSQL, global table)", example: undefined, primaryRegion: "us-east-1" },
  { title: "us-east-2 -> us-west-1 (hot standby, MySQL Multi-AZ, two zones)", example: "us-east-2-us-west-1", primaryRegion: "us-east-2" },
  { title: "us-east-1 -> us-west-2 with automatic failover", example: "warm-standby-automatic", primaryRegion: "us-east-1" },
  { title: "an Aurora global database", example: "aurora-global", primaryRegion: undefined, promoted: false },
];

for (const pair of PAIRS) {
  describe(`outage mode: ${pair.title}`, () => {
    let outage: Run;
    let normal: Run;
    let primaryRegion: string;
    let drRegion: string;

    before(async () => {
      outage = await run(pair.example, afterFailover(true, undefined, pair.promoted ?? true));
      normal = await run(pair.example, afterFailover(false, undefined, pair.promoted ?? true));
      primaryRegion = outage.result.primary.region;
      drRegion = outage.result.dr.region;
      if (pair.primaryRegion) expect(primaryRegion).to.equal(pair.primaryRegion);
    });

    it("declares no resource and no provider in the primary region (us-east-1 itself when it is the primary)", () => {
      const down = downRegions(primaryRegion);
      const reaching = outage.result.dr.resources.filter((resource) => reachOf(outage.result.dr, resource).some((region) => down.includes(region)));
      expect(reaching.map((resource) => `${resource.type} ${resource.name}`)).to.deep.equal([]);
      const providers = outage.result.dr.resources.filter(isProvider).map((provider) => provider.inputs.region);
      expect(providers.filter((region) => down.includes(String(region)))).to.deep.equal([]);
      // The normal plan does reach the primary region: the check above has something to find.
      expect(normal.result.dr.resources.filter(isProvider).map((provider) => provider.inputs.region)).to.include(primaryRegion);
    });

    it("makes no invoke in the primary region: every AWS invoke goes through a provider of a reachable region", () => {
      const regions = providerRegions(outage.result.dr);
      // pulumi:pulumi:getResource is the engine's own look-up of a resource reference in the state, no provider's.
      const aws = (run: Run) => run.invokes.filter((invoke) => !invoke.token.startsWith("pulumi:pulumi:"));
      expect(aws(outage).length).to.be.greaterThan(0);
      const where = aws(outage).map((invoke) => `${invoke.token}@${regions.get(invoke.provider) ?? `no provider (${invoke.provider || "default"})`}`);
      expect(where.filter((entry) => entry.endsWith(`@${primaryRegion}`) || entry.includes("@no provider"))).to.deep.equal([]);
      // The normal plan's invokes reach the primary region (the alarm topic's and the backup plan's account look-ups).
      const normalRegions = providerRegions(normal.result.dr);
      expect(aws(normal).map((invoke) => normalRegions.get(invoke.provider))).to.include(primaryRegion);
    });

    it("keeps every resource it declares exactly as the normal mode after a failover declares it: same URN, inputs and options (no replacement, no update, IAM and Route 53 untouched)", () => {
      const normalByUrn = new Map(normal.result.dr.resources.map((resource) => [resource.urn, resource]));
      const missing = outage.result.dr.resources.filter((resource) => !normalByUrn.has(resource.urn)).map((resource) => resource.urn);
      expect(missing, "resources only the outage plan has (would be created)").to.deep.equal([]);
      const changed = outage.result.dr.resources.flatMap((resource) => differences(resource, normalByUrn.get(resource.urn)!));
      expect(changed, "resources whose inputs or options differ").to.deep.equal([]);
      const globalKept = outage.result.dr.resources.filter((resource) => resource.region === "global");
      expect(globalKept.some((resource) => resource.type.startsWith("aws:iam/"))).to.equal(true);
      expect(globalKept.some((resource) => resource.type.startsWith("aws:route53/"))).to.equal(true);
      // The stateful resources the DR stack keeps, among them the promoted database, are declared identically.
      const stateful = outage.result.dr.resources.filter((resource) =>
        ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:backup/vault:Vault"].includes(resource.type),
      );
      expect(stateful.length).to.be.greaterThan(3);
    });

    it("drops from the state only resources deployed with retainOnDelete and without protect, so the engine calls nobody", () => {
      const outageUrns = new Set(outage.result.dr.resources.map((resource) => resource.urn));
      const dropped = normal.result.dr.resources.filter((resource) => resource.custom && !isProvider(resource) && !outageUrns.has(resource.urn));
      expect(dropped.length).to.be.greaterThan(0);
      expect(dropped.filter((resource) => !resource.retainOnDelete || resource.protect).map((resource) => resource.urn)).to.deep.equal([]);
      // What is dropped is what lived in the primary region, or the IAM role of the rule that forwarded the us-east-1 alarm.
      const elsewhere = dropped.filter(
        (resource) => !reachOf(normal.result.dr, resource).includes(primaryRegion) && !resource.name.startsWith("dr-recovery-forward-alarm"),
      );
      expect(elsewhere.map((resource) => resource.urn)).to.deep.equal([]);
      // Everything of the normal plan in the primary region is retained on delete, the normal plan's own way of being ready for the outage.
      const inPrimary = normal.result.dr.resources.filter(
        (resource) => resource.custom && !isProvider(resource) && reachOf(normal.result.dr, resource).includes(primaryRegion),
      );
      expect(inPrimary.filter((resource) => !resource.retainOnDelete).map((resource) => resource.urn)).to.deep.equal([]);
    });

    it("configures every provider of another region with the DR region's STS endpoint, in both modes", () => {
      for (const plan of [outage.result.dr, normal.result.dr]) {
        const others = plan.resources.filter((resource) => resource.type === "pulumi:providers:aws" && resource.inputs.region !== drRegion);
        for (const provider of others) {
          expect(provider.inputs.stsRegion, provider.name).to.equal(drRegion);
          // Provider configuration reaches the engine as strings.
          expect(String(provider.inputs.skipCredentialsValidation), provider.name).to.equal("true");
        }
      }
    });

    it("keeps every DR invariant and every mandatory policy in both modes, so the outage deploy passes its own checks", () => {
      for (const { result } of [outage, normal]) {
        expect(checkStatefulProtection({ primary: result.primary, dr: result.dr }).violations).to.deep.equal([]);
        const failing = result.invariants.filter((invariant) => invariant.violations.length > 0);
        expect(failing, JSON.stringify(failing, null, 2)).to.deep.equal([]);
        const mandatory = result.policies.dr.violations.filter((violation) => violation.enforcementLevel === "mandatory");
        expect(mandatory.map((violation) => `${violation.policy}: ${violation.message}`)).to.deep.equal([]);
      }
    });

    it("points the DR region's database name at the DR database's own writer endpoint, which no workflow repoints, in both modes", () => {
      for (const plan of [outage.result.dr, normal.result.dr]) {
        const record = plan.resources.find((resource) => resource.type === "aws:route53/record:Record" && resource.name === "dr-db-name-db")!;
        const database = plan.resources.find((resource) => ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"].includes(resource.type))!;
        // A DB instance's address; an Aurora cluster's cluster (writer) endpoint, never its reader endpoint.
        const writer = database.type === "aws:rds/cluster:Cluster" ? database.outputs.endpoint : database.outputs.address;
        expect(record.inputs.records).to.deep.equal([writer]);
        if (database.type === "aws:rds/cluster:Cluster") expect(record.inputs.records).to.not.include(database.outputs.readerEndpoint);
        expect(record.ignoreChanges).to.deep.equal([]);
      }
    });

    it("says it is in the outage mode, and keeps naming the primary vault for restores", () => {
      expect(outage.result.dr.outputs.outageMode).to.equal(true);
      expect(normal.result.dr.outputs.outageMode).to.equal(false);
      if (normal.result.dr.outputs.backupPrimaryVaultName !== undefined) {
        expect(outage.result.dr.outputs.backupPrimaryVaultName).to.equal(normal.result.dr.outputs.backupPrimaryVaultName);
        expect(outage.result.dr.outputs.backupPlanId).to.equal(undefined);
      }
    });
  });
}

describe("outage mode: the way back (outage.adopt)", () => {
  let normal: Run;
  let ids: Record<string, string>;

  before(async () => {
    normal = await run(undefined, afterFailover(false));
    ids = normal.result.dr.outputs.primaryRegionResourceIds as Record<string, string>;
  });

  it("lists, before the outage, the id of every resource the DR stack retains in the primary region", () => {
    const retained = normal.result.dr.resources.filter((resource) => resource.custom && resource.retainOnDelete && resource.region !== normal.result.dr.region);
    expect(Object.keys(ids).sort()).to.include.members(retained.filter((resource) => resource.region === "us-east-1").map((resource) => resource.name));
    expect(ids["dr-backup-primary-vault"]).to.equal("multi-region-dr-dr-backup-primary");
    // A backup selection imports as <plan id>|<selection id> (the provider's aws.backup.Selection import section).
    const plan = normal.result.dr.resources.find((resource) => resource.name === "dr-backup-plan")!;
    const selection = normal.result.dr.resources.find((resource) => resource.name === "dr-backup-selection")!;
    expect(ids["dr-backup-selection"]).to.equal(`${plan.id}|${selection.id}`);
    expect(Object.keys(ids)).to.include.members([
      "dr-backup-plan",
      "dr-backup-selection",
      "replication-config",
      "dr-alarms-us-east-1-key-key",
      "dr-alarms-us-east-1-key-alias",
    ]);
  });

  it("carries the saved ids through the outage mode, and imports each one when the region is back, instead of creating it again", async () => {
    const during = await run(
      undefined,
      afterFailover(true, (config) => (config[`${NS}:outage`] = { primaryRegionDown: true, adopt: ids })),
    );
    expect(during.result.dr.outputs.primaryRegionResourceIds).to.deep.equal(ids);
    expect([...during.imports.values()]).to.deep.equal([]);

    const back = await run(
      undefined,
      afterFailover(false, (config) => (config[`${NS}:outage`] = { primaryRegionDown: false, adopt: ids })),
    );
    const imported = new Map(
      back.result.dr.resources.filter((resource) => back.imports.has(resource.urn)).map((resource) => [resource.name, back.imports.get(resource.urn)]),
    );
    expect(Object.fromEntries(imported)).to.deep.equal(ids);
    // What the provider cannot read back is ignored on the adopted resources, or the import would fail on it.
    const adopted = (name: string) => back.result.dr.resources.find((resource) => resource.name === name)!;
    expect(adopted("dr-alarms-us-east-1-key-key").ignoreChanges).to.include.members(["deletionWindowInDays", "bypassPolicyLockoutSafetyCheck"]);
    expect(adopted("dr-backup-primary-vault").ignoreChanges).to.include("forceDestroy");
    // Apart from the import option and those ignored inputs, the way back declares what the normal mode declares.
    const normalByUrn = new Map(normal.result.dr.resources.map((resource) => [resource.urn, resource]));
    const withoutAdoption = (resource: PlannedResource): PlannedResource => (back.imports.has(resource.urn) ? { ...resource, ignoreChanges: [] } : resource);
    expect(
      back.result.dr.resources.flatMap((resource) =>
        normalByUrn.has(resource.urn) ? differences(withoutAdoption(resource), normalByUrn.get(resource.urn)!) : [resource.urn],
      ),
    ).to.deep.equal([]);
  });

  it("refuses an adopt entry that names no retained resource, naming the key", async () => {
    let thrown: unknown;
    try {
      await run(
        undefined,
        afterFailover(false, (config) => (config[`${NS}:outage`] = { adopt: { "dr-backup-primry-vault": "x" } })),
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ConfigError);
    const problem = (thrown as ConfigError).problems[0];
    expect(problem.key).to.equal(`${NS}:outage.adopt`);
    expect(problem.message).to.match(/names no resource this stack places in us-east-1 \(it places: .*dr-backup-primary-vault/);
  });
});

describe("outage mode: configuration", () => {
  const base = { "aws:region": "us-west-2", [`${NS}:role`]: "dr", [`${NS}:primaryStack`]: "primary" };
  const parse = (extra: Record<string, string>) => parseStackConfig({ ...base, ...extra }, "dr") as DrConfig;
  const failure = (extra: Record<string, string>): ConfigError => {
    try {
      parse(extra);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error("expected a ConfigError");
  };

  it("defaults to off, with nothing to adopt", () => {
    expect(parse({}).outage).to.deep.equal({ primaryRegionDown: false, adopt: {} });
    expect(parse({ [`${NS}:outage`]: JSON.stringify({ primaryRegionDown: true }) }).outage.primaryRegionDown).to.equal(true);
  });

  it("refuses the outage mode in the teardown mode (protect: false), saying why", () => {
    const error = failure({ [`${NS}:outage`]: JSON.stringify({ primaryRegionDown: true }), [`${NS}:protect`]: "false" });
    expect(error.problems.map((problem) => problem.key)).to.deep.equal([`${NS}:outage`]);
    expect(error.problems[0].message).to.match(/needs protect: true: .*no retainOnDelete.*call Delete in the failed region/);
    expect(outageProtectProblem({ primaryRegionDown: false }, false)).to.equal(undefined);
  });

  it("names the key of a value of the wrong type or an unknown setting", () => {
    expect(failure({ [`${NS}:outage`]: JSON.stringify({ primaryRegionDown: "yes" }) }).problems[0]).to.include({ key: `${NS}:outage.primaryRegionDown` });
    expect(failure({ [`${NS}:outage`]: JSON.stringify({ primaryRegionDwon: true }) }).problems[0].key).to.match(new RegExp(`^${NS}:outage`));
    expect(failure({ [`${NS}:outage`]: JSON.stringify({ adopt: { "dr-backup-plan": "" } }) }).problems[0].message).to.match(/must not be empty/);
  });

  it("reads no AWS Backup region settings in the outage mode (the primary region is down)", () => {
    const config = parse({});
    const primary = { region: "us-east-1", globalTableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/t" };
    expect(advancedBackupCheckRegion(config, primary)).to.equal("us-east-1");
    expect(advancedBackupCheckRegion({ ...config, outage: { primaryRegionDown: true, adopt: {} } }, primary)).to.equal(undefined);
    expect(advancedBackupCheckRegion(config, { region: "us-east-1", globalTableArn: undefined })).to.equal(undefined);
  });
});

describe("outage mode: protection of what is retained instead of protected", () => {
  const vault = (patch: Partial<PlannedResource>): PlannedResource => ({
    urn: "urn:pulumi:dr::multi-region-dr::aws:backup/vault:Vault::v",
    type: "aws:backup/vault:Vault",
    name: "v",
    dependencies: [],
    propertyDependencies: {},
    region: "us-east-1",
    custom: true,
    protect: false,
    retainOnDelete: true,
    ignoreChanges: [],
    inputs: { name: "v", forceDestroy: false, tags: { [RETAINED_TAG]: "true" } },
    id: "v",
    outputs: {},
    ...patch,
  });
  const pair = (resource: PlannedResource) => ({
    primary: { project: "p", stack: "primary", role: "primary", region: "us-east-1", resources: [], outputs: {} },
    dr: { project: "p", stack: "dr", role: "dr", region: "us-west-2", resources: [resource], outputs: {} },
  });

  it("invariant 10 accepts retainOnDelete in place of protect, and refuses the tag without the option", () => {
    expect(checkStatefulProtection(pair(vault({}))).violations).to.deep.equal([]);
    expect(checkStatefulProtection(pair(vault({ retainOnDelete: false }))).violations).to.deep.equal([
      "dr/v: has neither Pulumi protect nor retainOnDelete",
      `dr/v: is tagged ${RETAINED_TAG}: true, which the policy pack takes for retainOnDelete, but has no retainOnDelete`,
    ]);
  });

  it("the policy pack, which cannot see retainOnDelete, takes the tag for it, and nothing else", () => {
    expect(retainedOnDelete({ tags: { [RETAINED_TAG]: "true" } })).to.equal(true);
    expect(retainedOnDelete({ tags: { [RETAINED_TAG]: "false" } })).to.equal(false);
    expect(retainedOnDelete({})).to.equal(false);
  });
});
