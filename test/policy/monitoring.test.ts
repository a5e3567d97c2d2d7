/**
 * The monitoring policies, one at a time, on the synthesized stacks: the default primary and DR
 * stacks pass each as they are, and so does a backup-restore DR stack (no monitoring cluster, so only
 * its CloudWatch dashboard is judged). Each test then breaks a copy of a synthesized plan in exactly
 * one way and expects exactly the violations that one change causes, by count and message. A few
 * hand-written fixtures cover what the program never declares (another chart, an OCI chart, EFS).
 */
import * as path from "node:path";
import { expect } from "chai";
import { grafanaService } from "../../monitoring/chartValues";
import { cloudWatchDashboardBody } from "../../monitoring/cloudWatchDashboard";
import { drPanels } from "../../monitoring/drSignals";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES, POLICY_GROUPS } from "../../policy/policies";
import { TYPES } from "../../policy/policies/kit";
import {
  grantProblems,
  isExactChartVersion,
  isInternetFacing,
  MONITORING_TYPES,
  POD_IDENTITY_ALLOWLIST,
  trustPolicyProblems,
} from "../../policy/policies/monitoring";
import type { PlannedResource, StackPlan } from "../../synth/recordStack";
import { synthesizedOnce } from "../fixtures/synthesis";
import { fullScope } from "../fixtures/drSignalScopes";
import { copyOf, type FixtureResource, synthesizedStacks, violationsOf } from "./fixtures";

/** Resource properties as the engine hands them over: untyped JSON, edited deep inside by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const MONITORING_POLICIES = [
  "monitoring-helm-chart-pinned",
  "monitoring-grafana-admin-secret",
  "monitoring-grafana-exposure",
  "monitoring-persistent-storage",
  "monitoring-pod-identity-least-privilege",
  "monitoring-scrape-rules-exact",
  "monitoring-eks-node-imdsv2",
  "dr-dashboard-signals",
];

const KEY_ARN = "arn:aws:kms:us-west-2:123456789012:key/bedb6028-3f3e-89be-a7f0-2fa27b7a6c37";
const TOPIC_ARN = "arn:aws:sns:us-west-2:123456789012:dr-prometheus-grafana-alerts-topic-7ffc36a3";
const CERT_ARN = "arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

/** Messages of one policy's violations on a plan (resource policies on inputs, stack policies on outputs). */
async function violations(plan: StackPlan, policy: string): Promise<string[]> {
  const found = ALL_POLICIES.filter((candidate) => candidate.name === policy);
  expect(found, `exactly one policy named ${policy}`).to.have.length(1);
  return (await evaluatePolicies(plan, {}, found)).violations.map((violation) => violation.message);
}

/** Expects exactly `fragments.length` violations, each fragment in its own one (in any order). */
function expectViolations(messages: string[], ...fragments: string[]): void {
  expect(messages, JSON.stringify(messages, null, 1)).to.have.length(fragments.length);
  const unmatched = [...messages];
  for (const fragment of fragments) {
    const index = unmatched.findIndex((message) => message.includes(fragment));
    expect(index, `no (other) violation contains ${JSON.stringify(fragment)}: ${JSON.stringify(messages, null, 1)}`).to.not.equal(-1);
    unmatched.splice(index, 1);
  }
}

/** The one resource of `type` (named `name`, when given) in a plan. */
function only(plan: StackPlan, type: string, name?: string): PlannedResource & { inputs: Json; outputs: Json } {
  const found = plan.resources.filter((resource) => resource.type === type && (name === undefined || resource.name === name));
  expect(found, `exactly one ${type} ${name ?? ""}`).to.have.length(1);
  return found[0] as PlannedResource & { inputs: Json; outputs: Json };
}

/** A copy of the plan with one resource's inputs and outputs changed alike by `edit`. */
function editing(plan: StackPlan, type: string, name: string | undefined, edit: (props: Json) => void): StackPlan {
  const copy = copyOf(plan);
  const resource = only(copy, type, name);
  edit(resource.inputs);
  edit(resource.outputs);
  return copy;
}

/** A copy of the plan without the one resource of `type` named `name`. */
function without(plan: StackPlan, type: string, name: string): StackPlan {
  const copy = copyOf(plan);
  const resource = only(copy, type, name);
  copy.resources = copy.resources.filter((candidate) => candidate !== resource);
  return copy;
}

const releaseOf = (plan: StackPlan) => only(plan, MONITORING_TYPES.helmRelease);
const editRelease = (plan: StackPlan, edit: (props: Json) => void) => editing(plan, MONITORING_TYPES.helmRelease, undefined, edit);
const editGrafana = (plan: StackPlan, edit: (grafana: Json) => void) => editRelease(plan, (props) => edit(props.values.grafana));

/** A copy of the plan with the dashboard's body (parsed) changed by `edit`. */
function editDashboard(plan: StackPlan, edit: (body: Json) => void): StackPlan {
  return editing(plan, MONITORING_TYPES.dashboard, undefined, (props) => {
    const body = JSON.parse(String(props.dashboardBody)) as Json;
    edit(body);
    props.dashboardBody = JSON.stringify(body);
  });
}

/** The metric rows of every metric widget of a dashboard body. */
const metricRows = (body: Json): unknown[][] =>
  body.widgets.filter((widget: Json) => widget.type === "metric").flatMap((widget: Json) => widget.properties.metrics);
