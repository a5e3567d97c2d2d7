/**
 * The kube-prometheus-stack values (monitoring/chartValues.ts), built from realistic inputs: the
 * app tier's scrape configs, Grafana's alerting provisioning for every DR panel of a full scope, and
 * the Prometheus rules. Checks what the cluster and AWS rely on (service account names the pod
 * identities are associated with, storage on the encrypted StorageClass, Alertmanager's SNS
 * receiver, Grafana's secret-held admin password and data sources), that the values survive JSON
 * and YAML, and that nothing Helm's `tpl` would execute sits where the charts run it.
 */
import { expect } from "chai";
import YAML from "yaml";
import { type GrafanaAlertProvisioning, grafanaAlertProvisioning, prometheusAlertRules } from "../../monitoring/alertRules";
import {
  alertmanagerConfig,
  alertmanagerUrl,
  chartValues,
  type ChartValuesArgs,
  DATASOURCE_UIDS,
  type GrafanaExposure,
  grafanaService,
  KUBE_PROMETHEUS_STACK,
  SERVER_RESOURCES,
  SERVICE_ACCOUNTS,
} from "../../monitoring/chartValues";
import { drPanels, type DrSignalScope } from "../../monitoring/drSignals";
import { fullScope as drStackScope } from "../fixtures/drSignalScopes";
import { appScrapeConfigs } from "../../monitoring/scrapeConfigs";

const REGION = "us-east-1";
const STORAGE_CLASS = "encrypted-gp3";
const VPC_CIDR = "10.0.0.0/16";
const TOPIC_ARN = `arn:aws:sns:${REGION}:123456789012:multi-region-dr-primary-monitoring-alerts`;
const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const ADMIN_SECRET = "grafana-admin";
const LB = "service.beta.kubernetes.io/aws-load-balancer";

/** A scope with every identifier known and a read replica: every DR panel, so every Grafana rule. */
function fullScope(): DrSignalScope {
  const scope = drStackScope();
  return { ...scope, primary: { ...scope.primary, region: REGION }, rpoSeconds: 60, objectRpoSeconds: 900 };
}

function alerting(): GrafanaAlertProvisioning {
  return grafanaAlertProvisioning({
    panels: drPanels(fullScope()),
    cloudWatchDatasourceUid: DATASOURCE_UIDS.cloudWatch,
    alertmanagerUrl: alertmanagerUrl(),
    folder: "Disaster recovery",
  });
}

function chartArgs(overrides: { exposure?: GrafanaExposure; prometheus?: ChartValuesArgs["prometheus"] } = {}): ChartValuesArgs {
  return {
    region: REGION,
    role: "primary",
    scrapeConfigs: appScrapeConfigs({ region: REGION, role: "primary", autoScalingGroupName: "multi-region-dr-primary-app" }),
    storageClassName: STORAGE_CLASS,
    prometheus: overrides.prometheus ?? { retentionDays: 15, storageGib: 50 },
    grafana: { adminSecretName: ADMIN_SECRET, exposure: overrides.exposure ?? { kind: "internal", vpcCidrBlock: VPC_CIDR }, alerting: alerting() },
    prometheusRules: prometheusAlertRules(),
    alertTopicArn: TOPIC_ARN,
  };
}

/** The value at `path` (keys may contain dots, e.g. `grafana.ini`); throws when a step is missing. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((current, key, index) => {
    if (current === null || typeof current !== "object" || !(key in current)) {
      throw new Error(`no ${JSON.stringify(key)} at ${path.slice(0, index).join(".") || "the root"}`);
    }
    return (current as Record<string | number, unknown>)[key];
  }, value);
}

/** Every [path, key] of an object tree, depth first. */
function keysOf(value: unknown, path = "$"): { path: string; key: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => keysOf(item, `${path}[${index}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => [{ path, key }, ...keysOf(item, `${path}.${key}`)]);
  }
  return [];
}

/** Paths of strings and keys holding `needle`. */
function pathsHolding(value: unknown, needle: string, path = "$"): string[] {
  if (typeof value === "string") return value.includes(needle) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => pathsHolding(item, needle, `${path}[${index}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(key.includes(needle) ? [`${path} (key ${key})`] : []),
      ...pathsHolding(item, needle, `${path}.${key}`),
    ]);
  }
  return [];
}

