// Tests for monitoring/alertRules.ts: the Prometheus alerting rules on the app tier, the PromQL
// metric-name extractor the catalogue checks rely on, and Grafana's alerting provisioning files for
// the CloudWatch DR signals (rules, contact point, policy), including what Helm's tpl and Grafana's
// env expansion would do to them.
import { expect } from "chai";
import YAML from "yaml";
import {
  ALERT_NAMES,
  ALERT_RUNBOOK_ANCHORS,
  alertRunbookAnchor,
  APP_ERROR_RATIO_THRESHOLD,
  APP_LATENCY_P99_THRESHOLD_SECONDS,
  type GrafanaAlertProvisioning,
  grafanaAlertProvisioning,
  type GrafanaAlertProvisioningArgs,
  type GrafanaAlertRule,
  grafanaRuleUid,
  NO_DATA_STATE_BY_SIGNAL,
  type PrometheusAlertRule,
  prometheusAlertRules,
  promQlMetricNames,
  provisioningStringProblems,
  seriesIsScoped,
} from "../../monitoring/alertRules";
import { metricQueryProblem } from "../../monitoring/cloudWatchMetrics";
import { appPanels, type CloudWatchSeries, type DrPanel, drPanels, type DrSignalScope, ROUTE53_METRICS_REGION } from "../../monitoring/drSignals";
import { cloudWatchQueryModel, GRAFANA_UID_MAX_LENGTH } from "../../monitoring/grafanaDashboard";
import { SCRAPE_JOBS } from "../../monitoring/scrapeConfigs";
import {
  auroraGlobalScope,
  backupRestoreScope,
  fullScope,
  GLOBAL_TABLE_NAME,
  knownPrometheusSeries,
  PRIMARY_REGION,
  primaryAuroraGlobalScope,
  primaryScope,
  SECONDARY_CLUSTER,
  STANDBY_REGION,
} from "../fixtures/drSignalScopes";

const CLOUDWATCH_UID = "cloudwatch-ds";
const ALERTMANAGER_URL = "http://kps-alertmanager.monitoring.svc:9093";

function provisioningArgs(panels: DrPanel[], overrides: Partial<GrafanaAlertProvisioningArgs> = {}): GrafanaAlertProvisioningArgs {
  return { panels, cloudWatchDatasourceUid: CLOUDWATCH_UID, alertmanagerUrl: ALERTMANAGER_URL, folder: "Disaster recovery", ...overrides };
}

function provisioningOf(scope: DrSignalScope): GrafanaAlertProvisioning {
  return grafanaAlertProvisioning(provisioningArgs(drPanels(scope)));
}

function rulesOf(provisioning: GrafanaAlertProvisioning): GrafanaAlertRule[] {
  return provisioning.rules.groups.flatMap((group) => group.rules);
}

function prometheusRules(): PrometheusAlertRule[] {
  return prometheusAlertRules().groups.flatMap((group) => group.rules);
}

