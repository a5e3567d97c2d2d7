/**
 * Monitoring as synthesized from the repository's stack files: each region's Helm release of
 * kube-prometheus-stack (pinned, through the cluster's Kubernetes provider) with values that scrape
 * that region's app tier, the pod identities bound to the chart's service accounts, Grafana's admin
 * password kept out of config, the dashboards' identifiers (exact in the DR stack, the standby's
 * wildcarded in the primary), and a CloudWatch dashboard in every region, including a
 * backup-restore DR region that runs no cluster.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- plan inputs and Grafana queries are untyped JSON read back from the synthesis */
import { expect } from "chai";
import * as path from "node:path";
import { KUBE_PROMETHEUS_STACK, SERVICE_ACCOUNTS } from "../monitoring/chartValues";
import { cloudWatchDashboardMetrics } from "../monitoring/cloudWatchDashboard";
import { metricQueryProblem } from "../monitoring/cloudWatchMetrics";
import { dashboardQueries, type GrafanaDashboard } from "../monitoring/grafanaDashboard";
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import { synthesize, type SynthesisResult } from "../synth/synthesize";
import { editedStackFiles, type StackEdit } from "./fixtures/stackFiles";
import { synthesizedOnce } from "./fixtures/synthesis";

const projectDirectory = path.resolve(__dirname, "..");
const NS = "multi-region-dr";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ofType = (plan: StackPlan, type: string) => plan.resources.filter((resource) => resource.type === type);
function only(plan: StackPlan, type: string): PlannedResource {
  const found = ofType(plan, type);
  expect(found, `${plan.stack}: exactly one ${type}`).to.have.length(1);
  return found[0];
}
const record = (value: unknown) => value as Record<string, any>;

const runs = new Map<string, Promise<SynthesisResult>>();
/**
 * The synthesis named `key` (its stack files are written afresh on each call, so the key, not their
 * paths, says two calls are the same), run once; inputs other files also synthesize are shared with
 * them through synthesizedOnce.
 */
function synthesized(key: string, args: Omit<Parameters<typeof synthesize>[0], "projectDirectory"> = {}): Promise<SynthesisResult> {
  if (!runs.has(key)) runs.set(key, synthesizedOnce({ projectDirectory, ...args }));
  return runs.get(key)!;
}

function dashboardOf(plan: StackPlan): GrafanaDashboard {
  const configMap = ofType(plan, "kubernetes:core/v1:ConfigMap").find((map) => record(map.inputs.metadata).labels?.grafana_dashboard === "1");
  expect(configMap, `${plan.stack}: a dashboard ConfigMap`).not.to.equal(undefined);
  return JSON.parse(record(configMap!.inputs.data)["disaster-recovery.json"]) as GrafanaDashboard;
}