/** The metric name a row queries: a metric row's second item, or the `MetricName="..."` of a SEARCH expression row. */
function metricNameOf(row: unknown[]): string | undefined {
  if (typeof row[0] === "string") return String(row[1]);
  return /MetricName="([^"]+)"/.exec(String((row[0] as Json).expression ?? ""))?.[1];
}
/** Replaces the metric name of every row (metric or SEARCH) querying `from`. */
const renameMetric = (from: string, to: string) => (body: Json) => {
  for (const row of metricRows(body)) {
    if (metricNameOf(row) !== from) continue;
    if (typeof row[0] === "string") row[1] = to;
    else (row[0] as Json).expression = String((row[0] as Json).expression).replace(`MetricName="${from}"`, `MetricName="${to}"`);
  }
};
/** Drops the widgets querying metric `name`. */
const dropWidgetsOf = (name: string) => (body: Json) => {
  body.widgets = body.widgets.filter((widget: Json) => !(widget.properties.metrics ?? []).some((row: unknown[]) => metricNameOf(row) === name));
};

/**
 * A copy of the plan with a resource added next to `template` (same provider, so same region): the
 * data stores the default stacks do not declare (an Aurora secondary cluster, a DynamoDB table replica).
 */
function adding(plan: StackPlan, template: string, added: { type: string; name: string; props: Json }): StackPlan {
  const copy = copyOf(plan);
  const base = copyOf(only(copy, template));
  copy.resources.push({
    ...base,
    type: added.type,
    name: added.name,
    urn: base.urn.replace(/::[^:]+$/, `::${added.name}`),
    dependencies: [],
    propertyDependencies: {},
    inputs: copyOf(added.props),
    outputs: copyOf(added.props),
  });
  return copy;
}

/** The metric widgets drawDrPanels(scope) would add for `panelId`, to splice into a synthesized body. */
function widgetsOfPanel(scope: ReturnType<typeof fullScope>, panelId: string): Json[] {
  const panel = drPanels(scope).find((candidate) => candidate.id === panelId)!;
  return (JSON.parse(cloudWatchDashboardBody({ panels: [panel], title: "t" })) as Json).widgets.filter((widget: Json) => widget.type === "metric");
}

/** Edits the inline policy named `name` (a JSON string) through `edit`. */
function editPolicyDocument(plan: StackPlan, type: string, name: string, property: string, edit: (document: Json) => void): StackPlan {
  return editing(plan, type, name, (props) => {
    const document = JSON.parse(String(props[property])) as Json;
    edit(document);
    props[property] = JSON.stringify(document);
  });
}