describe("monitoring/chartValues", () => {
  const args = chartArgs();
  const values = chartValues(args);

  describe("KUBE_PROMETHEUS_STACK", () => {
    it("pins one exact chart version (semver, no range) from the prometheus-community repository", () => {
      expect(KUBE_PROMETHEUS_STACK.version).to.match(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/);
      expect(KUBE_PROMETHEUS_STACK.chart).to.equal("kube-prometheus-stack");
      expect(KUBE_PROMETHEUS_STACK.repository).to.equal("https://prometheus-community.github.io/helm-charts");
    });
  });

  describe("Prometheus", () => {
    const spec = at(values, "prometheus", "prometheusSpec");

    it("keeps 15 days, capped at 90% of its volume rounded down (45GiB of 50)", () => {
      expect(at(spec, "retention")).to.equal("15d");
      expect(at(spec, "retentionSize")).to.equal("45GiB");
    });

    it("floors the size cap: 11 GiB of storage keeps 9GiB, 1000 keeps 900GiB", () => {
      const sizeFor = (storageGib: number) =>
        at(chartValues(chartArgs({ prometheus: { retentionDays: 7, storageGib } })), "prometheus", "prometheusSpec", "retentionSize");
      expect(sizeFor(11)).to.equal("9GiB");
      expect(sizeFor(10)).to.equal("9GiB");
      expect(sizeFor(1000)).to.equal("900GiB");
    });

    it("stores on the encrypted StorageClass, one ReadWriteOnce volume of the configured size", () => {
      expect(at(spec, "storageSpec")).to.deep.equal({
        volumeClaimTemplate: { spec: { storageClassName: STORAGE_CLASS, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } } },
      });
    });

    it("scrapes exactly the scrape configs it is given", () => {
      expect(at(spec, "additionalScrapeConfigs")).to.deep.equal(args.scrapeConfigs);
      expect(at(spec, "additionalScrapeConfigs")).to.have.length(2);
    });

    it("labels every series with the region and role", () => {
      expect(at(spec, "externalLabels")).to.deep.equal({ region: REGION, role: "primary" });
      const dr = chartValues({ ...args, region: "us-west-2", role: "dr" });
      expect(at(dr, "prometheus", "prometheusSpec", "externalLabels")).to.deep.equal({ region: "us-west-2", role: "dr" });
    });

    it("installs the DR rules as one PrometheusRule", () => {
      expect(at(values, "additionalPrometheusRulesMap")).to.deep.equal({ "disaster-recovery": prometheusAlertRules() });
    });

    for (const [prometheus, pattern] of [
      [{ retentionDays: 0, storageGib: 50 }, /retention.*got 0/],
      [{ retentionDays: 1.5, storageGib: 50 }, /retention.*got 1\.5/],
      [{ retentionDays: 15, storageGib: 5 }, /storage.*got 5/],
      [{ retentionDays: 15, storageGib: 10.5 }, /storage.*got 10\.5/],
    ] as const) {
      it(`refuses ${JSON.stringify(prometheus)} with a RangeError`, () => {
        expect(() => chartValues(chartArgs({ prometheus }))).to.throw(RangeError, pattern);
      });
    }
  });

  describe("service accounts", () => {
    it("are created with the names the pod identity associations use", () => {
      expect(SERVICE_ACCOUNTS).to.deep.equal({ prometheus: "prometheus", grafana: "grafana", alertmanager: "alertmanager" });
      for (const component of ["prometheus", "grafana", "alertmanager"] as const) {
        expect(at(values, component, "serviceAccount"), component).to.deep.equal({ create: true, name: SERVICE_ACCOUNTS[component] });
      }
    });
  });

  describe("Alertmanager", () => {
    const config = at(values, "alertmanager", "config");

    it("routes everything to SNS, and without a heartbeat topic the always-firing Watchdog and InfoInhibitor to null", () => {
      expect(at(config, "route", "receiver")).to.equal("sns");
      expect(at(config, "route", "routes")).to.deep.equal([
        { matchers: ['alertname = "Watchdog"'], receiver: "null" },
        { matchers: ['alertname = "InfoInhibitor"'], receiver: "null" },
      ]);
      expect((at(config, "receivers") as { name: string }[]).map(({ name }) => name)).to.have.members(["null", "sns"]);
    });

    it("sends Watchdog to the other region's heartbeat topic, about every minute, signed for that region (issue 24's dead man's switch)", () => {
      const heartbeat = { topicArn: "arn:aws:sns:us-west-2:123456789012:multi-region-dr-primary-monitoring-heartbeat", region: "us-west-2" };
      const withHeartbeat = alertmanagerConfig({ region: REGION, role: "primary", alertTopicArn: TOPIC_ARN, heartbeat });
      expect(at(withHeartbeat, "route", "routes")).to.deep.equal([
        { matchers: ['alertname = "Watchdog"'], receiver: "heartbeat", group_wait: "0s", group_interval: "1m", repeat_interval: "1m" },
        { matchers: ['alertname = "InfoInhibitor"'], receiver: "null" },
      ]);
      const receiver = (at(withHeartbeat, "receivers") as { name: string; sns_configs?: Record<string, unknown>[] }[]).find(({ name }) => name === "heartbeat");
      expect(receiver?.sns_configs).to.deep.equal([
        { topic_arn: heartbeat.topicArn, sigv4: { region: "us-west-2" }, subject: "Watchdog (primary us-east-1)", send_resolved: false },
      ]);
      expect(() =>
        alertmanagerConfig({ region: REGION, role: "primary", alertTopicArn: TOPIC_ARN, heartbeat: { ...heartbeat, region: "us-east-2" } }),
      ).to.throw(/is in us-west-2, not us-east-2/);
      expect(() =>
        alertmanagerConfig({ region: REGION, role: "primary", alertTopicArn: TOPIC_ARN, heartbeat: { topicArn: TOPIC_ARN, region: REGION } }),
      ).to.throw(/cannot watch itself/);
      expect(() =>
        alertmanagerConfig({ region: REGION, role: "primary", alertTopicArn: TOPIC_ARN, heartbeat: { topicArn: "topic", region: "us-west-2" } }),
      ).to.throw(/not an SNS topic ARN/);
    });

    it("turns off the scrape jobs and rule groups of what EKS does not expose (issue 24: they fired forever)", () => {
      for (const component of ["kubeScheduler", "kubeControllerManager", "kubeEtcd", "kubeProxy"])
        expect(at(values, component)).to.deep.equal({ enabled: false });
      expect(at(values, "defaultRules", "rules")).to.deep.equal({
        kubeSchedulerAlerting: false,
        kubeSchedulerRecording: false,
        kubeControllerManager: false,
        etcd: false,
        kubeProxy: false,
      });
    });

    it("requests CPU and memory for Prometheus, Alertmanager and Grafana that fit one t3.medium node together", () => {
      const memoryMi = (quantity: string) => (quantity.endsWith("Gi") ? Number(quantity.slice(0, -2)) * 1024 : Number(quantity.slice(0, -2)));
      const cpuMilli = (quantity: string) => Number(quantity.slice(0, -1));
      const servers = [
        at(values, "prometheus", "prometheusSpec", "resources"),
        at(values, "alertmanager", "alertmanagerSpec", "resources"),
        at(values, "grafana", "resources"),
      ] as { requests: { cpu: string; memory: string }; limits: { memory: string } }[];
      expect(servers).to.deep.equal([SERVER_RESOURCES.prometheus, SERVER_RESOURCES.alertmanager, SERVER_RESOURCES.grafana]);
      // t3.medium: 2000m and 4096 Mi, about 3.4 GiB allocatable after EKS's reservations.
      expect(servers.reduce((sum, server) => sum + cpuMilli(server.requests.cpu), 0)).to.be.below(1000);
      expect(servers.reduce((sum, server) => sum + memoryMi(server.requests.memory), 0)).to.be.below(2048);
      for (const server of servers) expect(memoryMi(server.limits.memory)).to.be.at.least(memoryMi(server.requests.memory));
    });

    it("publishes to the region's alert topic, signing for the topic's region", () => {
      const sns = (at(config, "receivers") as { name: string; sns_configs?: unknown[] }[]).find(({ name }) => name === "sns");
      expect(sns?.sns_configs).to.have.length(1);
      const [snsConfig] = sns!.sns_configs!;
      expect(at(snsConfig, "topic_arn")).to.equal(TOPIC_ARN);
      expect(at(snsConfig, "sigv4")).to.deep.equal({ region: REGION });
      expect(at(snsConfig, "send_resolved")).to.equal(true);
      // The topic's region is the region in its ARN; SigV4 must sign for it.
      expect(TOPIC_ARN.split(":")[3]).to.equal(REGION);
    });

    it("keeps its Go templates: the subject holds {{ }} and the chart is not asked to tpl the config", () => {
      const sns = (at(config, "receivers") as { name: string }[]).find(({ name }) => name === "sns");
      expect(at(sns, "sns_configs", 0, "subject")).to.equal("[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} (primary us-east-1)");
      expect(at(values, "alertmanager")).to.not.have.property("tplConfig");
      // The search the Grafana test relies on finds them: the subject is the only place.
      expect(pathsHolding(values, "{{")).to.deep.equal(["$.alertmanager.config.receivers[1].sns_configs[0].subject"]);
    });

    it("stores on the encrypted StorageClass", () => {
      expect(at(values, "alertmanager", "alertmanagerSpec", "storage", "volumeClaimTemplate", "spec", "storageClassName")).to.equal(STORAGE_CLASS);
    });
  });

  describe("Grafana", () => {
    const grafana = at(values, "grafana");

    it("reads its admin credentials from the Secret, and no admin password is anywhere in the values", () => {
      expect(at(grafana, "admin")).to.deep.equal({ existingSecret: ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" });
      const passwords = keysOf(values).filter(({ key }) => /^(admin)?password$/i.test(key));
      expect(passwords).to.deep.equal([]);
      expect(keysOf(values).map(({ key }) => key)).to.not.include("adminPassword");
      // The search reaches keys nested in arrays.
      expect(keysOf({ grafana: { list: [{ adminPassword: "x" }] } })).to.deep.include({ path: "$.grafana.list[0]", key: "adminPassword" });
    });

    it("persists on the encrypted StorageClass and is replaced, not rolled, so the volume is released first", () => {
      expect(at(grafana, "persistence")).to.deep.equal({
        enabled: true,
        type: "pvc",
        storageClassName: STORAGE_CLASS,
        accessModes: ["ReadWriteOnce"],
        size: "10Gi",
      });
      expect(at(grafana, "deploymentStrategy")).to.deep.equal({ type: "Recreate" });
    });

    it("has the CloudWatch data source with the uid the dashboards and rules use, on the pod identity's credentials", () => {
      const sources = at(grafana, "additionalDataSources") as { type: string }[];
      const cloudWatch = sources.filter(({ type }) => type === "cloudwatch");
      expect(cloudWatch).to.have.length(1);
      expect(at(cloudWatch[0], "uid")).to.equal(DATASOURCE_UIDS.cloudWatch);
      expect(at(cloudWatch[0], "jsonData")).to.deep.equal({ authType: "default", defaultRegion: REGION });
      expect(JSON.stringify(cloudWatch[0])).to.not.match(/accessKey|secretKey|assumeRoleArn/);
    });

    it("provisions the alerting files, the contact point pointing at the in-cluster Alertmanager", () => {
      const files = at(grafana, "alerting");
      expect(Object.keys(files as object)).to.have.members(["rules.yaml", "contactpoints.yaml", "policies.yaml"]);
      expect(at(files, "rules.yaml")).to.deep.equal(args.grafana.alerting.rules);
      expect(at(files, "contactpoints.yaml", "contactPoints", 0, "receivers", 0, "settings", "url")).to.equal(alertmanagerUrl());
      expect(alertmanagerUrl()).to.equal("http://kps-alertmanager.monitoring.svc:9093");
      const rules = at(files, "rules.yaml", "groups", 0, "rules") as { uid: string }[];
      expect(rules.length).to.be.greaterThan(0);
    });

    it("holds nothing Helm's tpl would execute ({{) in its values, the alerting files included", () => {
      expect(pathsHolding(at(grafana, "alerting"), "{{")).to.deep.equal([]);
      expect(pathsHolding(grafana, "{{")).to.deep.equal([]);
    });

    it("marks cookies secure only when served over TLS from the internet", () => {
      expect(at(grafana, "grafana.ini", "security", "cookie_secure")).to.equal(false);
      const exposed = chartValues(chartArgs({ exposure: { kind: "internet-facing", sourceCidrs: ["198.51.100.0/24"], certificateArn: CERTIFICATE_ARN } }));
      expect(at(exposed, "grafana", "grafana.ini", "security", "cookie_secure")).to.equal(true);
      expect(at(exposed, "grafana", "service", "port")).to.equal(443);
    });

    it("refuses an unsafe exposure through chartValues too", () => {
      expect(() => chartValues(chartArgs({ exposure: { kind: "internet-facing", sourceCidrs: ["0.0.0.0/0"], certificateArn: CERTIFICATE_ARN } }))).to.throw(
        /monitoring\.grafanaAccessCidrs/,
      );
    });
  });

  describe("serialization", () => {
    it("survives a JSON round trip unchanged (no undefined, functions or class instances)", () => {
      expect(JSON.parse(JSON.stringify(values))).to.deep.equal(values);
    });

    it("survives YAML stringify and parse unchanged", () => {
      const text = YAML.stringify(values);
      expect(YAML.parse(text)).to.deep.equal(values);
    });
  });

  describe("grafanaService", () => {
    it("internal: an internal NLB on port 80, reachable from the VPC only", () => {
      expect(grafanaService({ kind: "internal", vpcCidrBlock: VPC_CIDR })).to.deep.equal({
        type: "LoadBalancer",
        port: 80,
        targetPort: 3000,
        annotations: { [`${LB}-type`]: "nlb", [`${LB}-internal`]: "true" },
        loadBalancerSourceRanges: [VPC_CIDR],
      });
    });

    it("internet-facing: a TLS NLB on 443 with the certificate, reachable from the listed networks only", () => {
      const cidrs = ["198.51.100.0/24", "203.0.113.7/32"];
      expect(grafanaService({ kind: "internet-facing", sourceCidrs: cidrs, certificateArn: CERTIFICATE_ARN })).to.deep.equal({
        type: "LoadBalancer",
        port: 443,
        targetPort: 3000,
        annotations: {
          [`${LB}-type`]: "nlb",
          [`${LB}-internal`]: "false",
          [`${LB}-ssl-cert`]: CERTIFICATE_ARN,
          [`${LB}-ssl-ports`]: "443",
        },
        loadBalancerSourceRanges: cidrs,
      });
    });

    it("is what chartValues puts under grafana.service", () => {
      expect(at(values, "grafana", "service")).to.deep.equal(grafanaService({ kind: "internal", vpcCidrBlock: VPC_CIDR }));
    });

    for (const sourceCidrs of [[], ["0.0.0.0/0"], ["198.51.100.0/24", "0.0.0.0/0"], ["10.0.0.0/0"], ["0.0.0.0/00"]]) {
      it(`refuses an internet-facing load balancer for ${JSON.stringify(sourceCidrs)}, naming the config key`, () => {
        expect(() => grafanaService({ kind: "internet-facing", sourceCidrs, certificateArn: CERTIFICATE_ARN })).to.throw(
          Error,
          /monitoring\.grafanaAccessCidrs/,
        );
      });
    }
  });
});
