// Unit tests for the DynamoDB global table components: GlobalTable (the primary region's table) and
// GlobalTableReplica (the DR region's TableReplica), each built alone under Pulumi mocks
// (synth/recordStack.ts) and checked input by input and option by option; the validation helpers
// are tested directly, and every refused input is refused before any resource is registered.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  GLOBAL_TABLE_STREAM_VIEW,
  GlobalTable,
  type GlobalTableArgs,
  keyNameProblem,
  kmsKeyRegion,
  parseTableArn,
  PITR_RECOVERY_PERIOD_DAYS,
  tableNameProblem,
  validateGlobalTableArgs,
} from "../components/globalTable";
import { GlobalTableReplica, type GlobalTableReplicaArgs, validateGlobalTableReplicaArgs } from "../components/globalTableReplica";
import { evaluatePolicies } from "../policy/offline";
import { globalTablePolicies } from "../policy/policies/globalTable";
import { MOCK_ACCOUNT_ID } from "../synth/mockCloud";
import { type PlannedResource, recordStack, type StackPlan } from "../synth/recordStack";

const TABLE = "aws:dynamodb/table:Table";
const TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica";
const EAST_KEY = `arn:aws:kms:us-east-1:${MOCK_ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const WEST_KEY = `arn:aws:kms:us-west-2:${MOCK_ACCOUNT_ID}:key/abcd1234-ab12-cd34-ef56-abcdef123456`;
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${MOCK_ACCOUNT_ID}:table/multi-region-dr-app-data`;

/** Builds components in `region` under mocks with an explicit AWS provider there. */
function plan(region: string, build: (opts: pulumi.ComponentResourceOptions) => void): Promise<StackPlan> {
  return recordStack({
    project: "global-table",
    stack: "test",
    role: region === "us-east-1" ? "primary" : "dr",
    region,
    program: () => {
      const provider = new aws.Provider("provider", { region });
      build({ providers: { aws: provider } });
      return {};
    },
  });
}

/** Expects building to throw an Error matching `pattern`, and returns it. */
async function expectRefused(region: string, build: (opts: pulumi.ComponentResourceOptions) => void, pattern: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await plan(region, build);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected the component to throw").to.be.instanceOf(Error);
  expect((thrown as Error).message).to.match(pattern);
}

function only(resources: PlannedResource[], type: string): PlannedResource {
  const found = resources.filter((resource) => resource.type === type);
  expect(
    found.map((resource) => resource.name),
    type,
  ).to.have.length(1);
  return found[0];
}

function tableArgs(overrides: Partial<GlobalTableArgs> = {}): GlobalTableArgs {
  return { region: "us-east-1", tableName: "multi-region-dr-app-data", partitionKey: "pk", kmsKeyArn: EAST_KEY, ...overrides };
}

function replicaArgs(overrides: Partial<GlobalTableReplicaArgs> = {}): GlobalTableReplicaArgs {
  return { region: "us-west-2", globalTableArn: TABLE_ARN, kmsKeyArn: WEST_KEY, ...overrides };
}