describe("monitoring policies", function () {
  this.timeout(180000);
  let primary: StackPlan;
  let dr: StackPlan;
  /** The DR stack of `recovery.strategy: backup-restore`: no monitoring cluster, no read replica. */
  let backupRestore: StackPlan;

  before(async () => {
    ({ primary, dr } = await synthesizedStacks());
    backupRestore = (await synthesizedOnce({ projectDirectory: path.join(__dirname, "..", ".."), strategy: "backup-restore" })).dr;
  });

  it("registers the monitoring group after compute, with its eight mandatory policies", () => {
    const groups = Object.keys(POLICY_GROUPS);
    expect(groups[groups.indexOf("compute") + 1]).to.equal("monitoring");
    expect(POLICY_GROUPS.monitoring.map((policy) => policy.name)).to.deep.equal(MONITORING_POLICIES);
    for (const policy of POLICY_GROUPS.monitoring) expect(policy.enforcementLevel, policy.name).to.equal("mandatory");
  });

  it("the backup-restore DR stack has no monitoring cluster, release or pod identity", () => {
    expect(backupRestore.resources.filter((resource) => resource.type.startsWith("eks:") || resource.type.startsWith("kubernetes:"))).to.deep.equal([]);
    expect(backupRestore.resources.filter((resource) => resource.type === MONITORING_TYPES.podIdentityAssociation)).to.deep.equal([]);
  });

  for (const policy of MONITORING_POLICIES) {
    it(`${policy}: the default primary and DR stacks and the backup-restore DR stack pass`, async () => {
      for (const plan of [primary, dr, backupRestore])
        expect(await violations(plan, policy), `${plan.stack} (${plan.resources.length} resources)`).to.deep.equal([]);
    });
  }

  describe("monitoring-helm-chart-pinned", () => {
    const policy = "monitoring-helm-chart-pinned";

    it("the synthesized release pins kube-prometheus-stack 88.5.3 from the https repository", () => {
      expect(releaseOf(dr).inputs).to.deep.include({
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
      });
    });

    for (const version of ["^88", "~88.5.3", "88.5", "88.x", ">=88.0.0", "*", "latest", ""]) {
      it(`fails with version ${JSON.stringify(version)}`, async () => {
        expectViolations(
          await violations(
            editRelease(dr, (props) => (props.version = version)),
            policy,
          ),
          `version is ${JSON.stringify(version)}: pin an exact`,
        );
      });
    }

    it("fails with no version at all", async () => {
      expectViolations(
        await violations(
          editRelease(primary, (props) => delete props.version),
          policy,
        ),
        'version is "": pin an exact chart version',
      );
    });

    it("fails with an http repository", async () => {
      const plan = editRelease(dr, (props) => (props.repositoryOpts.repo = "http://prometheus-community.github.io/helm-charts"));
      expectViolations(
        await violations(plan, policy),
        "repositoryOpts.repo is http://prometheus-community.github.io/helm-charts: use the chart repository's https:// URL",
      );
    });

    it("fails with no repository", async () => {
      expectViolations(
        await violations(
          editRelease(dr, (props) => delete props.repositoryOpts),
          policy,
        ),
        "repositoryOpts.repo is not set",
      );
    });

    it("passes an OCI chart with an exact version and no repositoryOpts", async () => {
      const oci: FixtureResource = {
        type: MONITORING_TYPES.helmRelease,
        name: "oci-release",
        props: { chart: "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack", version: "88.5.3", values: {} },
      };
      expect(await violationsOf(policy, [oci])).to.deep.equal([]);
    });

    it("isExactChartVersion accepts exact SemVer 2 (with prerelease, build, a leading v) only", () => {
      for (const version of ["88.5.3", "0.1.0", "v1.16.2", "1.0.0-rc.1", "1.0.0+build.5"]) expect(isExactChartVersion(version), version).to.equal(true);
      for (const version of ["88", "88.5", "01.2.3", "1.2.3.4", "^1.2.3", "1.2.x", " 1.2.3", undefined, 88])
        expect(isExactChartVersion(version), String(version)).to.equal(false);
    });
  });

  describe("monitoring-grafana-admin-secret", () => {
    const policy = "monitoring-grafana-admin-secret";

    it("the synthesized release names the grafana-admin Secret", () => {
      expect(releaseOf(dr).inputs.values.grafana.admin).to.deep.equal({
        existingSecret: "grafana-admin",
        userKey: "admin-user",
        passwordKey: "admin-password",
      });
    });

    it("fails with grafana.adminPassword in the values, even beside existingSecret", async () => {
      const plan = editGrafana(dr, (grafana) => (grafana.adminPassword = "correct-horse-battery"));
      expectViolations(await violations(plan, policy), "grafana.adminPassword holds the admin password in the release's values");
    });

    it("fails with grafana.ini security.admin_password", async () => {
      const plan = editGrafana(primary, (grafana) => (grafana["grafana.ini"].security.admin_password = "correct-horse-battery"));
      expectViolations(await violations(plan, policy), 'grafana["grafana.ini"].security.admin_password holds the admin password');
    });

    it("fails with the password in Grafana's environment", async () => {
      const plan = editGrafana(dr, (grafana) => (grafana.env = { GF_SECURITY_ADMIN_PASSWORD: "correct-horse-battery" }));
      expectViolations(await violations(plan, policy), "grafana.env.GF_SECURITY_ADMIN_PASSWORD holds the admin password");
    });

    it("passes an admin_password Grafana expands from a mounted file", async () => {
      const plan = editGrafana(dr, (grafana) => (grafana["grafana.ini"].security.admin_password = "$__file{/etc/secrets/grafana-admin/admin-password}"));
      expect(await violations(plan, policy)).to.deep.equal([]);
    });

    it("fails without admin.existingSecret", async () => {
      const plan = editGrafana(dr, (grafana) => delete grafana.admin.existingSecret);
      expectViolations(await violations(plan, policy), "grafana.admin.existingSecret is not set");
    });

    it("fails for kube-prometheus-stack with no grafana values (the chart's default password)", async () => {
      const plan = editRelease(dr, (props) => delete props.values.grafana);
      expectViolations(await violations(plan, policy), "grafana.admin.existingSecret is not set");
    });

    it("passes with Grafana disabled, and a release of another chart", async () => {
      expect(
        await violations(
          editGrafana(dr, (grafana) => Object.assign(grafana, { enabled: false, adminPassword: "unused" })),
          policy,
        ),
      ).to.deep.equal([]);
      const other: FixtureResource = {
        type: MONITORING_TYPES.helmRelease,
        name: "cert-manager",
        props: { chart: "cert-manager", version: "v1.16.2", repositoryOpts: { repo: "https://charts.jetstack.io" }, values: { crds: { enabled: true } } },
      };
      expect(await violationsOf(policy, [other])).to.deep.equal([]);
    });
  });

  describe("monitoring-grafana-exposure", () => {
    const policy = "monitoring-grafana-exposure";
    const internetFacing = grafanaService({ kind: "internet-facing", sourceCidrs: ["203.0.113.0/24"], certificateArn: CERT_ARN });

    it("the synthesized Grafana is an internal NLB open to the VPC only", () => {
      const service = releaseOf(dr).inputs.values.grafana.service;
      expect(service).to.deep.include({ type: "LoadBalancer", loadBalancerSourceRanges: ["10.1.0.0/16"] });
      expect(isInternetFacing(service.annotations)).to.equal(false);
    });

    it("passes the program's internet-facing service (listed networks, TLS certificate)", async () => {
      expect(isInternetFacing(internetFacing.annotations as Json)).to.equal(true);
      expect(
        await violations(
          editGrafana(dr, (grafana) => (grafana.service = copyOf(internetFacing))),
          policy,
        ),
      ).to.deep.equal([]);
    });

    it("fails with 0.0.0.0/0 in loadBalancerSourceRanges", async () => {
      const plan = editGrafana(dr, (grafana) => (grafana.service.loadBalancerSourceRanges = ["0.0.0.0/0"]));
      expectViolations(await violations(plan, policy), "grafana.service.loadBalancerSourceRanges contains 0.0.0.0/0");
    });

    it("fails with another spelling of the whole internet (10.0.0.0/0)", async () => {
      const plan = editGrafana(dr, (grafana) => (grafana.service.loadBalancerSourceRanges = ["10.0.0.0/0"]));
      expectViolations(await violations(plan, policy), "grafana.service.loadBalancerSourceRanges contains 10.0.0.0/0");
    });

    it("fails with ::/0 beside a listed network", async () => {
      const plan = editGrafana(dr, (grafana) => grafana.service.loadBalancerSourceRanges.push("::/0"));
      expectViolations(await violations(plan, policy), "contains ::/0");
    });

    it("fails with no loadBalancerSourceRanges", async () => {
      const plan = editGrafana(primary, (grafana) => delete grafana.service.loadBalancerSourceRanges);
      expectViolations(await violations(plan, policy), "grafana.service.loadBalancerSourceRanges is empty");
    });

    it("fails internet-facing without a certificate", async () => {
      const plan = editGrafana(dr, (grafana) => {
        grafana.service = copyOf(internetFacing);
        delete grafana.service.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"];
      });
      expectViolations(await violations(plan, policy), "grafana.service is an internet-facing load balancer without TLS");
    });

    it("fails when the internal annotation is dropped: the load balancer becomes internet-facing, with no certificate", async () => {
      const plan = editGrafana(dr, (grafana) => delete grafana.service.annotations["service.beta.kubernetes.io/aws-load-balancer-internal"]);
      expectViolations(await violations(plan, policy), "internet-facing load balancer without TLS");
    });

    it("passes a ClusterIP service (reached by port-forward)", async () => {
      expect(
        await violations(
          editGrafana(dr, (grafana) => (grafana.service = { type: "ClusterIP" })),
          policy,
        ),
      ).to.deep.equal([]);
    });

    it("isInternetFacing reads the controller's scheme first, then the cloud provider's internal annotation", () => {
      expect(isInternetFacing(undefined)).to.equal(true);
      expect(isInternetFacing({ "service.beta.kubernetes.io/aws-load-balancer-internal": "false" })).to.equal(true);
      expect(isInternetFacing({ "service.beta.kubernetes.io/aws-load-balancer-internal": "true" })).to.equal(false);
      expect(isInternetFacing({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" })).to.equal(false);
      expect(
        isInternetFacing({
          "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
          "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        }),
      ).to.equal(true);
    });
  });

  describe("monitoring-persistent-storage", () => {
    const policy = "monitoring-persistent-storage";
    const editStorageClass = (plan: StackPlan, edit: (props: Json) => void) => editing(plan, MONITORING_TYPES.storageClass, undefined, edit);

    it("the synthesized StorageClass is EBS CSI gp3, encrypted with the region's key", () => {
      expect(only(dr, MONITORING_TYPES.storageClass).inputs).to.deep.include({
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", kmsKeyId: KEY_ARN },
      });
    });

    it("fails with an unencrypted StorageClass", async () => {
      const plan = editStorageClass(dr, (props) => (props.parameters.encrypted = "false"));
      expectViolations(await violations(plan, policy), 'StorageClass gp3-encrypted: parameters.encrypted is "false": set "true"');
    });

    it("fails with no kmsKeyId (the AWS-managed aws/ebs key)", async () => {
      const plan = editStorageClass(dr, (props) => delete props.parameters.kmsKeyId);
      expectViolations(await violations(plan, policy), "StorageClass gp3-encrypted: parameters.kmsKeyId must be the region's customer-managed KMS key ARN");
    });

    it("fails with a key alias for kmsKeyId", async () => {
      const plan = editStorageClass(primary, (props) => (props.parameters.kmsKeyId = "alias/aws/ebs"));
      expectViolations(await violations(plan, policy), "parameters.kmsKeyId must be the region's customer-managed KMS key ARN");
    });

    it("passes a release of another chart whose prometheus block only toggles metrics (cert-manager)", async () => {
      const certManager: FixtureResource = {
        type: MONITORING_TYPES.helmRelease,
        name: "cert-manager",
        props: { chart: "cert-manager", version: "v1.16.2", values: { prometheus: { enabled: true, servicemonitor: { enabled: false } } } },
      };
      expect(await violationsOf(policy, [certManager])).to.deep.equal([]);
    });

    it("fails for kube-prometheus-stack with no values at all (emptyDir Prometheus, Grafana without persistence)", async () => {
      const plan = editRelease(dr, (props) => (props.values = {}));
      expectViolations(
        await violations(plan, policy),
        "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate is not set",
        "grafana.persistence.enabled is not true",
      );
    });

    it("passes a StorageClass of another provisioner (EFS)", async () => {
      const efs: FixtureResource = { type: MONITORING_TYPES.storageClass, name: "efs", props: { provisioner: "efs.csi.aws.com", parameters: {} } };
      expect(await violationsOf(policy, [efs])).to.deep.equal([]);
    });

    it("fails without Prometheus' storageSpec", async () => {
      const plan = editRelease(dr, (props) => delete props.values.prometheus.prometheusSpec.storageSpec);
      expectViolations(await violations(plan, policy), "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate is not set");
    });

    it("fails with Prometheus' claim on no named StorageClass", async () => {
      const plan = editRelease(dr, (props) => delete props.values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName);
      expectViolations(await violations(plan, policy), "volumeClaimTemplate.spec.storageClassName is not set");
    });

    it("fails with Grafana's persistence off", async () => {
      const plan = editGrafana(primary, (grafana) => (grafana.persistence.enabled = false));
      expectViolations(await violations(plan, policy), "grafana.persistence.enabled is not true");
    });
  });

  describe("monitoring-pod-identity-least-privilege", () => {
    const policy = "monitoring-pod-identity-least-privilege";
    const editInline = (plan: StackPlan, name: string, edit: (document: Json) => void) => editPolicyDocument(plan, TYPES.iamRolePolicy, name, "policy", edit);
    const editTrust = (plan: StackPlan, name: string, edit: (document: Json) => void) =>
      editPolicyDocument(plan, TYPES.iamRole, name, "assumeRolePolicy", edit);

    it("the synthesized stacks associate exactly the allowlisted service accounts", () => {
      for (const plan of [primary, dr]) {
        const accounts = plan.resources
          .filter((resource) => resource.type === MONITORING_TYPES.podIdentityAssociation)
          .map((resource) => resource.inputs.serviceAccount)
          .concat(
            only(plan, MONITORING_TYPES.eksAddon, `${plan.stack}-monitoring-ebs-csi-driver`).inputs.podIdentityAssociations.map(
              (entry: Json) => entry.serviceAccount,
            ),
          );
        expect(accounts.sort()).to.deep.equal(Object.keys(POD_IDENTITY_ALLOWLIST).sort());
      }
    });

    it("fails with cloudwatch:* for Grafana", async () => {
      const plan = editInline(dr, "dr-prometheus-grafana-grafana-policy", (document) => (document.Statement[0].Action = "cloudwatch:*"));
      expectViolations(
        await violations(plan, policy),
        "dr-prometheus-grafana-grafana-association (monitoring/grafana): dr-prometheus-grafana-grafana-policy: allows every cloudwatch action (cloudwatch:*)",
      );
    });

    it("fails with * for Prometheus", async () => {
      const plan = editInline(primary, "primary-prometheus-grafana-prometheus-policy", (document) => (document.Statement[0].Action = ["*"]));
      expectViolations(await violations(plan, policy), "allows every action (*); prometheus may use only ec2:DescribeInstances");
    });

    it("fails with ec2:TerminateInstances for Prometheus", async () => {
      const plan = editInline(
        dr,
        "dr-prometheus-grafana-prometheus-policy",
        (document) => (document.Statement[0].Action = ["ec2:DescribeInstances", "ec2:TerminateInstances"]),
      );
      expectViolations(await violations(plan, policy), "allows ec2:TerminateInstances, which prometheus does not need; it may use only ec2:DescribeInstances");
    });

    it("fails with Alertmanager's sns:Publish on *", async () => {
      const plan = editInline(dr, "dr-prometheus-grafana-alertmanager-policy", (document) => {
        // The alert topic, and the DR region's heartbeat topic in the primary region (its dead man's switch).
        expect(document.Statement[0]).to.deep.include({ Action: "sns:Publish" });
        expect(document.Statement[0].Resource).to.include(TOPIC_ARN);
        document.Statement[0].Resource = "*";
      });
      expectViolations(await violations(plan, policy), "allows sns:Publish on *: name an SNS topic ARN instead");
    });

    it("fails with Alertmanager's kms:Decrypt on a key alias", async () => {
      const plan = editInline(
        dr,
        "dr-prometheus-grafana-alertmanager-policy",
        (document) => (document.Statement[1].Resource = "arn:aws:kms:us-west-2:123456789012:alias/dr"),
      );
      expectViolations(
        await violations(plan, policy),
        "allows kms:GenerateDataKey* on arn:aws:kms:us-west-2:123456789012:alias/dr: name a KMS key ARN",
        "allows kms:Decrypt on arn:aws:kms:us-west-2:123456789012:alias/dr: name a KMS key ARN",
      );
    });

    it("fails with a trust policy for ec2.amazonaws.com", async () => {
      const plan = editTrust(dr, "dr-prometheus-grafana-grafana-role", (document) => (document.Statement[0].Principal = { Service: "ec2.amazonaws.com" }));
      expectViolations(
        await violations(plan, policy),
        "role dr-prometheus-grafana-grafana-role: its trust policy lets ec2.amazonaws.com assume it; a pod identity role trusts only pods.eks.amazonaws.com",
      );
    });

    it("fails with a trust policy without sts:TagSession", async () => {
      const plan = editTrust(dr, "dr-monitoring-ebs-csi-role", (document) => (document.Statement[0].Action = "sts:AssumeRole"));
      expectViolations(
        await violations(plan, policy),
        "ebs-csi-controller-sa): role dr-monitoring-ebs-csi-role: its trust policy does not allow pods.eks.amazonaws.com sts:TagSession",
      );
    });

    it("fails with another managed policy on the EBS CSI role", async () => {
      const plan = editing(
        dr,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "dr-monitoring-ebs-csi-AmazonEBSCSIDriverPolicy",
        (props) => (props.policyArn = "arn:aws:iam::aws:policy/AdministratorAccess"),
      );
      expectViolations(
        await violations(plan, policy),
        "role dr-monitoring-ebs-csi-role has arn:aws:iam::aws:policy/AdministratorAccess attached; ebs-csi-controller-sa may have only service-role/AmazonEBSCSIDriverPolicy",
      );
    });

    it("fails for a service account missing from the allowlist", async () => {
      const plan = editing(
        dr,
        MONITORING_TYPES.podIdentityAssociation,
        "dr-prometheus-grafana-grafana-association",
        (props) => (props.serviceAccount = "loki"),
      );
      expectViolations(
        await violations(plan, policy),
        "service account loki is not in the pod identity allowlist; add it with the actions the pod needs to POD_IDENTITY_ALLOWLIST",
      );
    });

    it("trustPolicyProblems and grantProblems judge documents directly", () => {
      const trust = (statement: Json) => ({ Version: "2012-10-17", Statement: [statement] });
      expect(
        trustPolicyProblems(trust({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] })),
      ).to.deep.equal([]);
      expect(trustPolicyProblems(trust({ Effect: "Allow", Principal: "*", Action: ["sts:AssumeRole", "sts:TagSession"] }))).to.have.length(1);
      expect(trustPolicyProblems(trust({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole" }))).to.have.length(2);
      expect(trustPolicyProblems(undefined)).to.deep.equal(["its trust policy is not JSON"]);
      const grafana = POD_IDENTITY_ALLOWLIST.grafana;
      const allow = (statement: Json) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", ...statement }] });
      expect(grantProblems(allow({ Action: ["cloudwatch:GetMetricData", "CloudWatch:ListMetrics"], Resource: "*" }), grafana, "grafana")).to.deep.equal([]);
      expect(grantProblems(allow({ NotAction: "iam:*", Resource: "*" }), grafana, "grafana")[0]).to.include("NotAction or NotResource");
      expect(grantProblems(allow({ Action: "cloudwatch:Get*", Resource: "*" }), grafana, "grafana")[0]).to.include(
        "allows cloudwatch:Get*, which grafana does not need",
      );
      // A Deny only takes away.
      expect(grantProblems({ Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }, grafana, "grafana")).to.deep.equal([]);
    });
  });

  describe("monitoring-scrape-rules-exact", () => {
    const policy = "monitoring-scrape-rules-exact";
    const ingress = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

    it("the synthesized scrape rules reference the EKS cluster security group the mock reports", () => {
      const clusterGroup = only(dr, TYPES.eksComponentCluster).outputs.eksCluster.vpcConfig.clusterSecurityGroupId;
      expect(clusterGroup).to.match(/^sg-/);
      for (const name of ["dr-app-instance-in-app-metrics", "dr-app-instance-in-node-exporter"])
        expect(only(dr, ingress, name).inputs.referencedSecurityGroupId).to.equal(clusterGroup);
    });

    it("passes the backup-restore DR stack: an app tier but no monitoring cluster, and no scrape rule", async () => {
      only(backupRestore, TYPES.launchTemplate);
      expect(backupRestore.resources.filter((resource) => resource.name.includes("node-exporter"))).to.deep.equal([]);
      expect(await violations(backupRestore, policy)).to.deep.equal([]);
    });

    it("fails with a scrape rule on 9000-9999 (and so no exact 9464 rule)", async () => {
      const plan = editing(dr, ingress, "dr-app-instance-in-app-metrics", (props) => Object.assign(props, { fromPort: 9000, toPort: 9999 }));
      expectViolations(
        await violations(plan, policy),
        "dr-app-instance-in-app-metrics: admits tcp 9000-9999 from dr-monitoring-eks's nodes into the app instances; only tcp 9464 and 9100, one port per rule",
        "no ingress rule admits tcp 9464 (app metrics) from dr-monitoring-eks's nodes",
      );
    });

    it("fails without the node exporter rule", async () => {
      const plan = without(primary, ingress, "primary-app-instance-in-node-exporter");
      expectViolations(
        await violations(plan, policy),
        "no ingress rule admits tcp 9100 (node exporter) from primary-monitoring-eks's nodes into the app instances",
      );
    });

    it("fails with an extra rule from the cluster on ssh", async () => {
      const plan = copyOf(dr);
      const rule = copyOf(only(plan, ingress, "dr-app-instance-in-node-exporter"));
      Object.assign(rule, { name: "dr-app-instance-in-ssh", urn: rule.urn.replace(/node-exporter$/, "ssh") });
      for (const props of [rule.inputs, rule.outputs]) Object.assign(props, { fromPort: 22, toPort: 22 });
      plan.resources.push(rule);
      expectViolations(await violations(plan, policy), "dr-app-instance-in-ssh: admits tcp 22 from dr-monitoring-eks's nodes");
    });

    it("fails with all traffic from the cluster", async () => {
      const plan = editing(dr, ingress, "dr-app-instance-in-app-metrics", (props) => {
        props.ipProtocol = "-1";
        delete props.fromPort;
        delete props.toPort;
      });
      expectViolations(await violations(plan, policy), "admits all traffic from dr-monitoring-eks's nodes", "no ingress rule admits tcp 9464 (app metrics)");
    });

    it("fails with a rule from eks.Cluster's nodeSecurityGroupId, which managed nodes do not carry", async () => {
      const nodeGroup = only(dr, TYPES.eksComponentCluster).outputs.nodeSecurityGroupId;
      const plan = editing(dr, ingress, "dr-app-instance-in-node-exporter", (props) => (props.referencedSecurityGroupId = nodeGroup));
      expectViolations(
        await violations(plan, policy),
        `dr-app-instance-in-node-exporter: admits ${nodeGroup}, a security group of dr-monitoring-eks that its managed nodes do not carry`,
        "no ingress rule admits tcp 9100 (node exporter)",
      );
    });
  });

  describe("monitoring-eks-node-imdsv2", () => {
    const policy = "monitoring-eks-node-imdsv2";

    it("passes the synthesized node groups: their own launch template requires IMDSv2 (left to launch-template-imdsv2)", async () => {
      expect(await violations(dr, policy)).to.deep.equal([]);
    });

    it("fails with enableIMDSv2 false and no launch template of its own", async () => {
      const plan = editing(dr, MONITORING_TYPES.managedNodeGroup, undefined, (props) => {
        delete props.launchTemplate;
        props.enableIMDSv2 = false;
      });
      expectViolations(await violations(plan, policy), "enableIMDSv2 is false: set true");
    });

    it("fails with enableIMDSv2 unset", async () => {
      const plan = editing(primary, MONITORING_TYPES.managedNodeGroup, undefined, (props) => {
        delete props.launchTemplate;
        delete props.enableIMDSv2;
      });
      expectViolations(await violations(plan, policy), "enableIMDSv2 is false: set true");
    });
  });

  describe("dr-dashboard-signals", () => {
    const policy = "dr-dashboard-signals";

    it("fails with a metric name AWS does not publish (ReplicaLagg) on the primary's dashboard", async () => {
      const plan = editDashboard(primary, renameMetric("ReplicaLag", "ReplicaLagg"));
      expectViolations(
        await violations(plan, policy),
        'primary-dr-dashboard: widget "Replica lag (DR database)": AWS/RDS ReplicaLagg is not a metric this program knows AWS publishes',
      );
    });

    it("fails with ReplicaLagg on the DR dashboard: the typo, and the replica's lag is not shown", async () => {
      const plan = editDashboard(dr, renameMetric("ReplicaLag", "ReplicaLagg"));
      expectViolations(
        await violations(plan, policy),
        "AWS/RDS ReplicaLagg is not a metric",
        "no CloudWatch dashboard shows the read replica dr-db-instance's lag",
      );
    });

    it("fails when the DR dashboard misses ReplicaLag", async () => {
      const plan = editDashboard(dr, dropWidgetsOf("ReplicaLag"));
      expectViolations(
        await violations(plan, policy),
        "no CloudWatch dashboard shows the read replica dr-db-instance's lag (AWS/RDS ReplicaLag in us-west-2 for dr-db-instance-",
      );
    });

    it("fails when the DR dashboard draws another database's lag", async () => {
      const plan = editDashboard(dr, (body) => {
        for (const row of metricRows(body)) if (row[1] === "ReplicaLag") row[3] = "some-other-db";
      });
      expectViolations(await violations(plan, policy), "no CloudWatch dashboard shows the read replica dr-db-instance's lag");
    });

    it("backup-restore needs no ReplicaLag (no replica), but still the health check", async () => {
      expect(backupRestore.resources.filter((resource) => resource.type === TYPES.rdsInstance)).to.deep.equal([]);
      expect(await violations(editDashboard(backupRestore, dropWidgetsOf("ReplicaLag")), policy)).to.deep.equal([]);
      expectViolations(
        await violations(editDashboard(backupRestore, dropWidgetsOf("HealthCheckStatus")), policy),
        "dr-dr-dashboard: does not show the primary's health check (AWS/Route53 HealthCheckStatus); the DR stack must show it",
      );
    });

    it("fails when the primary's dashboard misses S3 replication latency", async () => {
      const plan = editDashboard(primary, dropWidgetsOf("ReplicationLatency"));
      expectViolations(
        await violations(plan, policy),
        "primary-dr-dashboard: does not show S3 replication latency (AWS/S3 ReplicationLatency); a stack with a monitoring cluster must show it",
      );
    });

    it("fails with the health check queried outside us-east-1", async () => {
      const plan = editDashboard(dr, (body) => {
        for (const row of metricRows(body)) if (row[1] === "HealthCheckStatus") (row[row.length - 1] as Json).region = "us-west-2";
      });
      expectViolations(await violations(plan, policy), "AWS/Route53 HealthCheckStatus is published in us-east-1 only; the widget queries us-west-2");
    });

    it("fails with a body that is not JSON, and then no readable dashboard", async () => {
      const plan = editing(dr, MONITORING_TYPES.dashboard, undefined, (props) => (props.dashboardBody = "{widgets"));
      expectViolations(await violations(plan, policy), "dr-dr-dashboard: dashboardBody cannot be read", "the DR stack has no readable CloudWatch dashboard");
    });

    it("fails for a DR stack without a dashboard", async () => {
      expectViolations(
        await violations(without(backupRestore, MONITORING_TYPES.dashboard, "dr-dr-dashboard"), policy),
        "the DR stack has no readable CloudWatch dashboard",
      );
    });

    describe("aurora-global: the DR stack's secondary cluster", () => {
      const CLUSTER = "dr-db-secondary-4c5d6e";
      /** The DR stack in aurora-global mode: the secondary cluster instead of the read replica. */
      const auroraDr = () =>
        without(
          adding(dr, TYPES.rdsInstance, {
            type: MONITORING_TYPES.rdsCluster,
            name: "dr-db-cluster",
            props: { clusterIdentifier: CLUSTER, globalClusterIdentifier: "app-global", engine: "aurora-postgresql" },
          }),
          TYPES.rdsInstance,
          "dr-db-instance",
        );
      /** The DR dashboard with the replica-lag widget drawn for the secondary cluster. */
      const withAuroraLag = (plan: StackPlan, clusterIdentifier: string | undefined = CLUSTER) =>
        editDashboard(plan, (body) => {
          body.widgets = body.widgets.filter((widget: Json) => !(widget.properties.metrics ?? []).some((row: unknown[]) => metricNameOf(row) === "ReplicaLag"));
          const { replicaIdentifier: _replica, ...scope } = fullScope();
          body.widgets.push(
            ...widgetsOfPanel({ ...scope, standby: { region: "us-west-2" }, replica: { kind: "aurora-global", clusterIdentifier } }, "replica-lag"),
          );
        });

      it("fails when the DR dashboard still shows ReplicaLag, not the secondary cluster's lag", async () => {
        expectViolations(
          await violations(auroraDr(), policy),
          `no CloudWatch dashboard shows the Aurora secondary cluster dr-db-cluster's lag (AWS/RDS AuroraGlobalDBReplicationLag or AuroraGlobalDBRPOLag in us-west-2 for ${CLUSTER})`,
        );
      });

      it("passes with AuroraGlobalDBReplicationLag of the cluster in the DR region, or AuroraGlobalDBRPOLag, or a search over the region", async () => {
        expect(await violations(withAuroraLag(auroraDr()), policy)).to.deep.equal([]);
        expect(
          await violations(editDashboard(withAuroraLag(auroraDr()), renameMetric("AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag")), policy),
        ).to.deep.equal([]);
        expect(await violations(withAuroraLag(auroraDr(), undefined), policy)).to.deep.equal([]);
      });

      it("fails with another cluster's lag, or the lag queried in the primary's region (where Aurora publishes none)", async () => {
        expectViolations(
          await violations(withAuroraLag(auroraDr(), "some-other-cluster"), policy),
          "no CloudWatch dashboard shows the Aurora secondary cluster",
        );
        const inPrimary = editDashboard(withAuroraLag(auroraDr()), (body) => {
          for (const row of metricRows(body)) if (row[1] === "AuroraGlobalDBReplicationLag") (row[row.length - 1] as Json).region = "us-east-1";
        });
        expectViolations(await violations(inPrimary, policy), "no CloudWatch dashboard shows the Aurora secondary cluster dr-db-cluster's lag");
      });

      it("does not ask the primary stack for the secondary's lag", async () => {
        const primaryCluster = adding(primary, MONITORING_TYPES.dashboard, {
          type: MONITORING_TYPES.rdsCluster,
          name: "primary-db-cluster",
          props: { clusterIdentifier: "primary-db", globalClusterIdentifier: "app-global" },
        });
        expect(await violations(primaryCluster, policy)).to.deep.equal([]);
      });
    });

    describe("a DynamoDB global table replicated into the DR region", () => {
      const TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/app-data";
      const replicaDr = () =>
        adding(dr, TYPES.rdsInstance, {
          type: "aws:dynamodb/tableReplica:TableReplica",
          name: "dr-app-data-replica",
          props: { globalTableArn: TABLE_ARN, pointInTimeRecovery: true, deletionProtectionEnabled: true },
        });
      const withLatency = (plan: StackPlan, table: { tableName?: string; sourceRegion: string; receivingRegion: string }) =>
        editDashboard(plan, (body) => {
          body.widgets.push(...widgetsOfPanel({ ...fullScope(), globalTable: table }, "dynamodb-replication-latency"));
        });

      it("fails when the DR dashboard does not show the table's replication latency", async () => {
        expectViolations(
          await violations(replicaDr(), policy),
          "no CloudWatch dashboard shows the DynamoDB table replica dr-app-data-replica's replication latency (AWS/DynamoDB ReplicationLatency in us-east-1 for app-data to us-west-2)",
        );
      });

      it("passes with ReplicationLatency of the table into the DR region, published in the primary's region, exact or searched", async () => {
        expect(
          await violations(withLatency(replicaDr(), { tableName: "app-data", sourceRegion: "us-east-1", receivingRegion: "us-west-2" }), policy),
        ).to.deep.equal([]);
        expect(await violations(withLatency(replicaDr(), { sourceRegion: "us-east-1", receivingRegion: "us-west-2" }), policy)).to.deep.equal([]);
      });

      it("fails with the latency queried in the DR region, of another table, or towards another region", async () => {
        for (const table of [
          { tableName: "app-data", sourceRegion: "us-west-2", receivingRegion: "us-east-1" },
          { tableName: "other-table", sourceRegion: "us-east-1", receivingRegion: "us-west-2" },
          { tableName: "app-data", sourceRegion: "us-east-1", receivingRegion: "eu-west-1" },
        ]) {
          expectViolations(await violations(withLatency(replicaDr(), table), policy), "dr-app-data-replica's replication latency");
        }
      });
    });

    it("passes a stack with neither a DR role nor a monitoring cluster, and no dashboard", async () => {
      const key: FixtureResource = { type: TYPES.kmsKey, name: "key", props: { enableKeyRotation: true } };
      expect(await violationsOf(policy, [key])).to.deep.equal([]);
    });
  });
});
