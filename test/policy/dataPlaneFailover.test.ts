/**
 * DR invariant 14 and the mandatory policy `dr-failover-data-plane-only`: the unplanned failover runs
 * no task that needs the primary region or a control plane homed in one region, and its automatic
 * trigger lives in the DR region. The walk is tested on small definitions, then on the real failover
 * definitions of both engine modes (they pass) and on copies broken in one way each (they fail), and
 * the policy on the synthesized DR stack.
 */
import { expect } from "chai";
import { type Definition, sdkTask, type State } from "../../recovery/asl";
import { primaryRecordChange } from "../../recovery/dnsChanges";
import { failoverDefinition } from "../../recovery/failover";
import { primaryRegionTask } from "../../recovery/primaryRegion";
import {
  checkDataPlaneFailover,
  type DataPlaneContext,
  ruleWhenUnplanned,
  triggerProblems,
  unplannedPathProblems,
  unplannedPathTasks,
} from "../../invariants/dataPlaneFailover";
import { TYPES } from "../../policy/policies/kit";
import { auroraRecoveryTargetsFixture, recoveryTargetsFixture } from "../fixtures/recoveryTargets";
import { copyOf, type FixtureResource, synthesizedStacks, violationsOf } from "./fixtures";

const POLICY = "dr-failover-data-plane-only";

function contextOf(targets: ReturnType<typeof recoveryTargetsFixture>): DataPlaneContext {
  return {
    region: targets.drRegion,
    primaryRegion: targets.primaryRegion,
    functions: [
      {
        arn: targets.primaryRegionFunctionArn,
        name: targets.primaryRegionFunctionArn.split(":").pop(),
        region: targets.drRegion,
        environment: { PRIMARY_REGION: targets.primaryRegion },
      },
    ],
  };
}

/** `definition` with a Task inserted on the path into `before` (every state that went to `before` now goes through it). */
function withTaskBefore(definition: Definition, before: string, name: string, task: State): Definition {
  const copy = copyOf(definition);
  const redirect = (states: Record<string, State>) => {
    for (const state of Object.values(states)) if (state.Next === before) state.Next = name;
  };
  redirect(copy.States);
  copy.States[name] = { ...task, Next: before };
  return copy;
}