function ruleNamed(name: string): PrometheusAlertRule {
  const found = prometheusRules().find((rule) => rule.alert === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
}

function panelNamed(panels: DrPanel[], id: string): DrPanel {
  const found = panels.find((panel) => panel.id === id);
  if (!found) throw new Error(`no panel ${id}`);
  return found;
}

/** A thresholded panel with one CloudWatch series, for error tests. */
function thresholdedPanel(id: string): DrPanel {
  const series: CloudWatchSeries = {
    kind: "cloudwatch",
    region: "eu-west-1",
    namespace: "AWS/ApplicationELB",
    metricName: "RequestCount",
    dimensions: { LoadBalancer: "app/x/1" },
    statistic: "Sum",
    periodSeconds: 60,
    label: "requests",
  };
  return { id, title: `Panel ${id}`, description: "a test panel", unit: "short", series: [series], threshold: { value: 10, breachWhen: "above" } };
}

describe("monitoring/alertRules", () => {
  describe("promQlMetricNames", () => {
    const cases: [string, string[]][] = [
      ['up{job="app"} == 0', ["up"]],
      ["sum by (le, region) (rate(app_x_bucket[5m]))", ["app_x_bucket"]],
      ["sum(rate(a_total[5m])) by (region)", ["a_total"]],
      ['1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', ["node_cpu_seconds_total"]],
      ["a / on(instance) group_left(role) b", ["a", "b"]],
      ["clamp_min(x, 1e-9) + 0x1F + Inf + NaN", ["x"]],
      ['label_replace(up, "dst", "$1", "src", "(.*)")', ["up"]],
      ['count_values("sum", up) or vector(1)', ["up"]],
      ["topk(3, sum without (instance) (rate(x[5m:1m] offset 1h)))", ["x"]],
      ["rate(x[5m] @ start())", ["x"]],
      ['max_over_time(foo{le="+Inf", path=~"/(a|b)"}[1h]) - ignoring(le) bar', ["foo", "bar"]],
      ['{__name__="by_name", job="x"}', ["by_name"]],
      ["a unless b and c or d > bool 1", ["a", "b", "c", "d"]],
      ["x # a comment naming y\n + z", ["x", "z"]],
      ["sum(x) + sum(x)", ["x"]],
    ];
    for (const [expr, names] of cases) {
      it(`reads ${JSON.stringify(names)} from ${JSON.stringify(expr)}`, () => {
        expect(promQlMetricNames(expr)).to.deep.equal(names);
      });
    }
  });

  describe("prometheusAlertRules", () => {
    it("is one group, disaster-recovery-app, with the seven alerts in ALERT_NAMES, each once", () => {
      const groups = prometheusAlertRules().groups;
      expect(groups.map((group) => group.name)).to.deep.equal(["disaster-recovery-app"]);
      const names = prometheusRules().map((rule) => rule.alert);
      expect(names).to.deep.equal([...ALERT_NAMES]);
      expect(new Set(names).size).to.equal(names.length);
      expect(names).to.have.length(7);
    });

    it("alerts on an absent app job only where instances are expected (issue 24: up == 0 cannot fire without a target)", () => {
      const missing = prometheusRules().find((rule) => rule.alert === "AppScrapeTargetsMissing")!;
      expect(missing.expr).to.equal('absent(up{job="app"})');
      const pilotLight = prometheusAlertRules({ appInstancesExpected: false }).groups[0].rules.map((rule) => rule.alert);
      expect(pilotLight).to.not.include("AppScrapeTargetsMissing");
      expect(pilotLight).to.have.length(6);
    });

    it("leaves the health checks out of the error ratio (issue 24: they answer 200 and diluted it)", () => {
      const ratio = prometheusRules().find((rule) => rule.alert === "AppHighErrorRatio")!;
      expect(ratio.expr).to.equal(
        'sum by (region) (rate(app_http_request_errors_total{path!="/health"}[5m])) / sum by (region) (rate(app_http_requests_total{path!="/health"}[5m])) > 0.05',
      );
    });

    it("adds an absolute runbook_url under a docs base URL, and refuses a relative base", () => {
      const rules = prometheusAlertRules({ runbookBaseUrl: "https://github.com/acme/dr/blob/main/" }).groups[0].rules;
      for (const rule of rules)
        expect(rule.annotations.runbook_url).to.equal(`https://github.com/acme/dr/blob/main/docs/monitoring.md#alert-${rule.alert.toLowerCase()}`);
      expect(prometheusRules().every((rule) => rule.annotations.runbook_url === undefined)).to.equal(true);
      expect(() => prometheusAlertRules({ runbookBaseUrl: "docs" })).to.throw(/not an absolute URL/);
      expect(() => prometheusAlertRules({ runbookBaseUrl: "ftp://example.com/docs" })).to.throw(/must be http or https/);
    });

    it("gives every rule a Prometheus duration, a severity, a summary, a description and a runbook", () => {
      const expected: Record<string, [string, string]> = {
        AppScrapeTargetDown: ["2m", "critical"],
        AppScrapeTargetsMissing: ["5m", "critical"],
        NodeExporterDown: ["5m", "warning"],
        AppHighErrorRatio: ["5m", "critical"],
        AppHighLatency: ["10m", "warning"],
        AppDatabaseUnreachable: ["2m", "critical"],
        AppInstanceFilesystemAlmostFull: ["15m", "warning"],
      };
      for (const rule of prometheusRules()) {
        expect(rule.for, rule.alert).to.match(/^[1-9][0-9]*[smh]$/);
        expect([rule.for, rule.labels.severity], rule.alert).to.deep.equal(expected[rule.alert]);
        expect(rule.annotations.summary, rule.alert).to.have.length.above(10);
        expect(rule.annotations.description, rule.alert).to.have.length.above(20);
        expect(rule.annotations.runbook).to.equal(ALERT_RUNBOOK_ANCHORS[rule.alert]);
      }
    });

    it("links each alert to a lowercase anchor of docs/monitoring.md", () => {
      expect(Object.keys(ALERT_RUNBOOK_ANCHORS)).to.deep.equal([...ALERT_NAMES]);
      for (const name of ALERT_NAMES)
        expect(ALERT_RUNBOOK_ANCHORS[name])
          .to.equal(`docs/monitoring.md#alert-${name.toLowerCase()}`)
          .and.match(/^docs\/monitoring\.md#alert-[a-z]+$/);
      expect(alertRunbookAnchor("AppScrapeTargetDown")).to.equal("docs/monitoring.md#alert-appscrapetargetdown");
    });

    it("reads only the app exporter's series, up, and the node exporter's filesystem series", () => {
      const allowed = knownPrometheusSeries();
      for (const rule of prometheusRules()) {
        const names = promQlMetricNames(rule.expr);
        expect(names, rule.alert).to.have.length.above(0);
        expect(allowed, rule.expr).to.include.members(names);
      }
      expect(promQlMetricNames(ruleNamed("AppHighErrorRatio").expr)).to.deep.equal(["app_http_request_errors_total", "app_http_requests_total"]);
      expect(promQlMetricNames(ruleNamed("AppHighLatency").expr)).to.deep.equal(["app_http_request_duration_seconds_bucket"]);
    });

    it("watches the scrape jobs the scrape configs define", () => {
      expect(ruleNamed("AppScrapeTargetDown").expr).to.equal('up{job="app"} == 0');
      expect(ruleNamed("NodeExporterDown").expr).to.equal('up{job="node"} == 0');
      for (const job of ["app", "node"]) expect(Object.keys(SCRAPE_JOBS)).to.include(job);
    });

    it("alerts at the app panels' lines", () => {
      const panels = appPanels();
      expect(panelNamed(panels, "app-error-ratio").threshold).to.deep.equal({ value: APP_ERROR_RATIO_THRESHOLD, breachWhen: "above" });
      expect(ruleNamed("AppHighErrorRatio").expr).to.match(/ > 0\.05$/);
      expect(ruleNamed("AppHighErrorRatio").expr).to.include("sum by (region)");
      expect(panelNamed(panels, "app-latency").threshold).to.deep.equal({ value: APP_LATENCY_P99_THRESHOLD_SECONDS, breachWhen: "above" });
      expect(ruleNamed("AppHighLatency").expr).to.match(/^histogram_quantile\(0\.99, sum by \(le, region\) .* > 1$/);
      expect(panelNamed(panels, "app-database-reachable").threshold).to.deep.equal({ value: 1, breachWhen: "below" });
      expect(ruleNamed("AppDatabaseUnreachable").expr).to.equal("max by (instance, region, role) (app_database_reachable) == 0");
    });

    it("leaves memory and container filesystems out of the disk alert, and watches the app instances' node exporter only", () => {
      const expr = ruleNamed("AppInstanceFilesystemAlmostFull").expr;
      expect(expr).to.equal(
        'node_filesystem_avail_bytes{job="node",fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{job="node",fstype!~"tmpfs|overlay"} < 0.1',
      );
    });

    it("holds no template or variable syntax that Helm tpl or env expansion would rewrite", () => {
      expect(provisioningStringProblems(prometheusAlertRules())).to.deep.equal([]);
    });
  });

  describe("provisioningStringProblems", () => {
    it("finds {{ and $ in nested strings and keys, and nothing in clean values", () => {
      expect(provisioningStringProblems({ a: [{ b: "ok", c: "{{ .Values.x }}" }], "${KEY}": 1, d: "cost $HOME", e: 5, f: null })).to.deep.equal([
        '$root.a[0].c: "{{ .Values.x }}"',
        '$root: key "${KEY}"',
        '$root.d: "cost $HOME"',
      ]);
      expect(provisioningStringProblems({ a: ["{ single }", "}} closing only"], n: 1 })).to.deep.equal([]);
    });
  });

  describe("grafanaAlertProvisioning", () => {
    it("has one rule per CloudWatch series of each thresholded DR panel", () => {
      const rules = rulesOf(provisioningOf(fullScope()));
      expect(rules.map((rule) => rule.labels.signal)).to.deep.equal(["replica-lag", "s3-replication-latency", "primary-health-check"]);
      const thresholded = drPanels(fullScope()).filter((panel) => panel.threshold);
      expect(rules).to.have.length(thresholded.flatMap((panel) => panel.series).length);
    });

    it("is one rule group in the folder, evaluated every minute, in org 1", () => {
      const { rules } = provisioningOf(fullScope());
      expect(rules.apiVersion).to.equal(1);
      expect(rules.groups).to.have.length(1);
      expect(rules.groups[0]).to.include({ orgId: 1, name: "disaster-recovery", folder: "Disaster recovery", interval: "1m" });
    });

    it("gives each rule a unique uid of at most 40 letters, digits, - and _, derived from the panel and series", () => {
      for (const scope of [fullScope(), primaryScope(), backupRestoreScope(), auroraGlobalScope(), primaryAuroraGlobalScope()]) {
        const rules = rulesOf(provisioningOf(scope));
        const uids = rules.map((rule) => rule.uid);
        expect(new Set(uids).size).to.equal(uids.length);
        for (const uid of uids) {
          expect(uid.length).to.be.at.most(GRAFANA_UID_MAX_LENGTH);
          expect(uid).to.match(/^[a-zA-Z0-9\-_]+$/);
        }
        expect(new Set(rules.map((rule) => rule.title)).size, "titles").to.equal(rules.length);
      }
      expect(rulesOf(provisioningOf(fullScope())).map((rule) => rule.uid)).to.deep.equal([
        "dr-replica-lag-0",
        "dr-s3-replication-latency-0",
        "dr-primary-health-check-0",
      ]);
      expect(grafanaRuleUid("replica-lag", 2)).to.equal("dr-replica-lag-2");
    });

    it("chains query A, reduce B and threshold C, and the condition is C", () => {
      for (const rule of rulesOf(provisioningOf(fullScope()))) {
        const refIds = rule.data.map((query) => query.refId);
        expect(refIds).to.deep.equal(["A", "B", "C"]);
        expect(refIds, rule.uid).to.include(rule.condition);
        expect(rule.condition).to.equal("C");
        for (const query of rule.data) {
          expect(query.model.refId, `${rule.uid} ${query.refId}`).to.equal(query.refId);
          if (query.datasourceUid === "__expr__") expect(refIds).to.include(query.model.expression);
        }
        expect(rule.data[1].model).to.include({ type: "reduce", expression: "A" });
        expect(rule.data[1].model.settings).to.deep.equal({ mode: "dropNN" });
        expect(rule.data[2].model).to.include({ type: "threshold", expression: "B" });
      }
    });

    it("queries CloudWatch with the dashboard's query model, over the last 10 minutes", () => {
      const scope = primaryScope();
      const series = drPanels(scope)
        .filter((panel) => panel.threshold)
        .flatMap((panel) => panel.series as CloudWatchSeries[])
        .filter(seriesIsScoped);
      rulesOf(provisioningOf(scope)).forEach((rule, index) => {
        const query = rule.data[0];
        expect(query.datasourceUid).to.equal(CLOUDWATCH_UID);
        expect(query.relativeTimeRange).to.deep.equal({ from: 600, to: 0 });
        expect(query.model).to.deep.equal({ ...cloudWatchQueryModel(series[index], "A", CLOUDWATCH_UID), intervalMs: 60000, maxDataPoints: 43200 });
        const model = query.model as { namespace: string; metricName: string; dimensions: Record<string, string>; matchExact: boolean };
        expect(
          metricQueryProblem({
            namespace: model.namespace,
            metricName: model.metricName,
            dimensionNames: Object.keys(model.dimensions),
            exact: model.matchExact,
          }),
        ).to.equal(undefined);
      });
      // Issue 24: the primary stack does not know the DR replica (the DR stack's); a wildcard rule
      // would watch every replica in the region, so it has none. The DR stack alerts on it.
      const signals = rulesOf(provisioningOf(scope)).map((rule) => rule.labels.signal);
      expect(signals).to.not.include("replica-lag");
      const noHealthCheck = rulesOf(provisioningOf({ ...scope, healthCheckId: undefined })).map((rule) => rule.labels.signal);
      expect(noHealthCheck).to.not.include("primary-health-check");
      expect(rulesOf(provisioningOf(scope)).every((rule) => rule.data[0].model.matchExact === true)).to.equal(true);
      const health = rulesOf(provisioningOf(fullScope())).find((rule) => rule.labels.signal === "primary-health-check")!;
      expect(health.data[0].model).to.include({ region: ROUTE53_METRICS_REGION, matchExact: true });
    });

    it("fires above the scope's RPO and object RPO, and below 1 for the health check", () => {
      const scope = fullScope();
      const bySignal = (signal: string) => rulesOf(provisioningOf(scope)).find((rule) => rule.labels.signal === signal)!;
      const check = (signal: string) => {
        const rule = bySignal(signal);
        const [condition] = rule.data[2].model.conditions as { evaluator: { type: string; params: number[] } }[];
        return [rule.data[1].model.reducer, condition.evaluator.type, condition.evaluator.params];
      };
      expect(check("replica-lag")).to.deep.equal(["max", "gt", [scope.rpoSeconds]]);
      expect(check("s3-replication-latency")).to.deep.equal(["max", "gt", [scope.objectRpoSeconds]]);
      expect(check("primary-health-check")).to.deep.equal(["min", "lt", [1]]);
      const other = rulesOf(provisioningOf({ ...scope, rpoSeconds: 300, objectRpoSeconds: 1200 }));
      expect(other.map((rule) => (rule.data[2].model.conditions as { evaluator: { params: number[] } }[])[0].evaluator.params[0])).to.deep.equal([
        300, 1200, 1,
      ]);
    });

    it("decides per signal what no data means, waits 2 minutes, and reports query errors as errors", () => {
      const rules = rulesOf(provisioningOf(fullScope()));
      expect(Object.fromEntries(rules.map((rule) => [rule.labels.signal, rule.noDataState]))).to.deep.equal({
        "replica-lag": "NoData",
        "s3-replication-latency": "OK",
        "primary-health-check": "Alerting",
      });
      expect(NO_DATA_STATE_BY_SIGNAL["primary-health-check"]).to.equal("Alerting");
      for (const rule of rules) expect(rule).to.include({ for: "2m", execErrState: "Error" });
      const unlisted = rulesOf(grafanaAlertProvisioning(provisioningArgs([thresholdedPanel("other-signal")])));
      expect(unlisted[0].noDataState).to.equal("NoData");
    });

    it("labels each rule critical with its signal and describes it with the panel's description", () => {
      const panels = drPanels(fullScope());
      for (const rule of rulesOf(provisioningOf(fullScope()))) {
        const panel = panelNamed(panels, rule.labels.signal);
        expect(rule.labels).to.deep.equal({ severity: "critical", signal: panel.id });
        expect(rule.annotations.description).to.equal(panel.description);
        expect(rule.annotations.summary).to.include(panel.title);
        expect(rule.title).to.include(panel.title);
      }
      const lag = rulesOf(provisioningOf(fullScope()))[0];
      expect(lag.annotations.summary).to.equal("Replica lag (DR database): replica us-west-2 above 45 s");
    });

    it("has no replica-lag rule for a backup-restore strategy", () => {
      const signals = rulesOf(provisioningOf(backupRestoreScope())).map((rule) => rule.labels.signal);
      expect(signals).to.deep.equal(["s3-replication-latency", "primary-health-check"]);
    });

    it("alerts on the Aurora secondary cluster's lag and the global table's latency above the RPO in milliseconds", () => {
      const scope = auroraGlobalScope();
      const rules = rulesOf(provisioningOf(scope));
      expect(rules.map((rule) => rule.uid)).to.deep.equal([
        "dr-replica-lag-0",
        "dr-dynamodb-replication-latency-0",
        "dr-s3-replication-latency-0",
        "dr-primary-health-check-0",
      ]);
      const bySignal = (signal: string) => rules.find((rule) => rule.labels.signal === signal)!;
      const evaluator = (rule: GrafanaAlertRule) => (rule.data[2].model.conditions as { evaluator: { type: string; params: number[] } }[])[0].evaluator;
      const lag = bySignal("replica-lag");
      expect(lag.data[0].model).to.include({
        namespace: "AWS/RDS",
        metricName: "AuroraGlobalDBReplicationLag",
        region: STANDBY_REGION,
        matchExact: true,
        intervalMs: 60000,
      });
      expect(lag.data[0].model.dimensions).to.deep.equal({ DBClusterIdentifier: SECONDARY_CLUSTER });
      expect(evaluator(lag)).to.deep.equal({ type: "gt", params: [scope.rpoSeconds * 1000] });
      expect(lag.noDataState).to.equal("NoData");
      expect(lag.annotations.summary).to.equal(`Replica lag (DR Aurora secondary cluster): replica ${STANDBY_REGION} above 45000 ms`);
      const table = bySignal("dynamodb-replication-latency");
      expect(table.data[0].model).to.include({
        namespace: "AWS/DynamoDB",
        metricName: "ReplicationLatency",
        region: PRIMARY_REGION,
        matchExact: true,
        period: "300",
        intervalMs: 300000,
      });
      expect(table.data[0].model.dimensions).to.deep.equal({ TableName: GLOBAL_TABLE_NAME, ReceivingRegion: STANDBY_REGION });
      expect(evaluator(table)).to.deep.equal({ type: "gt", params: [45000] });
      // No writes, nothing to replicate: no data is fine, as for S3.
      expect(table.noDataState).to.equal("OK");
      expect(NO_DATA_STATE_BY_SIGNAL["dynamodb-replication-latency"]).to.equal("OK");
      for (const rule of rules) {
        const model = rule.data[0].model as { namespace: string; metricName: string; dimensions: Record<string, string>; matchExact: boolean };
        const problem = metricQueryProblem({
          namespace: model.namespace,
          metricName: model.metricName,
          dimensionNames: Object.keys(model.dimensions),
          exact: model.matchExact,
        });
        expect(problem, rule.uid).to.equal(undefined);
      }
    });

    it("leaves an unknown secondary cluster to the DR stack (no wildcard rule in the primary stack), and keeps the instance rule unchanged", () => {
      expect(rulesOf(provisioningOf(primaryAuroraGlobalScope())).find((rule) => rule.labels.signal === "replica-lag")).to.equal(undefined);
      expect(STANDBY_REGION).to.be.a("string");
      const instance = rulesOf(provisioningOf(fullScope())).find((rule) => rule.labels.signal === "replica-lag")!;
      expect(instance.data[0].model).to.include({ metricName: "ReplicaLag", matchExact: true });
      expect((instance.data[2].model.conditions as { evaluator: { params: number[] } }[])[0].evaluator.params).to.deep.equal([45]);
    });

    it("sends every alert to the region's Alertmanager", () => {
      const { contactPoints, policies } = provisioningOf(fullScope());
      expect(contactPoints).to.deep.equal({
        apiVersion: 1,
        contactPoints: [
          {
            orgId: 1,
            name: "alertmanager",
            receivers: [{ uid: "dr-alertmanager", type: "prometheus-alertmanager", settings: { url: ALERTMANAGER_URL }, disableResolveMessage: false }],
          },
        ],
      });
      expect(policies).to.deep.equal({
        apiVersion: 1,
        policies: [
          { orgId: 1, receiver: "alertmanager", group_by: ["grafana_folder", "alertname"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
        ],
      });
      expect(policies.policies[0].receiver).to.equal(contactPoints.contactPoints[0].name);
    });

    it("holds no {{ or $ anywhere, and survives JSON and YAML round trips", () => {
      for (const scope of [fullScope(), primaryScope(), backupRestoreScope(), auroraGlobalScope(), primaryAuroraGlobalScope()]) {
        const provisioning = provisioningOf(scope);
        expect(provisioningStringProblems(provisioning)).to.deep.equal([]);
        expect(JSON.stringify(provisioning)).not.to.match(/\{\{|\$/);
        expect(JSON.parse(JSON.stringify(provisioning))).to.deep.equal(provisioning);
        for (const file of [provisioning.rules, provisioning.contactPoints, provisioning.policies])
          expect(YAML.parse(YAML.stringify(file))).to.deep.equal(file);
      }
    });
  });

  describe("grafanaAlertProvisioning errors", () => {
    it("refuses a thresholded panel with no CloudWatch series (the app panels alert through Prometheus)", () => {
      expect(() => grafanaAlertProvisioning(provisioningArgs([...drPanels(fullScope()), ...appPanels()]))).to.throw(
        Error,
        /panel "app-error-ratio" has a threshold but no CloudWatch series/,
      );
    });

    it("refuses a thresholded panel that mixes CloudWatch and Prometheus series", () => {
      const mixed: DrPanel = { ...thresholdedPanel("mixed"), series: [...thresholdedPanel("mixed").series, ...appPanels()[0].series] };
      expect(() => grafanaAlertProvisioning(provisioningArgs([mixed]))).to.throw(Error, /"mixed" mixes CloudWatch and Prometheus/);
    });

    it("refuses a panel id that makes a rule uid longer than 40 characters", () => {
      expect(() => grafanaAlertProvisioning(provisioningArgs([thresholdedPanel("p".repeat(35))]))).not.to.throw();
      expect(() => grafanaAlertProvisioning(provisioningArgs([thresholdedPanel("p".repeat(36))]))).to.throw(
        RangeError,
        /41 characters; Grafana allows at most 40/,
      );
      expect(() => grafanaAlertProvisioning(provisioningArgs([thresholdedPanel("with space")]))).to.throw(RangeError, /letters, digits/);
    });

    it("refuses strings that Helm tpl or Grafana's env expansion would rewrite", () => {
      const withDescription = (description: string) => ({ ...thresholdedPanel("p"), description });
      expect(() => grafanaAlertProvisioning(provisioningArgs([withDescription("see {{ .Values.x }}")]))).to.throw(Error, /rewritten.*\{\{ \.Values\.x \}\}/);
      expect(() => grafanaAlertProvisioning(provisioningArgs([withDescription("costs ${PRICE}")]))).to.throw(Error, /annotations\.description/);
      expect(() => grafanaAlertProvisioning(provisioningArgs([thresholdedPanel("p")], { folder: "DR $HOME" }))).to.throw(Error, /folder/);
    });

    it("refuses an empty folder or data source uid", () => {
      expect(() => grafanaAlertProvisioning(provisioningArgs(drPanels(fullScope()), { folder: " " }))).to.throw(Error, /folder is empty/);
      expect(() => grafanaAlertProvisioning(provisioningArgs(drPanels(fullScope()), { cloudWatchDatasourceUid: "" }))).to.throw(
        Error,
        /cloudWatchDatasourceUid is empty/,
      );
    });

    it("refuses an Alertmanager URL that is not an http(s) base URL", () => {
      const withUrl = (alertmanagerUrl: string) => () => grafanaAlertProvisioning(provisioningArgs(drPanels(fullScope()), { alertmanagerUrl }));
      expect(withUrl("https://alertmanager.example.com/prefix/")).not.to.throw();
      expect(withUrl("kps-alertmanager:9093")).to.throw(Error, /must be http or https/);
      expect(withUrl("not a url")).to.throw(Error, /is not a URL/);
      expect(withUrl(`${ALERTMANAGER_URL}/api/v2/alerts`)).to.throw(Error, /already ends with \/api\/v2\/alerts/);
      expect(withUrl(`${ALERTMANAGER_URL},http://other:9093`)).to.throw(Error, /comma/);
    });
  });
});