describe("components/globalTable", () => {
  describe("GlobalTable under mocks", () => {
    let resources: PlannedResource[];
    let table: PlannedResource;

    before(async () => {
      ({ resources } = await plan("us-east-1", (opts) => void new GlobalTable("app-data", tableArgs({ sortKey: "sk" }), opts)));
      table = only(resources, TABLE);
    });

    it("creates one table under the component, in the primary region, and nothing else", () => {
      expect(resources.filter((resource) => resource.custom && !resource.type.startsWith("pulumi:providers")).map((resource) => resource.type)).to.deep.equal([
        TABLE,
      ]);
      expect(table.parent).to.equal("app-data");
      expect(table.region).to.equal("us-east-1");
      expect(only(resources, "multi-region-dr:data:GlobalTable").name).to.equal("app-data");
    });

    it("bills on demand, with a string partition key and sort key", () => {
      expect(table.inputs).to.include({ name: "multi-region-dr-app-data", billingMode: "PAY_PER_REQUEST", hashKey: "pk", rangeKey: "sk" });
      expect(table.inputs.attributes).to.deep.equal([
        { name: "pk", type: "S" },
        { name: "sk", type: "S" },
      ]);
      expect(table.inputs.readCapacity).to.equal(undefined);
      expect(table.inputs.writeCapacity).to.equal(undefined);
    });

    it("streams new and old images, as global tables version 2019.11.21 replicate from", () => {
      expect(table.inputs).to.include({ streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" });
      expect(GLOBAL_TABLE_STREAM_VIEW).to.equal("NEW_AND_OLD_IMAGES");
    });

    it("keeps 35 days of point-in-time recovery and encrypts with the region's customer key", () => {
      expect(table.inputs.pointInTimeRecovery).to.deep.equal({ enabled: true, recoveryPeriodInDays: 35 });
      expect(PITR_RECOVERY_PERIOD_DAYS).to.equal(35);
      expect(table.inputs.serverSideEncryption).to.deep.equal({ enabled: true, kmsKeyArn: EAST_KEY });
    });

    it("is protected from deletion in DynamoDB and Pulumi, and ignores the replicas the DR stack adds", () => {
      expect(table.inputs.deletionProtectionEnabled).to.equal(true);
      expect(table.protect).to.equal(true);
      expect(table.ignoreChanges).to.deep.equal(["replicas"]);
      expect(table.inputs.replicas).to.equal(undefined);
    });

    it("passes the global table policies as planned", async () => {
      const planned = await plan("us-east-1", (opts) => void new GlobalTable("app-data", tableArgs({ sortKey: "sk" }), opts));
      expect((await evaluatePolicies(planned, {}, globalTablePolicies)).violations).to.deep.equal([]);
    });

    it("has no sort key unless asked, and is unprotected in Pulumi only when asked", async () => {
      const { resources: bare } = await plan("us-east-1", (opts) => void new GlobalTable("t", tableArgs({ protect: false }), opts));
      const plain = only(bare, TABLE);
      expect(plain.inputs.rangeKey).to.equal(undefined);
      expect(plain.inputs.attributes).to.deep.equal([{ name: "pk", type: "S" }]);
      expect(plain.protect).to.equal(false);
      // protect: false is the teardown mode: DynamoDB deletion protection goes too, so pulumi destroy can delete it.
      expect(plain.inputs.deletionProtectionEnabled).to.equal(false);
    });

    it("exposes the table name and ARN as outputs", async () => {
      let component: GlobalTable | undefined;
      await plan("us-east-1", (opts) => {
        component = new GlobalTable("out", tableArgs(), opts);
      });
      const [name, arn] = await Promise.all([
        new Promise((resolve) => component!.tableName.apply(resolve)),
        new Promise((resolve) => component!.tableArn.apply(resolve)),
      ]);
      expect(name).to.equal("multi-region-dr-app-data");
      expect(String(arn)).to.match(/^arn:aws:dynamodb:us-east-1:123456789012:/);
    });
  });

  describe("GlobalTable validation (before any resource)", () => {
    it("refuses a table name too short, too long, or with other characters", async () => {
      await expectRefused(
        "us-east-1",
        (opts) => void new GlobalTable("t", tableArgs({ tableName: "ab" }), opts),
        /table name "ab" is 2 characters; DynamoDB takes 3 to 255/,
      );
      await expectRefused("us-east-1", (opts) => void new GlobalTable("t", tableArgs({ tableName: "a".repeat(256) }), opts), /256 characters/);
      await expectRefused("us-east-1", (opts) => void new GlobalTable("t", tableArgs({ tableName: "app data" }), opts), /may only contain letters, digits/);
    });

    it("refuses an empty or over-long key, and a sort key equal to the partition key", async () => {
      await expectRefused("us-east-1", (opts) => void new GlobalTable("t", tableArgs({ partitionKey: "" }), opts), /globalTable.partitionKey is empty/);
      await expectRefused(
        "us-east-1",
        (opts) => void new GlobalTable("t", tableArgs({ sortKey: "k".repeat(256) }), opts),
        /globalTable.sortKey .* is 256 bytes of UTF-8; DynamoDB key attribute names take at most 255/,
      );
      await expectRefused("us-east-1", (opts) => void new GlobalTable("t", tableArgs({ sortKey: "pk" }), opts), /sortKey "pk" is the partition key too/);
    });

    it("refuses a key of another region, or an alias instead of a key ARN", async () => {
      await expectRefused(
        "us-east-1",
        (opts) => void new GlobalTable("t", tableArgs({ kmsKeyArn: WEST_KEY }), opts),
        /a key of us-west-2; a table in us-east-1 needs a key of its own region/,
      );
      await expectRefused("us-east-1", (opts) => void new GlobalTable("t", tableArgs({ kmsKeyArn: "alias/aws/dynamodb" }), opts), /is not a KMS key ARN/);
    });

    it("reports every problem at once", () => {
      expect(() => validateGlobalTableArgs(tableArgs({ tableName: "x", partitionKey: "", kmsKeyArn: WEST_KEY }))).to.throw(
        Error,
        /table name "x".*; globalTable.partitionKey is empty.*; kmsKeyArn is a key of us-west-2/,
      );
    });
  });

  describe("validation helpers", () => {
    it("tableNameProblem accepts 3..255 characters of a-zA-Z0-9_.- and nothing else", () => {
      for (const name of ["abc", "A.b-c_9", "a".repeat(255)]) expect(tableNameProblem(name), name).to.equal(undefined);
      for (const name of ["ab", "a".repeat(256), "app/data", "app:data", "tablé"]) expect(tableNameProblem(name), name).to.be.a("string");
    });

    it("keyNameProblem counts UTF-8 bytes, not characters", () => {
      expect(keyNameProblem("pk", "k")).to.equal(undefined);
      expect(keyNameProblem("#:reserved words are allowed", "k")).to.equal(undefined);
      expect(keyNameProblem("é".repeat(127), "k")).to.equal(undefined);
      expect(keyNameProblem("é".repeat(128), "k")).to.match(/256 bytes/);
    });

    it("parseTableArn reads a table ARN and refuses stream, index and other ARNs", () => {
      expect(parseTableArn(TABLE_ARN)).to.deep.equal({
        partition: "aws",
        region: "us-east-1",
        accountId: MOCK_ACCOUNT_ID,
        tableName: "multi-region-dr-app-data",
      });
      expect(parseTableArn(`${TABLE_ARN}/stream/2024-01-01T00:00:00.000`)).to.equal(undefined);
      expect(parseTableArn(`${TABLE_ARN}/index/by-date`)).to.equal(undefined);
      expect(parseTableArn(EAST_KEY)).to.equal(undefined);
      expect(parseTableArn("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/t-1")?.partition).to.equal("aws-cn");
    });

    it("kmsKeyRegion reads a key ARN's region and refuses aliases", () => {
      expect(kmsKeyRegion(WEST_KEY)).to.equal("us-west-2");
      expect(kmsKeyRegion(`arn:aws:kms:us-west-2:${MOCK_ACCOUNT_ID}:alias/app`)).to.equal(undefined);
    });
  });
});

describe("components/globalTableReplica", () => {
  describe("GlobalTableReplica under mocks", () => {
    let resources: PlannedResource[];
    let replica: PlannedResource;
    let component: GlobalTableReplica | undefined;

    before(async () => {
      ({ resources } = await plan("us-west-2", (opts) => {
        component = new GlobalTableReplica("app-data", replicaArgs(), opts);
      }));
      replica = only(resources, TABLE_REPLICA);
    });

    it("creates one TableReplica in the DR region, joined through the primary table's ARN", () => {
      expect(replica.region).to.equal("us-west-2");
      expect(replica.parent).to.equal("app-data");
      expect(replica.inputs.globalTableArn).to.equal(TABLE_ARN);
      expect(resources.filter((resource) => resource.type === TABLE)).to.deep.equal([]);
    });

    it("encrypts with the DR key, keeps point-in-time recovery, and is protected from deletion", () => {
      expect(replica.inputs).to.include({ kmsKeyArn: WEST_KEY, pointInTimeRecovery: true, deletionProtectionEnabled: true });
      expect(replica.protect).to.equal(true);
    });

    it("knows the table's name and source region from the ARN", () => {
      expect(component!.tableName).to.equal("multi-region-dr-app-data");
      expect(component!.sourceRegion).to.equal("us-east-1");
    });

    it("passes the global table policies as planned", async () => {
      const planned = await plan("us-west-2", (opts) => void new GlobalTableReplica("app-data", replicaArgs(), opts));
      expect((await evaluatePolicies(planned, {}, globalTablePolicies)).violations).to.deep.equal([]);
    });

    it("is unprotected in Pulumi only when asked", async () => {
      const { resources: unprotected } = await plan("us-west-2", (opts) => void new GlobalTableReplica("r", replicaArgs({ protect: false }), opts));
      expect(only(unprotected, TABLE_REPLICA).protect).to.equal(false);
      expect(only(unprotected, TABLE_REPLICA).inputs.deletionProtectionEnabled).to.equal(false);
    });
  });

  describe("GlobalTableReplica validation (before any resource)", () => {
    it("refuses an ARN that is not a DynamoDB table's", async () => {
      await expectRefused(
        "us-west-2",
        (opts) => void new GlobalTableReplica("r", replicaArgs({ globalTableArn: "multi-region-dr-app-data" }), opts),
        /is not a DynamoDB table ARN/,
      );
      await expectRefused(
        "us-west-2",
        (opts) => void new GlobalTableReplica("r", replicaArgs({ globalTableArn: `${TABLE_ARN}/stream/2024-01-01T00:00:00.000` }), opts),
        /pass the primary stack's globalTableArn output/,
      );
    });

    it("refuses a replica in the table's own region", async () => {
      await expectRefused(
        "us-east-1",
        (opts) => void new GlobalTableReplica("r", replicaArgs({ region: "us-east-1", kmsKeyArn: EAST_KEY }), opts),
        /already in us-east-1; a replica must be in another region/,
      );
    });

    it("refuses the primary's key (another region's) for the replica", () => {
      expect(() => validateGlobalTableReplicaArgs(replicaArgs({ kmsKeyArn: EAST_KEY }))).to.throw(
        Error,
        /a key of us-east-1; a table in us-west-2 needs a key of its own region/,
      );
      expect(validateGlobalTableReplicaArgs(replicaArgs())).to.deep.equal({ tableName: "multi-region-dr-app-data", sourceRegion: "us-east-1" });
    });
  });
});
