/**
 * The rules added after measuring the pack with the kept mutations (`npm run synth:mutations`,
 * synth/mutations/list.ts): each passes the synthesized DR stack and fails a copy broken in exactly
 * the way the mutation breaks it.
 * - the failover reaches success only through the fence (`dr-failover-data-plane-only`, DR invariant 14);
 * - the fence alarm keeps its state when its metric has no data, and the SECONDARY alias is not the
 *   primary ALB (`dr-failover-pair`);
 * - the probe of the primary runs in the DR region (`dr-signal-alarms`);
 * - a global table the primary declares has its DR replica (`dynamodb-replica-of-declared-table`).
 */
import * as path from "node:path";
import { expect } from "chai";
import { type Definition } from "../../recovery/asl";
import { failoverDefinition } from "../../recovery/failover";
import { successWithoutFence } from "../../invariants/dataPlaneFailover";
import { TYPES } from "../../policy/policies/kit";
import { auroraRecoveryTargetsFixture, recoveryTargetsFixture } from "../fixtures/recoveryTargets";
import { synthesize, type SynthesisResult } from "../../synth/synthesize";
import { copyOf, type FixtureResource, fixturesOf, synthesizedStacks, violationsOf } from "./fixtures";

/** The default DR plan as fixtures. */
async function drFixtures(): Promise<FixtureResource[]> {
  return fixturesOf((await synthesizedStacks()).dr);
}

let aurora: Promise<SynthesisResult> | undefined;
/** The aurora-global example (it has a DynamoDB global table), synthesized once. */
function auroraStacks(): Promise<SynthesisResult> {
  const folder = path.join(__dirname, "..", "..", "examples", "aurora-global");
  aurora ??= synthesizedStacks().then(() =>
    synthesize({
      projectDirectory: path.join(__dirname, "..", ".."),
      primaryStackFile: path.join(folder, "Pulumi.primary.yaml"),
      drStackFile: path.join(folder, "Pulumi.dr.yaml"),
    }),
  );
  return aurora;
}

function named(resources: FixtureResource[], name: string): FixtureResource {
  const found = resources.filter((resource) => resource.name === name);
  expect(found.map((resource) => resource.name)).to.deep.equal([name]);
  return found[0];
}

describe("policy rules that close the gaps the kept mutations found", function () {
  this.timeout(180_000);

  describe("successWithoutFence", () => {
    for (const [mode, targets] of [
      ["instance", recoveryTargetsFixture()],
      ["aurora-global", auroraRecoveryTargetsFixture()],
    ] as const) {
      it(`${mode}: every way to success fences the primary first; a recovery wired past the fence is caught`, () => {
        const definition = failoverDefinition(targets, 3600);
        expect(successWithoutFence(definition)).to.deep.equal([]);
        const broken = copyOf(definition) as Definition;
        const recovered = Object.values(broken.States).find((state) => state.Next === "Fence the primary");
        expect(recovered, "the state that leads to the fence").to.not.equal(undefined);
        recovered!.Next = "DNS serves DR";
        expect(successWithoutFence(broken)).to.deep.equal(["Failed over"]);
      });
    }
  });

  it("dr-failover-data-plane-only: fails a synthesized failover that skips the fence", async () => {
    const resources = await drFixtures();
    expect(await violationsOf("dr-failover-data-plane-only", resources)).to.deep.equal([]);
    const machine = resources.find((resource) => resource.type === TYPES.stateMachine && String(resource.props.name).endsWith("-failover"))!;
    const definition = JSON.parse(String(machine.props.definition)) as Definition;
    Object.values(definition.States).find((state) => state.Next === "Fence the primary")!.Next = "DNS serves DR";
    machine.props.definition = JSON.stringify(definition);
    expect(await violationsOf("dr-failover-data-plane-only", resources)).to.deep.equal([
      `${machine.name}: "Failed over" is reached without fencing the primary (recovery/fence.ts); the old primary would take traffic back`,
    ]);
  });

  it("dr-failover-pair: fails a fence alarm that treats missing data as breaching, and a SECONDARY aliasing the primary ALB", async () => {
    const resources = await drFixtures();
    expect(await violationsOf("dr-failover-pair", resources)).to.deep.equal([]);
    const breaching = copyOf(resources);
    named(breaching, "failover-fence").props.treatMissingData = "breaching";
    const messages = await violationsOf("dr-failover-pair", breaching);
    expect(messages.some((message) => /treats missing data as breaching; it must be ignore/.test(message))).to.equal(true);

    const { primary } = await synthesizedStacks();
    const copied = copyOf(resources);
    const secondary = copied.find(
      (resource) =>
        resource.type === "aws:route53/record:Record" && (resource.props.failoverRoutingPolicies as { type: string }[] | undefined)?.[0]?.type === "SECONDARY",
    )!;
    (secondary.props.aliases as { name: string }[])[0].name = String(primary.outputs.albDnsName);
    expect(await violationsOf("dr-failover-pair", copied)).to.include(
      `${secondary.name}: the SECONDARY alias is the primary ALB ${String(primary.outputs.albDnsName)}; it must be the DR region's ALB`,
    );
  });

  it("dr-signal-alarms: fails a probe function placed in the primary region", async () => {
    const resources = await drFixtures();
    expect(await violationsOf("dr-signal-alarms", resources)).to.deep.equal([]);
    const probe = resources.find(
      (resource) =>
        resource.type === TYPES.lambdaFunction && (resource.props.environment as { variables?: Record<string, unknown> })?.variables?.METRIC_NAMESPACE,
    )!;
    probe.region = "us-east-1";
    expect(await violationsOf("dr-signal-alarms", resources)).to.deep.equal([
      `${probe.name}: the probe of the primary runs in us-east-1; it must run in the DR region us-west-2`,
    ]);
  });

  it("dynamodb-replica-of-declared-table: fails a DR stack without the replica of the primary's global table", async () => {
    const resources = fixturesOf((await auroraStacks()).dr);
    expect(await violationsOf("dynamodb-replica-of-declared-table", resources)).to.deep.equal([]);
    const without = resources.filter((resource) => resource.type !== "aws:dynamodb/tableReplica:TableReplica");
    expect(without.length).to.equal(resources.length - 1);
    const [message, ...others] = await violationsOf("dynamodb-replica-of-declared-table", without);
    expect(others).to.deep.equal([]);
    expect(message).to.match(
      /^the primary declares the global table arn:aws:dynamodb:us-east-1:\d{12}:table\/[^;]+; the DR stack needs exactly one replica of it in us-west-2, has 0$/,
    );
  });
});