describe("monitoring in the synthesized stacks", function () {
  this.timeout(180000);

  for (const role of ["primary", "dr"] as const) {
    describe(`${role} stack`, () => {
      let plan: StackPlan;
      before(async () => {
        const result = await synthesized("default");
        plan = role === "primary" ? result.primary : result.dr;
      });

      it("installs the pinned kube-prometheus-stack through the cluster's Kubernetes provider", () => {
        const release = only(plan, RELEASE);
        expect(release.inputs).to.deep.include({ chart: "kube-prometheus-stack", version: KUBE_PROMETHEUS_STACK.version, namespace: "monitoring" });
        expect(record(release.inputs.repositoryOpts).repo).to.equal("https://prometheus-community.github.io/helm-charts");
        expect(release.providerUrn, "the release's provider").to.match(/pulumi:providers:kubernetes::.*-monitoring-k8s$/);
      });

      it("installs the chart only once the cluster runs its nodes, CoreDNS, the pod identity agent and the EBS CSI driver with its StorageClass", () => {
        const release = only(plan, RELEASE);
        const addon = (name: string) => ofType(plan, "aws:eks/addon:Addon").find((item) => item.inputs.addonName === name)!.urn;
        expect(release.dependencies).to.include.members([
          only(plan, "eks:index:ManagedNodeGroup").urn,
          addon("coredns"),
          addon("eks-pod-identity-agent"),
          addon("aws-ebs-csi-driver"),
          only(plan, "kubernetes:storage.k8s.io/v1:StorageClass").urn,
        ]);
        expect(only(plan, "eks:index:Cluster").inputs.corednsAddonOptions, "no CoreDNS from eks.Cluster, before the nodes").to.deep.include({ enabled: false });
      });

      it("scrapes this region's app tier by its Auto Scaling group", () => {
        const values = record(only(plan, RELEASE).inputs.values);
        const asg = only(plan, "aws:autoscaling/group:Group").outputs.name;
        const jobs = values.prometheus.prometheusSpec.additionalScrapeConfigs as Record<string, any>[];
        expect(jobs.map((job) => job.job_name)).to.deep.equal(["app", "node"]);
        for (const job of jobs) {
          expect(job.ec2_sd_configs[0].region).to.equal(plan.region);
          expect(job.ec2_sd_configs[0].filters[0]).to.deep.equal({ name: "tag:aws:autoscaling:groupName", values: [asg] });
        }
      });

      it("binds each pod identity to the service account the chart creates", () => {
        const values = record(only(plan, RELEASE).inputs.values);
        const associations = ofType(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((association) => association.inputs);
        expect(associations.map((association) => `${association.namespace}/${association.serviceAccount}`)).to.have.members([
          "monitoring/prometheus",
          "monitoring/grafana",
          "monitoring/alertmanager",
        ]);
        expect(values.prometheus.serviceAccount.name).to.equal(SERVICE_ACCOUNTS.prometheus);
        expect(values.grafana.serviceAccount.name).to.equal(SERVICE_ACCOUNTS.grafana);
        expect(values.alertmanager.serviceAccount.name).to.equal(SERVICE_ACCOUNTS.alertmanager);
        const clusterName = only(plan, "eks:index:Cluster").inputs.name;
        expect(associations.every((association) => association.clusterName === clusterName)).to.equal(true);
      });

      it("keeps Grafana's admin password in Secrets Manager and a Kubernetes Secret, never in the chart values", () => {
        const values = only(plan, RELEASE).inputs.values;
        expect(JSON.stringify(values)).not.to.match(/adminPassword|mock-[0-9a-f]{24}/);
        expect(record(values).grafana.admin.existingSecret).to.equal("grafana-admin");
        // The app's secrets (components/appSecrets.ts, the primary) are not Grafana's.
        const [secret, ...others] = ofType(plan, "aws:secretsmanager/secret:Secret").filter(
          (candidate) => !String(candidate.inputs.namePrefix).includes("/app/"),
        );
        expect(others).to.deep.equal([]);
        // The region's data key, not the app secrets' multi-Region key nor the key of the DR region's dead man's switch.
        const regionKeys = ofType(plan, "aws:kms/key:Key").filter(
          (key) => String(key.outputs.arn).includes(`:${plan.region}:`) && !key.name.startsWith("app-secrets") && !key.name.startsWith("dr-monitoring-from-"),
        );
        expect(regionKeys).to.have.length(1);
        expect(secret.inputs.kmsKeyId).to.equal(regionKeys[0].outputs.arn);
        const kubernetesSecret = ofType(plan, "kubernetes:core/v1:Secret").find((item) => record(item.inputs.metadata).name === "grafana-admin");
        expect(Object.keys(record(kubernetesSecret!.inputs.stringData))).to.have.members(["admin-user", "admin-password"]);
      });

      it("exposes Grafana on an internal load balancer for the VPC by default", () => {
        const service = record(only(plan, RELEASE).inputs.values).grafana.service;
        expect(service.annotations["service.beta.kubernetes.io/aws-load-balancer-internal"]).to.equal("true");
        expect(service.loadBalancerSourceRanges).to.deep.equal([role === "primary" ? "10.0.0.0/16" : "10.1.0.0/16"]);
      });

      it("has a CloudWatch dashboard whose every metric is one AWS publishes", () => {
        const body = only(plan, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody as string;
        const metrics = cloudWatchDashboardMetrics(body);
        expect(metrics.length).to.be.greaterThan(10);
        for (const metric of metrics) expect(metricQueryProblem(metric), `${metric.namespace} ${metric.metricName}`).to.equal(undefined);
        expect(metrics.filter((metric) => metric.namespace === "AWS/Route53").every((metric) => metric.region === "us-east-1")).to.equal(true);
      });

      it("draws the Grafana dashboard with both regions' signals", () => {
        const queries = dashboardQueries(dashboardOf(plan)) as Record<string, any>[];
        const cloudWatch = queries.filter((query) => query.datasource.type === "cloudwatch");
        expect(new Set(cloudWatch.map((query) => query.region))).to.deep.equal(new Set(["us-east-1", "us-west-2"]));
        const lag = cloudWatch.find((query) => query.metricName === "ReplicaLag");
        expect(lag?.region).to.equal("us-west-2");
      });
    });
  }

  it("the DR stack's dashboard names every resource exactly; the primary's wildcards what it cannot know", async () => {
    const { primary, dr } = await synthesized("default");
    const drQueries = dashboardQueries(dashboardOf(dr)).filter((query) => record(query).datasource.type === "cloudwatch") as Record<string, any>[];
    expect(drQueries.every((query) => query.matchExact === true)).to.equal(true);
    const replica = only(dr, "aws:rds/instance:Instance").outputs.identifier;
    expect(drQueries.find((query) => query.metricName === "ReplicaLag")?.dimensions).to.deep.equal({ DBInstanceIdentifier: replica });
    // The endpoint's check (the fence's and the record's calculated one have no HealthCheckStatus series on the dashboard).
    const healthCheck = dr.resources.filter(
      (resource) => resource.type === "aws:route53/healthCheck:HealthCheck" && resource.name === "failover-primary-health",
    )[0];
    expect(drQueries.find((query) => query.metricName === "HealthCheckStatus")?.dimensions).to.deep.equal({ HealthCheckId: healthCheck.id });

    const primaryQueries = dashboardQueries(dashboardOf(primary)).filter((query) => record(query).datasource.type === "cloudwatch") as Record<string, any>[];
    const standby = primaryQueries.filter((query) => query.region === "us-west-2");
    expect(standby.length).to.be.greaterThan(0);
    expect(standby.every((query) => query.matchExact === false)).to.equal(true);
    const ownAlb = primaryQueries.filter((query) => query.region === "us-east-1" && query.metricName === "RequestCount");
    expect(ownAlb.every((query) => query.matchExact === true)).to.equal(true);
  });

  it("opens the scrape ports on the app instances to the EKS cluster security group only", async () => {
    const { primary } = await synthesized("default");
    const clusterSecurityGroup = record(only(primary, "eks:index:Cluster").outputs.eksCluster).vpcConfig.clusterSecurityGroupId;
    const rules = ofType(primary, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
      (rule) => rule.inputs.referencedSecurityGroupId === clusterSecurityGroup,
    );
    expect(rules.map((rule) => rule.inputs.fromPort)).to.have.members([9464, 9100]);
  });

  it("a backup-restore DR region runs no cluster but keeps its CloudWatch dashboard, without a replica-lag widget", async () => {
    const edit: StackEdit = (config) =>
      (config[`${NS}:recovery`] = { ...(config[`${NS}:recovery`] as object), strategy: "backup-restore", rtoSeconds: 2400, rpoSeconds: 1800 });
    const { dr } = await synthesized("backup-restore", editedStackFiles(edit, edit));
    expect(ofType(dr, "eks:index:Cluster")).to.have.length(0);
    expect(ofType(dr, RELEASE)).to.have.length(0);
    const metrics = cloudWatchDashboardMetrics(only(dr, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody as string);
    expect(metrics.map((metric) => metric.metricName)).not.to.include("ReplicaLag");
    expect(metrics.map((metric) => metric.metricName)).to.include("ReplicationLatency");
  });

  it("Grafana for listed networks is internet-facing with TLS", async () => {
    const certificate = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123";
    const { primary } = await synthesized(
      "grafana-public",
      editedStackFiles(
        (config) =>
          (config[`${NS}:monitoring`] = {
            ...(config[`${NS}:monitoring`] as object),
            grafanaAccessCidrs: ["203.0.113.0/24"],
            grafanaCertificateArn: certificate,
          }),
        () => {},
      ),
    );
    const service = record(only(primary, RELEASE).inputs.values).grafana.service;
    expect(service.port).to.equal(443);
    expect(service.loadBalancerSourceRanges).to.deep.equal(["203.0.113.0/24"]);
    expect(service.annotations).to.deep.include({
      "service.beta.kubernetes.io/aws-load-balancer-internal": "false",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": certificate,
    });
  });

  it("a DR stack outside the primary's standbyRegion is refused before any resource", async () => {
    let thrown: unknown;
    try {
      await synthesize({
        projectDirectory,
        ...editedStackFiles(
          (config) => (config[`${NS}:standbyRegion`] = "eu-west-1"),
          () => {},
        ),
      });
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).to.include("differs from the primary's standbyRegion eu-west-1");
  });
});
describe("monitoring's dead man's switch and load balancer alarms in the synthesized stacks (issue 24)", function () {
  this.timeout(180000);
  const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

  it("pages from the standby region when the primary's Watchdog stops: the heartbeat topic, its alarm (missing data breaching) and the page topic all live in us-west-2", async () => {
    const { primary } = await synthesized("default");
    // The primary's own switch (the DR region's, `-dr-monitoring-heartbeat-missing`, lives in us-east-1: test/monitoring/drHeartbeat.test.ts).
    const heartbeat = ofType(primary, ALARM).find(
      (alarm) => String(alarm.inputs.name).endsWith("-monitoring-heartbeat-missing") && !String(alarm.inputs.name).endsWith("-dr-monitoring-heartbeat-missing"),
    )!;
    expect(heartbeat, "the heartbeat alarm").to.not.equal(undefined);
    expect(heartbeat.region).to.equal("us-west-2");
    expect(heartbeat.inputs).to.deep.include({
      namespace: "AWS/SNS",
      metricName: "NumberOfMessagesPublished",
      statistic: "Sum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
    const topics = ofType(primary, "aws:sns/topic:Topic");
    const own = (suffix: string) => (topic: (typeof topics)[number]) =>
      String(topic.inputs.name).endsWith(suffix) && !String(topic.inputs.name).endsWith(`-dr${suffix}`);
    const heartbeatTopic = topics.find(own("-monitoring-heartbeat"))!;
    const pageTopic = topics.find(own("-monitoring-watch-alerts"))!;
    expect([heartbeatTopic.region, pageTopic.region]).to.deep.equal(["us-west-2", "us-west-2"]);
    expect(record(heartbeat.inputs.dimensions)).to.deep.equal({ TopicName: heartbeatTopic.inputs.name });
    expect(heartbeat.inputs.alarmActions).to.deep.equal([pageTopic.outputs.arn]);
    // Alertmanager sends Watchdog there, signed for us-west-2, and may publish to it.
    const values = record(only(primary, RELEASE).inputs.values);
    const receivers = values.alertmanager.config.receivers as { name: string; sns_configs?: { topic_arn: string; sigv4: { region: string } }[] }[];
    const receiver = receivers.find((one) => one.name === "heartbeat")!;
    expect(receiver.sns_configs![0].sigv4.region).to.equal("us-west-2");
    expect(receiver.sns_configs![0].topic_arn).to.equal(heartbeatTopic.outputs.arn);
  });

  it("alarms on each region's own load balancer: ALB 5xx and no healthy host, on the region's monitoring topic", async () => {
    const { primary, dr } = await synthesized("default");
    for (const [plan, region] of [
      [primary, "us-east-1"],
      [dr, "us-west-2"],
    ] as const) {
      const names = ofType(plan, ALARM).map((alarm) => String(alarm.inputs.name));
      const elb = ofType(plan, ALARM).find((alarm) => String(alarm.inputs.name).endsWith("-alb-5xx"))!;
      expect(elb.region).to.equal(region);
      expect(elb.inputs).to.deep.include({ namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", treatMissingData: "notBreaching" });
      expect(
        names.some((name) => name.endsWith("-alb-no-healthy-hosts")),
        `${region} healthy-host alarm`,
      ).to.equal(true);
    }
  });
});
