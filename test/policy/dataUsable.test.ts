// The "data usable" policies (issue 19): each passes the synthesized stacks of both engine modes, after a
// failover and in the outage mode, and fails a copy broken in exactly one way with exactly the expected
// message; then the exported pure helpers, on their edge cases.
import { expect } from "chai";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import { engineOfFamily, parameterDifferences, skippedObjectsProblem } from "../../policy/policies/dataUsable";
import type { PlannedResource, StackPlan } from "../../synth/recordStack";
import type { SynthesisResult } from "../../synth/synthesize";
import { editedSynthesis, exampleSynthesis } from "../fixtures/synthesis";
import { copyOf, synthesizedStacks } from "./fixtures";

const NS = "multi-region-dr";

/** The messages of one policy of the pack on a plan. */
async function violations(policyName: string, plan: StackPlan): Promise<string[]> {
  const policy = ALL_POLICIES.filter((candidate) => candidate.name === policyName);
  expect(policy, policyName).to.have.length(1);
  return (await evaluatePolicies(plan, {}, policy)).violations.map((violation) => violation.message);
}

async function expectNone(policyName: string, plan: StackPlan): Promise<void> {
  const messages = await violations(policyName, plan);
  expect(messages, messages.join("\n")).to.deep.equal([]);
}

/** Expects exactly one violation, matching `pattern`. */
async function expectOnly(policyName: string, plan: StackPlan, pattern: RegExp): Promise<void> {
  const messages = await violations(policyName, plan);
  expect(messages, messages.join("\n")).to.have.length(1);
  expect(messages[0]).to.match(pattern);
}

/** The one resource of `plan` named `name` (of `type`). */
function resourceOf(plan: StackPlan, type: string, name: string): PlannedResource {
  const found = plan.resources.filter((resource) => resource.type === type && resource.name === name);
  expect(found, `${type} ${name}`).to.have.length(1);
  return found[0];
}

/**
 * A copy of `plan` with one resource's inputs and outputs patched (a key patched to undefined is removed,
 * and so are its property dependencies, so that the value is gone, not just renamed).
 */
function patched(plan: StackPlan, type: string, name: string, patch: Record<string, unknown>): StackPlan {
  const copy = copyOf(plan);
  const resource = resourceOf(copy, type, name);
  for (const bag of [resource.inputs, resource.outputs]) {
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete bag[key];
      else bag[key] = copyOf(value);
    }
  }
  for (const key of Object.keys(patch)) delete resource.propertyDependencies[key];
  resource.dependencies = [...new Set(Object.values(resource.propertyDependencies).flat())];
  return copy;
}

/** A copy of `plan` without the resources `drop` selects. */
function without(plan: StackPlan, drop: (resource: PlannedResource) => boolean): StackPlan {
  const copy = copyOf(plan);
  const before = copy.resources.length;
  copy.resources = copy.resources.filter((resource) => !drop(resource));
  expect(copy.resources.length).to.be.below(before);
  return copy;
}

const promoted = (config: Record<string, unknown>) => {
  config[`${NS}:database`] = { ...(config[`${NS}:database`] as object | undefined), promoted: true };
};
const outage = (config: Record<string, unknown>) => {
  config[`${NS}:outage`] = { primaryRegionDown: true };
};

const T = {
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  plan: "aws:backup/plan:Plan",
  selection: "aws:backup/selection:Selection",
  vault: "aws:backup/vault:Vault",
  instance: "aws:rds/instance:Instance",
  parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  cluster: "aws:rds/cluster:Cluster",
  clusterParameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
};

