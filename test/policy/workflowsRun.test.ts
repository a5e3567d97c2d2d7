// The "recovery workflows run" policies (issue 19): each passes the synthesized stacks of both engine
// modes, after a failover and in the outage mode, and fails a copy broken in exactly one way (a
// statement removed from a role policy, the type EXPRESS, a pre-check's branch rewired) with exactly
// the expected messages; values unknown at preview are skipped; then the pure helpers on edge cases.
import { expect } from "chai";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import { choiceTargets, evaluateRule, leadsToFailure, preCheckProblems, workflowOf } from "../../policy/policies/workflowsRun";
import type { PlannedResource, StackPlan } from "../../synth/recordStack";
import type { SynthesisResult } from "../../synth/synthesize";
import { editedSynthesis, exampleSynthesis } from "../fixtures/synthesis";
import { copyOf, synthesizedStacks } from "./fixtures";

const NS = "multi-region-dr";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE = "aws:iam/role:Role";
/** A definition's states as the tests edit them: parsed JSON, edited in place by path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed ASL, reached into by the edits
type States = Record<string, Record<string, any>>;

const POLICIES = ["dr-workflow-role-permissions", "dr-workflow-standard-type", "dr-failover-prechecks-refuse"];

/** The messages of one policy of the pack on a plan. */
async function violations(policyName: string, plan: StackPlan): Promise<string[]> {
  const policy = ALL_POLICIES.filter((candidate) => candidate.name === policyName);
  expect(policy, policyName).to.have.length(1);
  return (await evaluatePolicies(plan, {}, policy)).violations.map((violation) => violation.message);
}

/** The one resource of `plan` named `name` (of `type`). */
function resourceOf(plan: StackPlan, type: string, name: string): PlannedResource {
  const found = plan.resources.filter((resource) => resource.type === type && resource.name === name);
  expect(found, `${type} ${name}`).to.have.length(1);
  return found[0];
}

/** A copy of `plan` with `edit` applied to one resource's inputs and outputs alike. */
function edited(plan: StackPlan, type: string, name: string, edit: (props: Record<string, unknown>) => void): StackPlan {
  const copy = copyOf(plan);
  const resource = resourceOf(copy, type, name);
  edit(resource.inputs);
  edit(resource.outputs);
  return copy;
}

/** A copy of `plan` with the role policy `name`'s statement `sid` removed. */
function withoutStatement(plan: StackPlan, name: string, sid: string): StackPlan {
  return edited(plan, ROLE_POLICY, name, (props) => {
    const document = JSON.parse(String(props.policy)) as { Statement: { Sid?: string }[] };
    const before = document.Statement.length;
    document.Statement = document.Statement.filter((statement) => statement.Sid !== sid);
    expect(document.Statement.length, sid).to.equal(before - 1);
    props.policy = JSON.stringify(document);
  });
}

/** A copy of `plan` with the state machine `name`'s definition edited. */
function withDefinition(plan: StackPlan, name: string, edit: (states: States) => void): StackPlan {
  return edited(plan, STATE_MACHINE, name, (props) => {
    const definition = JSON.parse(String(props.definition)) as { States: States };
    edit(definition.States);
    props.definition = JSON.stringify(definition);
  });
}