describe("DR invariant 14: the unplanned failover needs nothing from the failed region", () => {
  describe("ruleWhenUnplanned", () => {
    it("decides the rules on $.mode and leaves the others open", () => {
      expect(ruleWhenUnplanned({ Variable: "$.mode", StringEquals: "planned" })).to.equal(false);
      expect(ruleWhenUnplanned({ Variable: "$.mode", StringEquals: "unplanned" })).to.equal(true);
      expect(ruleWhenUnplanned({ Variable: "$.force", BooleanEquals: true })).to.equal(undefined);
      expect(
        ruleWhenUnplanned({
          And: [
            { Variable: "$.mode", StringEquals: "planned" },
            { Variable: "$.x", IsPresent: true },
          ],
        }),
      ).to.equal(false);
      expect(
        ruleWhenUnplanned({
          And: [
            { Variable: "$.mode", StringEquals: "unplanned" },
            { Variable: "$.x", IsPresent: true },
          ],
        }),
      ).to.equal(undefined);
      expect(
        ruleWhenUnplanned({
          Or: [
            { Variable: "$.mode", StringEquals: "unplanned" },
            { Variable: "$.x", IsPresent: true },
          ],
        }),
      ).to.equal(true);
      expect(ruleWhenUnplanned({ Not: { Variable: "$.mode", StringEquals: "planned" } })).to.equal(true);
    });
  });

  describe("unplannedPathTasks", () => {
    it("skips what only `planned` reaches, and walks Parallel branches and Catch handlers", () => {
      const definition = {
        StartAt: "Mode?",
        States: {
          "Mode?": { Type: "Choice", Choices: [{ Variable: "$.mode", StringEquals: "planned", Next: "Planned only" }], Default: "Both" },
          "Planned only": { Type: "Task", Resource: "arn:aws:states:::aws-sdk:route53:changeResourceRecordSets", End: true },
          Both: {
            Type: "Parallel",
            Branches: [
              { StartAt: "In branch", States: { "In branch": { Type: "Task", Resource: "arn:aws:states:::aws-sdk:rds:promoteReadReplica", End: true } } },
            ],
            Catch: [{ ErrorEquals: ["States.ALL"], Next: "On error" }],
            End: true,
          },
          "On error": { Type: "Task", Resource: "arn:aws:states:::aws-sdk:sns:publish", End: true },
        },
      };
      expect(unplannedPathTasks(definition).map((task) => task.name)).to.deep.equal(["In branch", "On error"]);
    });
  });

  for (const [mode, targets] of [
    ["instance", recoveryTargetsFixture()],
    ["aurora-global", auroraRecoveryTargetsFixture()],
  ] as const) {
    describe(`the ${mode} failover definition`, () => {
      const definition = failoverDefinition(targets, 3600);
      const context = contextOf(targets);

      it("passes: no Route 53 or other global control-plane call, no primary-region call on the unplanned path", () => {
        expect(unplannedPathProblems(definition, context)).to.deep.equal([]);
        // Not vacuous: the walk reaches the promotion or the global failover, the fence and the DR health poll.
        const names = unplannedPathTasks(definition).map((task) => task.name);
        expect(names).to.include("Fence the primary");
        expect(names).to.include(mode === "instance" ? "Promote replica" : "Fail over global cluster");
        expect(names).to.not.include(mode === "instance" ? "Stop writes in primary" : "Switch over");
      });

      it("fails when a Route 53 record change is on the unplanned path", () => {
        const broken = withTaskBefore(
          definition,
          "DNS serves DR",
          "Serve DNS from DR",
          sdkTask(
            "route53",
            "changeResourceRecordSets",
            { HostedZoneId: targets.dns.hostedZoneId, ChangeBatch: { Changes: [primaryRecordChange(targets, targets.drLoadBalancer)] } },
            {},
          ),
        );
        expect(unplannedPathProblems(broken, context)).to.deep.equal([
          '"Serve DNS from DR" calls route53, whose control plane lives in us-east-1; the unplanned failover must rely on data planes only',
        ]);
      });

      it("fails when the primary-region operations function is on the unplanned path", () => {
        const broken = withTaskBefore(
          definition,
          "DNS serves DR",
          "Scale in primary",
          primaryRegionTask(targets.primaryRegionFunctionArn, "setCapacity", {}, {}),
        );
        const problems = unplannedPathProblems(broken, context);
        expect(problems).to.have.length(1);
        expect(problems[0]).to.contain('"Scale in primary" invokes').and.contain(`which reaches ${targets.primaryRegion}`);
      });

      it("fails when a function of another region is invoked, and passes a DR-region function that reaches nothing else", () => {
        const elsewhere = `arn:aws:lambda:${targets.primaryRegion}:123456789012:function:other`;
        const broken = withTaskBefore(definition, "DNS serves DR", "Other", {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: elsewhere },
        });
        expect(unplannedPathProblems(broken, context)).to.deep.equal([
          `"Other" invokes a function of ${targets.primaryRegion}; the unplanned failover must run in ${targets.drRegion} alone`,
        ]);
        const local = `arn:aws:lambda:${targets.drRegion}:123456789012:function:local`;
        const fine = withTaskBefore(definition, "DNS serves DR", "Local", {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: local },
        });
        expect(
          unplannedPathProblems(fine, { ...context, functions: [...context.functions, { arn: local, region: targets.drRegion, environment: { TABLE: "x" } }] }),
        ).to.deep.equal([]);
      });
    });
  }

  describe("fails closed on every form of a call it cannot place", () => {
    const targets = recoveryTargetsFixture();
    const definition = failoverDefinition(targets, 3600);
    const context = contextOf(targets);
    const primaryFunction = targets.primaryRegionFunctionArn;
    const cases: [string, State, RegExp][] = [
      ["a function ARN as the Task's resource", { Type: "Task", Resource: primaryFunction }, /which reaches us-east-1/],
      [
        "the SDK integration's lambda:invoke",
        { Type: "Task", Resource: "arn:aws:states:::aws-sdk:lambda:invoke", Parameters: { FunctionName: primaryFunction } },
        /which reaches us-east-1/,
      ],
      [
        "a qualified function ARN (an alias)",
        { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: `${primaryFunction}:live` } },
        /which reaches us-east-1/,
      ],
      [
        "a function chosen at run time (JSONPath)",
        { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { "FunctionName.$": "$.target" } },
        /invokes a function chosen at run time \(\$\.target\)/,
      ],
      [
        "a function chosen at run time (JSONata)",
        { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Arguments: { FunctionName: "{% $states.input.target %}" } },
        /invokes a function chosen at run time/,
      ],
      [
        "another state machine started",
        {
          Type: "Task",
          Resource: "arn:aws:states:::states:startExecution",
          Parameters: { StateMachineArn: "arn:aws:states:us-west-2:123456789012:stateMachine:x" },
        },
        /starts another state machine, whose tasks this check does not follow/,
      ],
      [
        "an IAM call",
        { Type: "Task", Resource: "arn:aws:states:::aws-sdk:iam:putRolePolicy", Parameters: {} },
        /calls iam, whose control plane lives in us-east-1/,
      ],
    ];
    for (const [what, task, message] of cases) {
      it(`reports ${what}`, () => {
        const problems = unplannedPathProblems(withTaskBefore(definition, "DNS serves DR", "Extra", task), context);
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(message);
      });
    }
  });

  describe("triggerProblems", () => {
    const alarm = (region: string) => `{"resources":["arn:aws:cloudwatch:${region}:123456789012:alarm:probe"]}`;
    it("passes a rule and an alarm of the DR region", () => {
      expect(triggerProblems([{ ruleName: "rule", ruleRegion: "us-west-2", eventPattern: alarm("us-west-2") }], "us-west-2")).to.deep.equal([]);
    });
    it("fails a rule matching a us-east-1 alarm, and a rule outside the DR region", () => {
      expect(triggerProblems([{ ruleName: "rule", ruleRegion: "us-west-2", eventPattern: alarm("us-east-1") }], "us-west-2")).to.deep.equal([
        "rule: matches the alarm arn:aws:cloudwatch:us-east-1:123456789012:alarm:probe of us-east-1; the automatic failover's signal must live in the DR region us-west-2",
      ]);
      expect(triggerProblems([{ ruleName: "rule", ruleRegion: "us-east-1", eventPattern: alarm("us-west-2") }], "us-west-2")).to.deep.equal([
        "rule: starts the failover from us-east-1; its rule must live in the DR region us-west-2",
      ]);
    });
  });

  describe("on the synthesized stacks", function () {
    this.timeout(180_000);

    /** The DR plan's resources as policy fixtures (outputs over inputs, as a stack policy reads them). */
    async function drFixtures(): Promise<FixtureResource[]> {
      const { dr } = await synthesizedStacks();
      return dr.resources
        .filter((resource) => !resource.type.startsWith("pulumi:providers:"))
        .map((resource) => ({ type: resource.type, name: resource.name, props: copyOf({ ...resource.inputs, ...resource.outputs }), region: resource.region }));
    }

    it("the invariant holds on the synthesized pair", async () => {
      const { primary, dr } = await synthesizedStacks();
      const result = checkDataPlaneFailover({ primary, dr });
      expect(result.id).to.equal(14);
      expect(result.violations).to.deep.equal([]);
    });

    it("the policy passes the synthesized DR stack and fails it with a Route 53 change on the unplanned path", async () => {
      const resources = await drFixtures();
      expect(await violationsOf(POLICY, resources)).to.deep.equal([]);
      const machine = resources.find((resource) => resource.type === TYPES.stateMachine && String(resource.props.name).endsWith("-failover"));
      expect(machine, "the failover state machine").to.not.equal(undefined);
      const definition = JSON.parse(String(machine!.props.definition)) as Definition;
      const broken = withTaskBefore(definition, "DNS serves DR", "Serve DNS from DR", sdkTask("route53", "changeResourceRecordSets", {}, {}));
      machine!.props.definition = JSON.stringify(broken);
      expect(await violationsOf(POLICY, resources)).to.deep.equal([
        `${machine!.name}: "Serve DNS from DR" calls route53, whose control plane lives in us-east-1; the unplanned failover must rely on data planes only`,
      ]);
    });

    it("the policy fails an automatic trigger whose alarm lives in us-east-1", async () => {
      const resources = await drFixtures();
      const machine = resources.find((resource) => resource.type === TYPES.stateMachine && String(resource.props.name).endsWith("-failover"))!;
      resources.push(
        {
          type: TYPES.eventRule,
          name: "trigger",
          props: { name: "trigger", eventPattern: '{"resources":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:health"]}' },
        },
        {
          type: TYPES.eventTarget,
          name: "trigger-target",
          props: { rule: "trigger", arn: machine.props.arn, input: '{"mode":"unplanned","force":false,"trigger":"alarm"}' },
        },
      );
      expect(await violationsOf(POLICY, resources)).to.deep.equal([
        "trigger: matches the alarm arn:aws:cloudwatch:us-east-1:123456789012:alarm:health of us-east-1; the automatic failover's signal must live in the DR region us-west-2",
      ]);
    });
  });
});
