/**
 * The DynamoDB global table policies (policy/policies/globalTable.ts), one at a time, on hand-written
 * fixtures shaped as the GlobalTable and GlobalTableReplica components declare them: the compliant
 * pair passes every policy, and each test breaks one property and expects exactly the violations
 * that change causes. A stack without tables passes them all.
 */
import { expect } from "chai";
import { evaluatePolicies } from "../../policy/offline";
import { GLOBAL_TABLE_TYPES, globalTablePolicies, tableArnParts } from "../../policy/policies/globalTable";
import { type FixtureResource, planOf } from "./fixtures";

const ACCOUNT = "123456789012";
const EAST_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const WEST_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/abcd1234-ab12-cd34-ef56-abcdef123456`;
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/app-data`;

/** Resource properties as the engine hands them over: untyped JSON, edited by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const POLICY_NAMES = [
  "dynamodb-point-in-time-recovery",
  "dynamodb-customer-key",
  "dynamodb-deletion-protection",
  "dynamodb-replica-other-region",
  "dynamodb-replica-of-declared-table",
];

/** The primary's table as GlobalTable declares it, in us-east-1. */
function table(edit: (props: Json) => void = () => undefined): FixtureResource {
  const props: Json = {
    name: "app-data",
    billingMode: "PAY_PER_REQUEST",
    hashKey: "pk",
    attributes: [{ name: "pk", type: "S" }],
    streamEnabled: true,
    streamViewType: "NEW_AND_OLD_IMAGES",
    pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 35 },
    serverSideEncryption: { enabled: true, kmsKeyArn: EAST_KEY },
    deletionProtectionEnabled: true,
    arn: TABLE_ARN,
  };
  edit(props);
  return { type: GLOBAL_TABLE_TYPES.table, name: "app-data-table", props, region: "us-east-1", protect: true };
}

/** The DR stack's replica as GlobalTableReplica declares it, in us-west-2. */
function replica(edit: (props: Json) => void = () => undefined): FixtureResource {
  const props: Json = { globalTableArn: TABLE_ARN, kmsKeyArn: WEST_KEY, pointInTimeRecovery: true, deletionProtectionEnabled: true };
  edit(props);
  return { type: GLOBAL_TABLE_TYPES.tableReplica, name: "app-data-replica", props, region: "us-west-2", protect: true };
}

/** Messages of one policy's violations on the fixtures (a DR-region stack holding both, as the tests need no stack split). */
async function violations(policy: string, resources: FixtureResource[]): Promise<string[]> {
  const found = globalTablePolicies.filter((candidate) => candidate.name === policy);
  expect(found, `exactly one policy named ${policy}`).to.have.length(1);
  return (await evaluatePolicies(planOf(resources), {}, found)).violations.map((violation) => violation.message);
}

function expectOne(messages: string[], fragment: string): void {
  expect(messages, JSON.stringify(messages)).to.have.length(1);
  expect(messages[0]).to.include(fragment);
}