describe("recovery workflows run policies (issue 19)", function () {
  this.timeout(180000);
  let instance: SynthesisResult;
  let aurora: SynthesisResult;
  let afterFailover: SynthesisResult;
  let inOutage: SynthesisResult;

  before(async () => {
    instance = await synthesizedStacks();
    aurora = await exampleSynthesis("aurora-global");
    afterFailover = await editedSynthesis({
      dr: (config) => {
        config[`${NS}:database`] = { ...(config[`${NS}:database`] as object | undefined), promoted: true };
      },
    });
    inOutage = await editedSynthesis({
      dr: (config) => {
        config[`${NS}:outage`] = { primaryRegionDown: true };
      },
    });
  });

  for (const policy of POLICIES) {
    it(`${policy} passes every synthesized stack (both engine modes, after a failover, in the outage mode)`, async () => {
      const stacks: [string, StackPlan][] = [
        ["instance primary", instance.primary],
        ["instance DR", instance.dr],
        ["Aurora primary", aurora.primary],
        ["Aurora DR", aurora.dr],
        ["promoted DR", afterFailover.dr],
        ["outage DR", inOutage.dr],
      ];
      for (const [label, plan] of stacks) {
        const messages = await violations(policy, plan);
        expect(messages, `${label}: ${messages.join("\n")}`).to.deep.equal([]);
      }
    });
  }

  describe("dr-workflow-role-permissions", () => {
    const POLICY = "dr-workflow-role-permissions";

    it("judges all three workflows of both engine modes (each has its three state machines)", () => {
      for (const plan of [instance.dr, aurora.dr]) {
        const workflows = plan.resources.filter((resource) => resource.type === STATE_MACHINE).map((resource) => workflowOf(resource.inputs.name));
        expect(workflows.sort()).to.deep.equal(["drill", "failback", "failover"]);
      }
    });

    it("fails the failover when its role no longer allows rds:PromoteReadReplica, naming the state, action and resource", async () => {
      const replica = resourceOf(instance.dr, "aws:rds/instance:Instance", "dr-db-instance");
      const arn = String(replica.outputs.arn);
      const messages = await violations(POLICY, withoutStatement(instance.dr, "dr-recovery-failover-policy", "RdsPromoteReadReplica"));
      expect(messages).to.deep.equal([
        `dr-recovery-failover: state "Promote replica" calls rds:PromoteReadReplica on ${arn}, which its role ${String(resourceOf(instance.dr, ROLE, "dr-recovery-failover-role").outputs.name)} does not allow (ImplicitlyDenied); the workflow would fail there`,
      ]);
    });

    it("fails the Aurora failover when its role no longer allows rds:FailoverGlobalCluster", async () => {
      const messages = await violations(POLICY, withoutStatement(aurora.dr, "dr-recovery-failover-policy", "RdsFailoverGlobalCluster"));
      expect(messages).to.have.length(2);
      for (const message of messages)
        expect(message).to.match(
          /^dr-recovery-failover: state "Fail over global cluster" calls rds:FailoverGlobalCluster on arn:aws:rds:[a-z0-9-]*:\d{12}:(global-)?cluster:/,
        );
    });

    it("needs every task statement of every workflow: removing any one fails that workflow only", async function () {
      for (const plan of [instance.dr, aurora.dr]) {
        for (const workflow of ["failover", "failback", "drill"]) {
          const policy = resourceOf(plan, ROLE_POLICY, `dr-recovery-${workflow}-policy`);
          const statements = (JSON.parse(String(policy.inputs.policy)) as { Statement: { Sid: string }[] }).Statement;
          // The logging, X-Ray and topic-key statements serve Step Functions and SNS, not a Task's own call.
          for (const { Sid } of statements.filter(({ Sid }) => !/^StepFunctions|^EncryptedTopic/.test(Sid))) {
            const messages = await violations(POLICY, withoutStatement(plan, `dr-recovery-${workflow}-policy`, Sid));
            expect(messages, `${workflow} ${Sid}`).to.have.length.greaterThan(0);
            for (const message of messages) expect(message, Sid).to.match(new RegExp(`^dr-recovery-${workflow}: state "`));
          }
        }
      }
    });

    it("fails an explicit Deny added to the role", async () => {
      const denied = edited(instance.dr, ROLE_POLICY, "dr-recovery-drill-policy", (props) => {
        const document = JSON.parse(String(props.policy)) as { Statement: unknown[] };
        document.Statement.push({ Sid: "NoSns", Effect: "Deny", Action: "sns:Publish", Resource: "*" });
        props.policy = JSON.stringify(document);
      });
      const messages = await violations(POLICY, denied);
      expect(messages).to.have.length.greaterThan(0);
      for (const message of messages) expect(message).to.match(/^dr-recovery-drill: state ".*" calls sns:Publish on arn:aws:sns:.* \(ExplicitlyDenied\)/);
    });

    it("fails a definition whose permissions cannot be derived (a resource chosen at run time)", async () => {
      const dynamic = withDefinition(instance.dr, "dr-recovery-failover", (states) => {
        const promote = states.Recover.Branches[1].States["Promote replica"];
        delete promote.Parameters.DbInstanceIdentifier;
        promote.Parameters["DbInstanceIdentifier.$"] = "$.replicaId";
      });
      expect(await violations(POLICY, dynamic)).to.deep.equal([
        "dr-recovery-failover: the permissions its tasks need cannot be derived, so its role cannot be shown to allow them: Promote replica: DbInstanceIdentifier is chosen at run time (DbInstanceIdentifier.$), so its permissions cannot be scoped",
      ]);
    });

    it("skips, with no violation, a policy or definition not known yet, and a role with a policy the stack does not declare", async () => {
      const broken = withoutStatement(instance.dr, "dr-recovery-failover-policy", "RdsPromoteReadReplica");
      const policyUnknown = edited(broken, ROLE_POLICY, "dr-recovery-failover-policy", (props) => delete props.policy);
      const definitionUnknown = edited(broken, STATE_MACHINE, "dr-recovery-failover", (props) => delete props.definition);
      const awsManaged = edited(broken, ROLE, "dr-recovery-failover-role", (props) => {
        props.managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"];
      });
      for (const plan of [policyUnknown, definitionUnknown, awsManaged]) expect(await violations(POLICY, plan)).to.deep.equal([]);
    });
  });

  describe("dr-workflow-standard-type", () => {
    const POLICY = "dr-workflow-standard-type";
    it("fails a workflow of type EXPRESS", async () => {
      const express = edited(instance.dr, STATE_MACHINE, "dr-recovery-failback", (props) => (props.type = "EXPRESS"));
      expect(await violations(POLICY, express)).to.deep.equal([
        "dr-recovery-failback: type EXPRESS; a recovery workflow must be STANDARD (an EXPRESS execution stops after 5 minutes and may run a step more than once)",
      ]);
    });
    it("passes the provider's default (no type) and ignores other state machines", async () => {
      const noType = edited(instance.dr, STATE_MACHINE, "dr-recovery-drill", (props) => delete props.type);
      expect(await violations(POLICY, noType)).to.deep.equal([]);
      const other = edited(instance.dr, STATE_MACHINE, "dr-recovery-drill", (props) => {
        props.type = "EXPRESS";
        props.name = "reporting-pipeline";
      });
      expect(await violations(POLICY, other)).to.deep.equal([]);
    });
  });

  describe("dr-failover-prechecks-refuse", () => {
    const POLICY = "dr-failover-prechecks-refuse";
    const failover = (plan: StackPlan, edit: (states: States) => void) => withDefinition(plan, "dr-recovery-failover", edit);

    it("fails the lag guard's Default rewired to success", async () => {
      const broken = failover(instance.dr, (states) => (states["Replica lag within RPO?"].Default = "Notify start"));
      expect(await violations(POLICY, broken)).to.deep.equal([
        `dr-recovery-failover: "Replica lag within RPO?" with the lag alarm ALARM and no force may go on to "Notify start"; it must refuse with ReplicaLagOverRpo`,
      ]);
    });

    it("fails the lag guard's pass no longer testing OK, or its forced pass no longer needing force", async () => {
      const notOk = failover(instance.dr, (states) => (states["Replica lag within RPO?"].Choices[0].And[1].StringEquals = "ALARM"));
      expect(await violations(POLICY, notOk)).to.deep.equal([
        `dr-recovery-failover: "Replica lag within RPO?" with the lag alarm ALARM and no force may go on to "Notify start"; it must refuse with ReplicaLagOverRpo`,
        `dr-recovery-failover: "Replica lag within RPO?" refuses with ReplicaLagOverRpo even with the lag alarm OK and no force; the failover could never run unforced`,
      ]);
      const unforced = failover(
        instance.dr,
        (states) => (states["Replica lag within RPO?"].Choices[1] = { Variable: "$.force", IsPresent: true, Next: "Notify start" }),
      );
      expect(await violations(POLICY, unforced)).to.deep.equal([
        `dr-recovery-failover: "Replica lag within RPO?" with the lag alarm ALARM and force false may go on to "Notify start"; it must refuse with ReplicaLagOverRpo`,
      ]);
    });

    it("fails a lag guard that refuses even an OK alarm (its pass removed)", async () => {
      const never = failover(instance.dr, (states) => states["Replica lag within RPO?"].Choices.splice(0, 1));
      expect(await violations(POLICY, never)).to.deep.equal([
        `dr-recovery-failover: "Replica lag within RPO?" refuses with ReplicaLagOverRpo even with the lag alarm OK and no force; the failover could never run unforced`,
      ]);
    });

    it("fails the replica readiness check's Default rewired to the lag verdict, or a busy status accepted", async () => {
      const rewired = failover(instance.dr, (states) => (states["Replica state?"].Default = "Replica lag within RPO?"));
      expect(await violations(POLICY, rewired)).to.deep.equal([
        `dr-recovery-failover: "Replica state?" with a replica listing its source, status (any status no rule names) and no force may go on to "Replica lag within RPO?"; it must refuse with ReplicaNotReady`,
      ]);
      const modifying = failover(instance.dr, (states) =>
        states["Replica state?"].Choices[0].And[1].Or[0].Or.push({ Variable: "$.replica.instance.DbInstanceStatus", StringEquals: "modifying" }),
      );
      expect(await violations(POLICY, modifying)).to.deep.equal([
        `dr-recovery-failover: "Replica state?" with a replica listing its source, status modifying and no force may go on to "Replica lag within RPO?"; it must refuse with ReplicaNotReady`,
      ]);
    });

    it("fails a refusal that no longer ends the run with its error, and a missing pre-check", async () => {
      const otherError = failover(instance.dr, (states) => (states["Replica not ready"].Result.Error = "Whatever"));
      expect(await violations(POLICY, otherError)).to.deep.equal([
        `dr-recovery-failover: "Replica state?" with a replica listing its source, status (any status no rule names) and no force may go on to "Replica not ready"; it must refuse with ReplicaNotReady`,
      ]);
      const missing = failover(instance.dr, (states) => delete states["Replica state?"]);
      expect(await violations(POLICY, missing)).to.deep.equal([
        `dr-recovery-failover: the pre-check state "Replica state?" is missing or not a Choice; the failover would not refuse what it judges`,
      ]);
    });

    it("fails the Aurora DR cluster check's Default rewired to the lag guard, and the Aurora lag guard rewired", async () => {
      const rewired = failover(aurora.dr, (states) => (states["DR cluster ready?"].Default = "Check replica lag"));
      expect(await violations(POLICY, rewired)).to.deep.equal([
        `dr-recovery-failover: "DR cluster ready?" with the DR cluster status (any status no rule names) and no force may go on to "Check replica lag"; it must refuse with DrClusterNotReady`,
      ]);
      const lag = failover(aurora.dr, (states) => (states["Replica lag within RPO?"].Default = "Notify start"));
      expect(await violations(POLICY, lag)).to.have.length(1);
    });

    it("skips a definition not known yet, and judges only the failover", async () => {
      const unknown = edited(instance.dr, STATE_MACHINE, "dr-recovery-failover", (props) => delete props.definition);
      expect(await violations(POLICY, unknown)).to.deep.equal([]);
      const drill = withDefinition(instance.dr, "dr-recovery-drill", (states) => {
        for (const state of Object.values(states)) if (state.Type === "Choice") state.Default = "Start";
      });
      expect(await violations(POLICY, drill)).to.deep.equal([]);
    });
  });

  describe("helpers", () => {
    it("evaluateRule: three-valued, unknown variables and unmodeled operators undecided, comparisons on absent values undecided", () => {
      const scenario = (variable: string) =>
        variable === "$.a" ? { present: true as const, value: "x" } : variable === "$.gone" ? { present: false as const } : undefined;
      expect(evaluateRule({ Variable: "$.a", StringEquals: "x" }, scenario)).to.equal(true);
      expect(evaluateRule({ Variable: "$.a", StringEquals: "y" }, scenario)).to.equal(false);
      expect(evaluateRule({ Variable: "$.gone", IsPresent: true }, scenario)).to.equal(false);
      expect(evaluateRule({ Variable: "$.gone", StringEquals: "x" }, scenario)).to.equal(undefined);
      expect(evaluateRule({ Variable: "$.other", StringEquals: "x" }, scenario)).to.equal(undefined);
      expect(evaluateRule({ Variable: "$.a", StringMatches: "x*" }, scenario)).to.equal(undefined);
      expect(
        evaluateRule(
          {
            And: [
              { Variable: "$.other", IsPresent: true },
              { Variable: "$.gone", IsPresent: true },
            ],
          },
          scenario,
        ),
      ).to.equal(false);
      expect(
        evaluateRule(
          {
            Or: [
              { Variable: "$.other", IsPresent: true },
              { Variable: "$.a", IsString: true },
            ],
          },
          scenario,
        ),
      ).to.equal(true);
      expect(evaluateRule({ Not: { Variable: "$.other", IsPresent: true } }, scenario)).to.equal(undefined);
    });

    it("choiceTargets: every rule that may match up to the first certain one, then Default", () => {
      const choice = {
        Choices: [
          { Variable: "$.no", IsPresent: true, Next: "A" },
          { Variable: "$.unknown", IsPresent: true, Next: "B" },
        ],
        Default: "C",
      };
      expect(choiceTargets(choice, (variable) => (variable === "$.no" ? { present: false } : undefined))).to.deep.equal(["B", "C"]);
      expect(choiceTargets({ Choices: [] }, () => undefined)).to.deep.equal(["(no Default: States.NoChoiceMatched)"]);
    });

    it("leadsToFailure: a recorded failure through Pass and Task to a Fail, not through a Choice, a loop or a Succeed", () => {
      const states = {
        Refuse: { Type: "Pass", Result: { Error: "E" }, ResultPath: "$.failure", Next: "Notify" },
        Notify: { Type: "Task", Next: "Failed" },
        Failed: { Type: "Fail", ErrorPath: "$.failure.Error" },
        Direct: { Type: "Fail", Error: "E" },
        Loop: { Type: "Pass", Next: "Loop" },
        Done: { Type: "Succeed" },
        Branch: { Type: "Choice", Default: "Refuse" },
      };
      expect(leadsToFailure(states, "Refuse", "E")).to.equal(true);
      expect(leadsToFailure(states, "Direct", "E")).to.equal(true);
      expect(leadsToFailure(states, "Refuse", "F")).to.equal(false);
      for (const start of ["Loop", "Done", "Branch", "Missing", "Notify"]) expect(leadsToFailure(states, start, "E"), start).to.equal(false);
    });

    it("preCheckProblems: reports every missing pre-check state of a mode", () => {
      expect(preCheckProblems({ States: {} }, true)).to.have.length(4);
      expect(preCheckProblems({ States: {} }, false)).to.have.length(3);
    });

    it("workflowOf: the workflow of a state machine name, nothing for another name or a non-string", () => {
      expect(workflowOf("multi-region-dr-dr-dr-failover")).to.equal("failover");
      expect(workflowOf("x-drill")).to.equal("drill");
      expect(workflowOf("x-drills")).to.equal(undefined);
      expect(workflowOf(undefined)).to.equal(undefined);
    });
  });
});