describe("data usable policies (issue 19)", function () {
  this.timeout(120000);
  let instance: SynthesisResult;
  let aurora: SynthesisResult;
  let mysql: SynthesisResult;
  let afterFailover: SynthesisResult;
  let inOutage: SynthesisResult;
  let promotedInOutage: SynthesisResult;

  before(async () => {
    instance = await synthesizedStacks();
    aurora = await exampleSynthesis("aurora-global");
    mysql = await exampleSynthesis("us-east-1-us-west-2-mysql");
    afterFailover = await editedSynthesis({ dr: promoted });
    inOutage = await editedSynthesis({ dr: outage });
    promotedInOutage = await editedSynthesis({
      dr: (config) => {
        promoted(config);
        outage(config);
      },
    });
  });

  /** Every synthesized stack the policies must pass. */
  const everyStack = (): [string, StackPlan][] => [
    ["instance primary", instance.primary],
    ["instance DR", instance.dr],
    ["Aurora primary", aurora.primary],
    ["Aurora DR", aurora.dr],
    ["MySQL primary", mysql.primary],
    ["MySQL DR", mysql.dr],
    ["promoted DR", afterFailover.dr],
    ["outage DR", inOutage.dr],
    ["promoted outage DR", promotedInOutage.dr],
  ];

  for (const policy of [
    "s3-replication-every-object",
    "s3-replication-readable-class",
    "backup-selection-covers-primary-stores",
    "db-parameters-match-primary",
    "aurora-secondary-engine-version",
  ]) {
    it(`${policy} passes every synthesized stack (both engine modes, MySQL, after a failover, in the outage mode)`, async () => {
      for (const [label, plan] of everyStack()) {
        const messages = await violations(policy, plan);
        expect(messages, `${label}: ${messages.join("\n")}`).to.deep.equal([]);
      }
    });
  }

  describe("s3-replication-every-object", () => {
    const POLICY = "s3-replication-every-object";
    /** The DR stack with the replication rule's fields patched. */
    const withRule = (patch: Record<string, unknown>, remove: string[] = []) => {
      const rule = { ...copyOf((resourceOf(instance.dr, T.replication, "replication-config").inputs.rules as Record<string, unknown>[])[0]), ...patch };
      for (const key of remove) delete rule[key];
      return patched(instance.dr, T.replication, "replication-config", { rules: [rule] });
    };

    it("fails a prefix filter", async () => {
      await expectOnly(
        POLICY,
        withRule({ filter: { prefix: "data/" } }),
        /^rule replicate-everything-to-dr: filter\.prefix "data\/" replicates only the objects that match/,
      );
    });
    it("fails a tag filter", async () => {
      await expectOnly(POLICY, withRule({ filter: { tag: { key: "replicate", value: "yes" } } }), /filter\.tag replicate=yes replicates only/);
    });
    it("fails an And of a prefix and tags", async () => {
      await expectOnly(
        POLICY,
        withRule({ filter: { and: { prefix: "data/", tags: { tier: "gold" } } } }),
        /filter\.and\.prefix "data\/" and filter\.and\.tags tier=gold replicates only/,
      );
    });
    it("fails a V1 rule's prefix (no filter)", async () => {
      await expectOnly(
        POLICY,
        withRule({ prefix: "uploads/" }, ["filter"]),
        /^rule replicate-everything-to-dr: prefix "uploads\/" replicates only the keys under it/,
      );
    });
    it("passes an empty prefix, an empty And and a V1 rule without prefix", async () => {
      await expectNone(POLICY, withRule({ filter: { prefix: "" } }));
      await expectNone(POLICY, withRule({ filter: { and: { prefix: "", tags: {} } } }));
      await expectNone(POLICY, withRule({ prefix: "" }, ["filter"]));
    });
    it("ignores a Disabled rule's filter", async () => {
      const rules = resourceOf(instance.dr, T.replication, "replication-config").inputs.rules as Record<string, unknown>[];
      const disabled = { ...copyOf(rules[0]), id: "old", priority: 2, status: "Disabled", filter: { prefix: "old/" } };
      await expectNone(POLICY, patched(instance.dr, T.replication, "replication-config", { rules: [...rules, disabled] }));
    });
  });

  describe("s3-replication-readable-class", () => {
    const POLICY = "s3-replication-readable-class";
    const withStorageClass = (storageClass: string) => {
      const rule = copyOf((resourceOf(instance.dr, T.replication, "replication-config").inputs.rules as { destination: Record<string, unknown> }[])[0]);
      rule.destination.storageClass = storageClass;
      return patched(instance.dr, T.replication, "replication-config", { rules: [rule] });
    };
    for (const storageClass of ["GLACIER", "DEEP_ARCHIVE"]) {
      it(`fails ${storageClass}`, async () => {
        await expectOnly(
          POLICY,
          withStorageClass(storageClass),
          new RegExp(`^rule replicate-everything-to-dr: destination\\.storageClass ${storageClass} needs a RestoreObject`),
        );
      });
    }
    it("passes GLACIER_IR (readable at once), STANDARD_IA and INTELLIGENT_TIERING", async () => {
      for (const storageClass of ["GLACIER_IR", "STANDARD_IA", "INTELLIGENT_TIERING"]) await expectNone(POLICY, withStorageClass(storageClass));
    });
  });

  describe("backup-selection-covers-primary-stores", () => {
    const POLICY = "backup-selection-covers-primary-stores";
    const DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:primary-db-instance-9cb3a42d";

    it("fails a selection that no longer names the primary database", async () => {
      await expectOnly(
        POLICY,
        patched(instance.dr, T.selection, "dr-backup-selection", { resources: [] }),
        new RegExp(`^the primary database ${DB_ARN} is in no backup selection of the us-east-1 plan`),
      );
    });
    it("fails an Aurora selection that misses the manifest's global table", async () => {
      const selection = resourceOf(aurora.dr, T.selection, "dr-backup-selection");
      const resources = (selection.inputs.resources as string[]).filter((arn) => !arn.includes(":dynamodb:"));
      await expectOnly(
        POLICY,
        patched(aurora.dr, T.selection, "dr-backup-selection", { resources }),
        /^the global table arn:aws:dynamodb:us-east-1:\d+:table\/\S+ is in no backup selection/,
      );
    });
    it("fails a database excluded by notResources", async () => {
      await expectOnly(
        POLICY,
        patched(instance.dr, T.selection, "dr-backup-selection", { notResources: [DB_ARN] }),
        /^the primary database \S+ is in no backup selection of the us-east-1 plan \(or is excluded by notResources or tag conditions\)/,
      );
    });
    it("fails a selection narrowed by tag conditions, which the DR stack cannot see", async () => {
      const conditions = [{ stringEquals: [{ key: "aws:ResourceTag/backup", value: "daily" }] }];
      await expectOnly(POLICY, patched(instance.dr, T.selection, "dr-backup-selection", { conditions }), /^the primary database .* is in no backup selection/);
    });
    it("passes a wildcard that covers the database", async () => {
      await expectNone(POLICY, patched(instance.dr, T.selection, "dr-backup-selection", { resources: ["arn:aws:rds:us-east-1:123456789012:db:*"] }));
    });
    it("fails a stack that backs up but has no plan in the primary region", async () => {
      const broken = without(instance.dr, (resource) => ["dr-backup-plan", "dr-backup-selection"].includes(resource.name));
      await expectOnly(POLICY, broken, new RegExp(`^no AWS Backup plan in the primary region us-east-1: nothing backs up the primary database ${DB_ARN}`));
    });
    it("fails a selection attached to another plan than the primary region's", async () => {
      await expectOnly(
        POLICY,
        patched(instance.dr, T.selection, "dr-backup-selection", { planId: "another-plan" }),
        /^the primary database .* is in no backup selection/,
      );
    });
    it("passes a stack that does not back up (no vault, no plan)", async () => {
      await expectNone(
        POLICY,
        without(instance.dr, (resource) => resource.type.startsWith("aws:backup/")),
      );
    });
    for (const [label, plan] of [
      ["after a failover", () => afterFailover.dr],
      ["after a failover in the outage mode", () => promotedInOutage.dr],
    ] as const) {
      it(`fails ${label} when the DR region's plan does not select the promoted database`, async () => {
        await expectOnly(
          POLICY,
          patched(plan(), T.selection, "dr-backup-promoted-selection", { resources: [] }),
          /^dr-db-instance: the promoted DR database is in no backup selection of a us-west-2 plan/,
        );
      });
    }
    it("fails after a failover without the DR region's plan", async () => {
      const broken = without(afterFailover.dr, (resource) => ["dr-backup-promoted-plan", "dr-backup-promoted-selection"].includes(resource.name));
      await expectOnly(POLICY, broken, /^dr-db-instance: the promoted DR database is in no backup selection/);
    });
    it("asks nothing of the primary-region plan in the outage mode", async () => {
      expect(inOutage.dr.resources.filter((resource) => resource.type === T.plan)).to.deep.equal([]);
      await expectNone(POLICY, inOutage.dr);
    });
  });

  describe("db-parameters-match-primary", () => {
    const POLICY = "db-parameters-match-primary";
    /** `plan` with one parameter of a group replaced (`value` undefined: removed), or one added. */
    const withParameter = (plan: StackPlan, type: string, group: string, name: string, value: string | undefined) => {
      const parameters = copyOf(resourceOf(plan, type, group).inputs.parameters as { name: string; value: string; applyMethod: string }[]);
      const rest = parameters.filter((parameter) => parameter.name !== name);
      const next = value === undefined ? rest : [...rest, { name, value, applyMethod: "immediate" }];
      return patched(plan, type, group, { parameters: next });
    };

    it("fails a DR group without rds.force_ssl (TLS enforcement)", async () => {
      await expectOnly(
        POLICY,
        withParameter(instance.dr, T.parameterGroup, "dr-db-parameters", "rds.force_ssl", undefined),
        /^dr-db-parameters: rds\.force_ssl is not set \(the program sets 1\): both regions' groups must set the program's parameters/,
      );
    });
    it("fails a DR group with rds.force_ssl 0", async () => {
      await expectOnly(
        POLICY,
        withParameter(instance.dr, T.parameterGroup, "dr-db-parameters", "rds.force_ssl", "0"),
        /^dr-db-parameters: rds\.force_ssl is 0, the program sets 1/,
      );
    });
    it("fails a MySQL DR group without require_secure_transport", async () => {
      await expectOnly(
        POLICY,
        withParameter(mysql.dr, T.parameterGroup, "dr-db-parameters", "require_secure_transport", undefined),
        /^dr-db-parameters: require_secure_transport is not set \(the program sets 1\)/,
      );
    });
    it("fails a parameter the program does not set, in either stack", async () => {
      await expectOnly(
        POLICY,
        withParameter(instance.dr, T.parameterGroup, "dr-db-parameters", "work_mem", "65536"),
        /^dr-db-parameters: work_mem=65536 is not a parameter the program sets/,
      );
      await expectOnly(
        POLICY,
        withParameter(instance.primary, T.parameterGroup, "primary-db-parameters", "log_min_duration_statement", "500"),
        /^primary-db-parameters: log_min_duration_statement is 500, the program sets 1000/,
      );
    });
    it("fails a DR replica on the engine's default group", async () => {
      await expectOnly(
        POLICY,
        patched(instance.dr, T.instance, "dr-db-instance", { parameterGroupName: undefined }),
        /^dr-db-instance: parameterGroupName undefined is not a parameter group of this stack: the engine's default group/,
      );
    });
    it("fails a DR group of another family than the primary's (from the manifest's dbEngineVersion)", async () => {
      await expectOnly(
        POLICY,
        patched(instance.dr, T.parameterGroup, "dr-db-parameters", { family: "postgres16" }),
        /^dr-db-instance: its parameter group dr-db-parameters is of family postgres16, not postgres17, the family of the primary's engine and version/,
      );
    });
    it("fails an Aurora DR cluster group whose other parameters differ", async () => {
      await expectOnly(
        POLICY,
        withParameter(aurora.dr, T.clusterParameterGroup, "dr-db-cluster-parameters", "log_min_duration_statement", "250"),
        /^dr-db-cluster-parameters: log_min_duration_statement is 250, the program sets 1000/,
      );
    });
    it("leaves an Aurora cluster group's TLS parameter, and a cluster without a group, to aurora-tls-only", async () => {
      await expectNone(POLICY, withParameter(aurora.dr, T.clusterParameterGroup, "dr-db-cluster-parameters", "rds.force_ssl", undefined));
      await expectNone(POLICY, patched(aurora.dr, T.cluster, "dr-db-cluster", { dbClusterParameterGroupName: undefined }));
      const messages = await violations(
        "aurora-tls-only",
        withParameter(aurora.dr, T.clusterParameterGroup, "dr-db-cluster-parameters", "rds.force_ssl", undefined),
      );
      expect(messages).to.have.length(1);
    });
    it("fails an Aurora DR cluster naming a cluster parameter group outside the stack", async () => {
      await expectOnly(
        POLICY,
        patched(aurora.dr, T.cluster, "dr-db-cluster", { dbClusterParameterGroupName: "default.aurora-postgresql17" }),
        /^dr-db-cluster: dbClusterParameterGroupName "default\.aurora-postgresql17" is not a parameter group of this stack/,
      );
    });
  });

  describe("aurora-secondary-engine-version", () => {
    const POLICY = "aurora-secondary-engine-version";
    it("fails a secondary on another version than the manifest's dbEngineVersion", async () => {
      await expectOnly(
        POLICY,
        patched(aurora.dr, T.cluster, "dr-db-cluster", { engineVersion: "17.5" }),
        /^dr-db-cluster: engineVersion "17\.5" is not 17\.4, the version of the global cluster multi-region-dr-primary-db-global \(the primary's dbEngineVersion\)/,
      );
    });
    it("fails a secondary with no engineVersion (AWS would pick its default)", async () => {
      await expectOnly(
        POLICY,
        patched(aurora.dr, T.cluster, "dr-db-cluster", { engineVersion: undefined }),
        /^dr-db-cluster: engineVersion undefined is not 17\.4/,
      );
    });
    it("fails a secondary of another engine", async () => {
      await expectOnly(
        POLICY,
        patched(aurora.dr, T.cluster, "dr-db-cluster", { engine: "aurora-mysql" }),
        /^dr-db-cluster: engine "aurora-mysql" is not aurora-postgresql/,
      );
    });
    it("fails a primary cluster on another version than its stack's global cluster", async () => {
      await expectOnly(
        POLICY,
        patched(aurora.primary, T.cluster, "primary-db-cluster", { engineVersion: "17.2" }),
        /^primary-db-cluster: engineVersion "17\.2" is not 17\.4, the version of the global cluster primary-db-global/,
      );
    });
    it("judges no cluster of another global cluster than the manifest's (aurora-global-membership reports it)", async () => {
      await expectNone(POLICY, patched(aurora.dr, T.cluster, "dr-db-cluster", { globalClusterIdentifier: "another-global", engineVersion: "16.1" }));
    });
  });

  describe("helpers", () => {
    it("skippedObjectsProblem reads the provider's list form too", () => {
      expect(skippedObjectsProblem({ filter: [{ prefix: "a/" }] })).to.match(/filter\.prefix "a\/"/);
      expect(skippedObjectsProblem({ filter: [{}] })).to.equal(undefined);
      expect(skippedObjectsProblem({ filter: { tag: { key: "" } } })).to.equal(undefined);
    });
    it("engineOfFamily maps every family the program builds, and no other engine", () => {
      expect(engineOfFamily("postgres17")).to.deep.equal({ engine: "postgres", aurora: false });
      expect(engineOfFamily("mysql8.4")).to.deep.equal({ engine: "mysql", aurora: false });
      expect(engineOfFamily("aurora-postgresql17")).to.deep.equal({ engine: "postgres", aurora: true });
      expect(engineOfFamily("aurora-mysql8.0")).to.deep.equal({ engine: "mysql", aurora: true });
      expect(engineOfFamily("aurora-postgresql")).to.deep.equal({ engine: "postgres", aurora: true });
      expect(engineOfFamily("mariadb10.11")).to.equal(undefined);
      expect(engineOfFamily(undefined)).to.equal(undefined);
    });
    it("parameterDifferences ignores applyMethod and the skipped names", () => {
      const same = [
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        { name: "log_min_duration_statement", value: 1000 },
      ];
      expect(parameterDifferences(same, "postgres")).to.deep.equal([]);
      expect(parameterDifferences([{ name: "log_min_duration_statement", value: "1000" }], "postgres", ["rds.force_ssl"])).to.deep.equal([]);
      expect(parameterDifferences(undefined, "mysql")).to.deep.equal([
        "require_secure_transport is not set (the program sets 1)",
        "slow_query_log is not set (the program sets 1)",
      ]);
    });
  });
});