describe("global table policies", () => {
  it("are the five named policies, mandatory, each citing its source", () => {
    expect(globalTablePolicies.map((policy) => policy.name)).to.deep.equal(POLICY_NAMES);
    for (const policy of globalTablePolicies) {
      expect(policy.enforcementLevel, policy.name).to.equal("mandatory");
      expect(policy.description, policy.name).to.match(/\b(SH|CKV\w*|WA|DR invariants?)\b/);
      expect(policy.description).to.not.include("\n");
    }
  });

  for (const policy of POLICY_NAMES) {
    it(`${policy}: passes the table and replica as the components declare them, and a stack without tables`, async () => {
      expect(await violations(policy, [table(), replica()])).to.deep.equal([]);
      expect(await violations(policy, [{ type: "aws:kms/key:Key", name: "key", props: { enableKeyRotation: true } }])).to.deep.equal([]);
    });
  }

  describe("dynamodb-point-in-time-recovery", () => {
    const policy = "dynamodb-point-in-time-recovery";

    it("fails a table without point-in-time recovery, or with it disabled", async () => {
      expectOne(await violations(policy, [table((props) => delete props.pointInTimeRecovery)]), "pointInTimeRecovery.enabled is not true");
      expectOne(await violations(policy, [table((props) => (props.pointInTimeRecovery = { enabled: false }))]), "pointInTimeRecovery.enabled is not true");
    });

    it("fails a replica without point-in-time recovery (the TableReplica default is off)", async () => {
      expectOne(await violations(policy, [replica((props) => delete props.pointInTimeRecovery)]), "the DR replica cannot be restored");
    });
  });

  describe("dynamodb-customer-key", () => {
    const policy = "dynamodb-customer-key";

    it("fails a table on the AWS-owned key (encryption not enabled)", async () => {
      expectOne(await violations(policy, [table((props) => (props.serverSideEncryption = { enabled: false }))]), "serverSideEncryption.enabled is not true");
    });

    it("fails a table on the AWS-managed key (enabled without a key ARN) or an alias", async () => {
      expectOne(await violations(policy, [table((props) => (props.serverSideEncryption = { enabled: true }))]), "is not a customer-managed key ARN");
      expectOne(
        await violations(policy, [table((props) => (props.serverSideEncryption = { enabled: true, kmsKeyArn: "alias/aws/dynamodb" }))]),
        '"alias/aws/dynamodb" is not a customer-managed key ARN',
      );
    });

    it("fails a replica on the default key, and a replica on the primary's key", async () => {
      expectOne(await violations(policy, [replica((props) => delete props.kmsKeyArn)]), "kmsKeyArn null is not a customer-managed key ARN");
      expectOne(
        await violations(policy, [replica((props) => (props.kmsKeyArn = EAST_KEY))]),
        "kmsKeyArn is a key of us-east-1; a table replica in us-west-2 must use a key of its own region",
      );
    });

    it("fails a table on another region's key", async () => {
      expectOne(
        await violations(policy, [table((props) => (props.serverSideEncryption = { enabled: true, kmsKeyArn: WEST_KEY }))]),
        "serverSideEncryption.kmsKeyArn is a key of us-west-2; a table in us-east-1",
      );
    });
  });

  describe("dynamodb-deletion-protection", () => {
    const policy = "dynamodb-deletion-protection";

    it("fails a table and a replica without deletion protection", async () => {
      const messages = await violations(policy, [
        table((props) => delete props.deletionProtectionEnabled),
        replica((props) => (props.deletionProtectionEnabled = false)),
      ]);
      expect(messages).to.have.length(2);
      expect(messages.some((message) => message.includes("so the table and its backups"))).to.equal(true);
      expect(messages.some((message) => message.includes("so the table replica and its backups"))).to.equal(true);
    });
  });

  describe("dynamodb-replica-other-region", () => {
    const policy = "dynamodb-replica-other-region";

    it("fails a replica joining a table of its own region", async () => {
      const sameRegion = replica((props) => (props.globalTableArn = `arn:aws:dynamodb:us-west-2:${ACCOUNT}:table/app-data`));
      expectOne(await violations(policy, [sameRegion]), "joins the table app-data of its own region us-west-2");
    });

    it("fails a globalTableArn that is not a table ARN, and lets an unknown one (preview) pass", async () => {
      expectOne(
        await violations(policy, [replica((props) => (props.globalTableArn = `${TABLE_ARN}/stream/2024-01-01T00:00:00.000`))]),
        "is not a DynamoDB table ARN",
      );
      expect(await violations(policy, [replica((props) => delete props.globalTableArn)])).to.deep.equal([]);
    });

    it("fails a table whose own replica blocks name its region", async () => {
      const inline = table((props) => (props.replicas = [{ regionName: "us-east-1" }, { regionName: "us-west-2" }]));
      expectOne(await violations(policy, [inline]), "replicas lists the table's own region us-east-1");
    });
  });

  it("tableArnParts reads the region and name of a table ARN only", () => {
    expect(tableArnParts(TABLE_ARN)).to.deep.equal({ region: "us-east-1", tableName: "app-data" });
    expect(tableArnParts(`${TABLE_ARN}/index/by-date`)).to.equal(undefined);
    expect(tableArnParts(undefined)).to.equal(undefined);
    expect(tableArnParts(EAST_KEY)).to.equal(undefined);
  });
});
