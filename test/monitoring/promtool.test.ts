/**
 * The rendered alerting, checked with the real tools (issue 24): Debian's `promtool` (prometheus
 * package, Prometheus 2.42) and `amtool` (prometheus-alertmanager, Alertmanager 0.25); .ci/run and
 * the checks workflow install both with apt-get.
 *
 * - The rules the program deploys: ours (`prometheusAlertRules`) and the chart's default rules that
 *   stay on with our values, rendered from the chart's own templates (test/monitoring/chartRules.ts),
 *   pass `promtool check rules`, and none refers to a job EKS does not expose.
 * - `promtool test rules` replays series of a healthy pair, a lost primary app tier seen by a
 *   surviving Prometheus, one region's monitoring lost (the other's Watchdog keeps its heartbeat),
 *   a database blip and a database outage, a real error burst under heavy health-check traffic,
 *   an app exporter and another instance's node exporter down, a latency tail (p99 over 1 s, p50
 *   and p95 well under), and a root filesystem with ample free but little available space (ext4's
 *   reserved blocks) next to a full tmpfs; each alert fires or stays silent as docs/monitoring.md's
 *   alert table says, and every alert has at least one firing and one silent expectation.
 * - Mutations: each of a list of plausible wrong edits of one rule (p50 for p99, free for available
 *   bytes, a dropped job matcher or path filter, a shorter `for`, ...) makes `promtool test rules`
 *   fail on that alert, so no rule can be changed meaningfully without a scenario noticing. All
 *   mutations share one `check rules` and one `test rules` run, each read file by file.
 * - `amtool check-config` on the rendered Alertmanager configuration, and `amtool config routes
 *   test`: Watchdog reaches the heartbeat receiver, every other alert the paging topic.
 *
 * Prometheus v3 (the chart's v3.14) and 2.42 differ in ways that matter here only for regex `.`
 * (v3 matches newlines) and range selectors (v3 left-open): our rules use neither in a way the
 * difference changes; the scenarios evaluate well inside every window.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import YAML from "yaml";
import { ALERT_NAMES, type AlertName, prometheusAlertRules } from "../../monitoring/alertRules";
import { APP_LATENCY_BUCKETS_SECONDS } from "../../monitoring/appMetrics";
import { alertmanagerConfig, chartValues, type ChartValuesArgs } from "../../monitoring/chartValues";
import { appScrapeConfigs } from "../../monitoring/scrapeConfigs";
import { promtoolPerFile, type PromtoolVerdict, toolPath } from "../fixtures/promtool";
import { renderChartDefaultRules } from "./chartRules";

const REGION = "us-east-1";
const TOPIC = `arn:aws:sns:${REGION}:123456789012:multi-region-dr-primary-monitoring-alerts`;
const HEARTBEAT = { topicArn: "arn:aws:sns:us-west-2:123456789012:multi-region-dr-primary-monitoring-heartbeat", region: "us-west-2" };
/** Jobs of control-plane components EKS runs out of reach (kube-scheduler, kube-controller-manager, etcd) or binds to localhost (kube-proxy). */
const EKS_HIDDEN_JOBS = /job="(kube-scheduler|kube-controller-manager|kube-etcd|kube-proxy)"|\betcd_/;

/** A rendered rule as a mutation edits it. */
interface RenderedRule {
  alert: string;
  expr: string;
  for: string;
}

/**
 * Plausible wrong edits of our rules, one at a time; the scenarios must catch each (mutation testing
 * by hand found the p50, the free-bytes and the untested NodeExporterDown slipping through).
 */
const MUTATIONS: { alert: AlertName; what: string; apply: (rule: RenderedRule) => void }[] = [
  { alert: "AppScrapeTargetDown", what: "no job matcher (node exporters count)", apply: (rule) => void (rule.expr = rule.expr.replace('{job="app"}', "")) },
  { alert: "AppScrapeTargetDown", what: "a comparison that never holds", apply: (rule) => void (rule.expr = rule.expr.replace("== 0", "< 0")) },
  { alert: "AppScrapeTargetsMissing", what: "absent on the node job", apply: (rule) => void (rule.expr = rule.expr.replace('job="app"', 'job="node"')) },
  { alert: "NodeExporterDown", what: "no job matcher (app exporters count)", apply: (rule) => void (rule.expr = rule.expr.replace('{job="node"}', "")) },
  { alert: "NodeExporterDown", what: "for 2m instead of 5m", apply: (rule) => void (rule.for = "2m") },
  { alert: "AppHighErrorRatio", what: "health checks counted", apply: (rule) => void (rule.expr = rule.expr.replaceAll('{path!="/health"}', "")) },
  {
    alert: "AppHighLatency",
    what: "p50 instead of p99",
    apply: (rule) => void (rule.expr = rule.expr.replace("histogram_quantile(0.99,", "histogram_quantile(0.5,")),
  },
  { alert: "AppHighLatency", what: "threshold 2 s instead of 1 s", apply: (rule) => void (rule.expr = rule.expr.replace(/> 1$/, "> 2")) },
  {
    alert: "AppHighLatency",
    what: "per instance instead of per region",
    apply: (rule) => void (rule.expr = rule.expr.replace("by (le, region)", "by (le, instance, region)")),
  },
  { alert: "AppHighLatency", what: "for 5m instead of 10m", apply: (rule) => void (rule.for = "5m") },
  { alert: "AppHighLatency", what: "health checks counted", apply: (rule) => void (rule.expr = rule.expr.replaceAll('{path!="/health"}', "")) },
  { alert: "AppDatabaseUnreachable", what: "no for (a blip pages)", apply: (rule) => void (rule.for = "0s") },
  {
    alert: "AppInstanceFilesystemAlmostFull",
    what: "free bytes (reserved blocks included) instead of available bytes",
    apply: (rule) => void (rule.expr = rule.expr.replaceAll("node_filesystem_avail_bytes", "node_filesystem_free_bytes")),
  },
  {
    alert: "AppInstanceFilesystemAlmostFull",
    what: "tmpfs and overlay counted",
    apply: (rule) => void (rule.expr = rule.expr.replaceAll(',fstype!~"tmpfs|overlay"', "")),
  },
  { alert: "AppInstanceFilesystemAlmostFull", what: "for 5m instead of 15m", apply: (rule) => void (rule.for = "5m") },
];

const GIB = 1024 ** 3;

/**
 * Cumulative `app_http_request_duration_seconds_bucket` counters of one instance's `/` requests, one
 * series per bucket of the app's exporter (and `+Inf`), from the requests served each minute at
 * given latencies: `[[0.08, 90], [1.5, 2]]` is 90 requests a minute at 80 ms and 2 at 1.5 s.
 */
function latencyBuckets(labels: (extra: string) => string, perMinute: [seconds: number, requests: number][], path = "/"): { series: string; values: string }[] {
  return [...APP_LATENCY_BUCKETS_SECONDS, Infinity].map((bound) => {
    const within = perMinute.filter(([seconds]) => seconds <= bound).reduce((sum, [, requests]) => sum + requests, 0);
    const le = bound === Infinity ? "+Inf" : String(bound);
    return { series: `app_http_request_duration_seconds_bucket${labels(`,path="${path}",le="${le}"`)}`, values: `0+${within}x40` };
  });
}

/** Node exporter filesystem series of one mount: size, free (reserved blocks included) and available to unprivileged users, bytes. */
function filesystem(
  labels: (extra: string) => string,
  mount: { device: string; mountpoint: string; fstype: string },
  bytes: { size: number; free: number; avail: number },
): { series: string; values: string }[] {
  const extra = `,device="${mount.device}",mountpoint="${mount.mountpoint}",fstype="${mount.fstype}"`;
  return (["size", "free", "avail"] as const).map((kind) => ({
    series: `node_filesystem_${kind}_bytes${labels(extra)}`,
    values: `${Math.round(bytes[kind])}x40`,
  }));
}

function args(): ChartValuesArgs {
  return {
    region: REGION,
    role: "primary",
    scrapeConfigs: appScrapeConfigs({ region: REGION, role: "primary", autoScalingGroupName: "multi-region-dr-primary-app" }),
    storageClassName: "gp3-encrypted",
    prometheus: { retentionDays: 15, storageGib: 50 },
    grafana: {
      adminSecretName: "grafana-admin",
      exposure: { kind: "internal", vpcCidrBlock: "10.0.0.0/16" },
      alerting: { rules: {}, contactPoints: {}, policies: {} },
    },
    prometheusRules: prometheusAlertRules(),
    alertTopicArn: TOPIC,
    heartbeat: HEARTBEAT,
  };
}

function run(command: string, argv: string[], cwd: string): { status: number | null; output: string; stdout: string } {
  const result = spawnSync(toolPath(command), argv, { cwd, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

/** Every expression of a set of rendered rule files. */
function expressions(files: { groups: { rules: Record<string, unknown>[] }[] }[]): string[] {
  return files.flatMap((file) => file.groups.flatMap((group) => group.rules.map((rule) => String(rule.expr))));
}

describe("monitoring/rendered rules with promtool and amtool", function () {
  this.timeout(60000);
  let dir: string;
  const values = chartValues(args());
  const chartRules = renderChartDefaultRules(values);
  const ourRules = values.additionalPrometheusRulesMap as Record<string, { groups: unknown[] }>;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "promtool-"));
    for (const file of chartRules) writeFileSync(path.join(dir, `chart-${file.template}`), YAML.stringify({ groups: file.groups }));
    writeFileSync(path.join(dir, "ours.yaml"), YAML.stringify(ourRules["disaster-recovery"]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("renders the chart's default rules that stay on, without the groups of what EKS hides", () => {
    const templates = chartRules.map((file) => file.template);
    expect(templates).to.include.members(["general.rules.yaml", "alertmanager.rules.yaml", "prometheus.yaml", "node-exporter.yaml", "kubernetes-apps.yaml"]);
    expect(templates).to.not.include.members([
      "etcd.yaml",
      "kubernetes-system-scheduler.yaml",
      "kubernetes-system-controller-manager.yaml",
      "kubernetes-system-kube-proxy.yaml",
    ]);
  });

  it("deploys no rule on a job EKS does not expose; the chart's defaults (today's values before issue 24) had them", () => {
    const offending = expressions(chartRules).filter((expr) => EKS_HIDDEN_JOBS.test(expr));
    expect(offending).to.deep.equal([]);
    const defaults = expressions(renderChartDefaultRules({ fullnameOverride: "kps" })).filter((expr) => EKS_HIDDEN_JOBS.test(expr));
    expect(defaults).to.include('absent(up{job="kube-scheduler"})');
    expect(defaults).to.include('absent(up{job="kube-controller-manager"})');
    expect(defaults.some((expr) => expr.includes('up{job="kube-proxy"}'))).to.equal(true);
  });

  it("passes promtool check rules: ours with every lint, the chart's with its own upstream duplicate recording rule allowed", () => {
    const ours = run("promtool", ["check", "rules", "ours.yaml"], dir);
    expect(ours.status, ours.output).to.equal(0);
    const chart = chartRules.map((file) => `chart-${file.template}`);
    const checked = run("promtool", ["check", "rules", "--lint=none", ...chart], dir);
    expect(checked.status, checked.output).to.equal(0);
    // With lint, only kube-apiserver-availability's upstream duplicate (code_verb:apiserver_request_total:increase1h) is reported.
    const linted = run("promtool", ["check", "rules", ...chart.filter((file) => !file.includes("kube-apiserver-availability"))], dir);
    expect(linted.status, linted.output).to.equal(0);
  });

  it("fails promtool check rules on a broken expression (the check is real)", () => {
    writeFileSync(path.join(dir, "broken.yaml"), YAML.stringify({ groups: [{ name: "broken", rules: [{ alert: "Broken", expr: "sum by (region (up)" }] }] }));
    expect(run("promtool", ["check", "rules", "broken.yaml"], dir).status).to.not.equal(0);
  });

  it("fires or stays silent as the alert table says in each scenario (promtool test rules)", () => {
    writeFileSync(path.join(dir, "scenarios.yaml"), YAML.stringify(scenarios("ours.yaml")));
    const result = run("promtool", ["test", "rules", "scenarios.yaml"], dir);
    expect(result.status, result.output).to.equal(0);
  });

  it("covers every alert rule we deploy with a firing and a silent expectation", () => {
    const expectations = scenarios("ours.yaml").tests.flatMap((test) => test.alert_rule_test);
    for (const alert of ALERT_NAMES) {
      const ofAlert = expectations.filter((one) => one.alertname === alert);
      expect(
        ofAlert.some((one) => one.exp_alerts.length > 0),
        `${alert} fires in no scenario`,
      ).to.equal(true);
      expect(
        ofAlert.some((one) => one.exp_alerts.length === 0),
        `${alert} is silent in no scenario`,
      ).to.equal(true);
    }
  });

  // Each mutation is a plausible wrong edit of one rule; the scenarios must notice it (promtool
  // test rules fails naming the alert), so a scenario that passes whatever the rule says is caught.
  describe("mutations", () => {
    /** Per mutation: the rule before and after the edit, and promtool's verdicts on its files. */
    const outcomes: { before: Partial<RenderedRule>; after: Partial<RenderedRule>; checked?: PromtoolVerdict; tested?: PromtoolVerdict; file: string }[] = [];
    let checkRun = "";
    let testRun = "";

    // All mutations in two promtool runs (check rules, then test rules, each over every mutated
    // file), each file's verdict read from its own section of the output (test/fixtures/promtool.ts),
    // so a mutation the scenarios miss fails exactly its own test. A mutated file replays only the
    // scenarios that expect something of the mutated alert: promtool compares, in each scenario,
    // only the alerts it names (cmd/promtool/unittest.go: `alertsInTest`), so the scenarios that do
    // not name the alert pass or fail alike whatever its rule says, and "fails naming the alert"
    // holds for all of them exactly when it holds for these (a third of the scenario runs).
    before(() => {
      for (const [index, mutation] of MUTATIONS.entries()) {
        const rendered = structuredClone(ourRules["disaster-recovery"]) as { groups: { rules: RenderedRule[] }[] };
        const rule = rendered.groups[0].rules.find((one) => one.alert === mutation.alert)!;
        const before = { expr: rule.expr, for: rule.for };
        mutation.apply(rule);
        const file = `mutated-${mutation.alert}-${index}.yaml`;
        writeFileSync(path.join(dir, file), YAML.stringify(rendered));
        const all = scenarios(file);
        const concerned = { ...all, tests: all.tests.filter((test) => test.alert_rule_test.some((one) => one.alertname === mutation.alert)) };
        writeFileSync(path.join(dir, `scenarios-${file}`), YAML.stringify(concerned));
        outcomes.push({ before, after: { expr: rule.expr, for: rule.for }, file });
      }
      const files = outcomes.map((outcome) => outcome.file);
      const checked = promtoolPerFile(["check", "rules"], files, dir);
      const tested = promtoolPerFile(
        ["test", "rules"],
        files.map((file) => `scenarios-${file}`),
        dir,
      );
      checkRun = checked.output;
      testRun = tested.output;
      for (const outcome of outcomes) {
        outcome.checked = checked.verdicts.get(outcome.file);
        outcome.tested = tested.verdicts.get(`scenarios-${outcome.file}`);
      }
    });

    for (const [index, mutation] of MUTATIONS.entries()) {
      it(`fails promtool test rules when ${mutation.alert} is mutated: ${mutation.what}`, () => {
        const { before, after, checked, tested } = outcomes[index];
        expect(after, "the mutation no longer applies to the rule").to.not.deep.equal(before);
        expect(checked, `promtool check rules did not reach the mutated file:\n${checkRun}`).to.not.equal(undefined);
        expect(checked!.passed, `the mutated rules must stay valid:\n${checked!.output}`).to.equal(true);
        expect(tested, `promtool test rules did not reach the mutated file's scenarios:\n${testRun}`).to.not.equal(undefined);
        expect(tested!.passed, `the scenarios did not catch the mutation:\n${tested!.output}`).to.equal(false);
        expect(tested!.output).to.include(`alertname: ${mutation.alert}, time:`);
      });
    }
  });

  /** The `promtool test rules` file: our rules from `ruleFile` with the chart's general rules (Watchdog). */
  function scenarios(ruleFile: string) {
    const app = (instance: string, extra = "") => `{job="app",instance="${instance}",region="us-east-1",role="primary"${extra}}`;
    const node = (instance: string, extra = "") => `{job="node",instance="${instance}",region="us-east-1",role="primary"${extra}}`;
    const rootFs = { device: "/dev/nvme0n1p1", mountpoint: "/", fstype: "ext4" };
    return {
      rule_files: [ruleFile, "chart-general.rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          name: "healthy pair: nothing pages, Watchdog feeds the heartbeat",
          interval: "1m",
          input_series: [
            { series: `up${app("i-1")}`, values: "1x30" },
            { series: `up${app("i-2")}`, values: "1x30" },
            { series: `app_database_reachable${app("i-1")}`, values: "1x30" },
            { series: `app_database_reachable${app("i-2")}`, values: "1x30" },
            { series: `app_http_requests_total${app("i-1", ',path="/",code="200",method="GET"')}`, values: "0+60x30" },
            { series: `app_http_requests_total${app("i-1", ',path="/health",code="200",method="GET"')}`, values: "0+600x30" },
            { series: `app_http_request_errors_total${app("i-1", ',path="/"')}`, values: "0+0x30" },
            { series: `up${node("i-1")}`, values: "1x30" },
            { series: `up${node("i-2")}`, values: "1x30" },
            ...latencyBuckets(
              (extra) => app("i-1", extra),
              [
                [0.08, 95],
                [0.4, 5],
              ],
            ),
            ...filesystem((extra) => node("i-1", extra), rootFs, { size: 20 * GIB, free: 11 * GIB, avail: 10 * GIB }),
          ],
          alert_rule_test: [
            // Every alert we deploy stays silent on a healthy pair.
            ...ALERT_NAMES.map((alertname) => ({
              eval_time: "20m",
              alertname,
              exp_alerts: [],
            })),
            { eval_time: "20m", alertname: "Watchdog", exp_alerts: [{ exp_labels: { severity: "none" }, exp_annotations: watchdogAnnotations() }] },
          ],
        },
        {
          name: "primary app tier lost, its Prometheus alive: discovery finds no instance, up == 0 cannot fire, the absent rule does",
          interval: "1m",
          input_series: [
            { series: `up${app("i-1")}`, values: "1x5 _x25" },
            { series: `up${app("i-2")}`, values: "1x5 _x25" },
          ],
          alert_rule_test: [
            { eval_time: "20m", alertname: "AppScrapeTargetDown", exp_alerts: [] },
            {
              eval_time: "20m",
              alertname: "AppScrapeTargetsMissing",
              exp_alerts: [{ exp_labels: { severity: "critical", job: "app" }, exp_annotations: annotationsOf("AppScrapeTargetsMissing") }],
            },
          ],
        },
        {
          name: "the other region's monitoring lost: this region's Watchdog keeps firing, so its own heartbeat continues and nothing here pages",
          interval: "1m",
          input_series: [{ series: `up${app("i-1")}`, values: "1x30" }],
          alert_rule_test: [
            { eval_time: "30m", alertname: "Watchdog", exp_alerts: [{ exp_labels: { severity: "none" }, exp_annotations: watchdogAnnotations() }] },
            { eval_time: "30m", alertname: "AppScrapeTargetsMissing", exp_alerts: [] },
          ],
        },
        {
          name: "database blip of one minute stays silent; an outage of five pages",
          interval: "1m",
          input_series: [
            { series: `app_database_reachable${app("i-1")}`, values: "1x5 0 1x10 0x6 1x5" },
            { series: `up${app("i-1")}`, values: "1x30" },
          ],
          alert_rule_test: [
            // Pending, not firing, during the blip itself (t = 6m) and silent after it.
            { eval_time: "6m", alertname: "AppDatabaseUnreachable", exp_alerts: [] },
            { eval_time: "7m", alertname: "AppDatabaseUnreachable", exp_alerts: [] },
            {
              eval_time: "21m",
              alertname: "AppDatabaseUnreachable",
              exp_alerts: [
                {
                  exp_labels: { severity: "critical", instance: "i-1", region: "us-east-1", role: "primary" },
                  exp_annotations: annotationsOf("AppDatabaseUnreachable"),
                },
              ],
            },
          ],
        },
        {
          name: "10% of served requests fail under ten times as many health checks: the error ratio pages",
          interval: "1m",
          input_series: [
            { series: `app_http_requests_total${app("i-1", ',path="/",code="200",method="GET"')}`, values: "0+54x30" },
            { series: `app_http_requests_total${app("i-1", ',path="/",code="503",method="GET"')}`, values: "0+6x30" },
            { series: `app_http_requests_total${app("i-1", ',path="/health",code="200",method="GET"')}`, values: "0+600x30" },
            { series: `app_http_request_errors_total${app("i-1", ',path="/"')}`, values: "0+6x30" },
          ],
          alert_rule_test: [
            {
              eval_time: "20m",
              alertname: "AppHighErrorRatio",
              exp_alerts: [{ exp_labels: { severity: "critical", region: "us-east-1" }, exp_annotations: annotationsOf("AppHighErrorRatio") }],
            },
          ],
        },
        {
          name: "one instance's app exporter down, the other instance's node exporter down: each alert names only its own target, after its own for",
          interval: "1m",
          input_series: [
            { series: `up${app("i-1")}`, values: "1x30" },
            { series: `up${app("i-2")}`, values: "1x5 0x25" },
            { series: `up${node("i-1")}`, values: "1x5 0x25" },
            { series: `up${node("i-2")}`, values: "1x30" },
          ],
          alert_rule_test: [
            { eval_time: "5m", alertname: "AppScrapeTargetDown", exp_alerts: [] },
            { eval_time: "5m", alertname: "NodeExporterDown", exp_alerts: [] },
            // Both down since 6m: the app exporter's alert fires after 2 minutes, the node exporter's not before 5.
            {
              eval_time: "9m",
              alertname: "AppScrapeTargetDown",
              exp_alerts: [{ exp_labels: { severity: "critical", ...targetLabels("app", "i-2") }, exp_annotations: annotationsOf("AppScrapeTargetDown") }],
            },
            { eval_time: "9m", alertname: "NodeExporterDown", exp_alerts: [] },
            {
              eval_time: "15m",
              alertname: "NodeExporterDown",
              exp_alerts: [{ exp_labels: { severity: "warning", ...targetLabels("node", "i-1") }, exp_annotations: annotationsOf("NodeExporterDown") }],
            },
            {
              eval_time: "15m",
              alertname: "AppScrapeTargetDown",
              exp_alerts: [{ exp_labels: { severity: "critical", ...targetLabels("app", "i-2") }, exp_annotations: annotationsOf("AppScrapeTargetDown") }],
            },
          ],
        },
        {
          name: "2% of requests take 1.5 s: p99 is over 1 s (the alert fires after 10 minutes) while p50 and p95 stay under 0.2 s",
          interval: "1m",
          input_series: ["i-1", "i-2"].flatMap((instance) =>
            latencyBuckets(
              (extra) => app(instance, extra),
              [
                [0.08, 90],
                [0.2, 8],
                [1.5, 2],
              ],
            ),
          ),
          alert_rule_test: [
            { eval_time: "9m", alertname: "AppHighLatency", exp_alerts: [] },
            {
              eval_time: "20m",
              alertname: "AppHighLatency",
              exp_alerts: [{ exp_labels: { severity: "warning", region: "us-east-1" }, exp_annotations: annotationsOf("AppHighLatency") }],
            },
          ],
        },
        {
          // Counted with the health checks, the slow requests would be 5 of 705 a minute (under 1%) and p99 fast.
          name: "5% of real requests take 1.5 s while 600 health checks a minute answer in 4 ms: the health checks do not hide it",
          interval: "1m",
          input_series: [
            ...latencyBuckets(
              (extra) => app("i-1", extra),
              [
                [0.08, 95],
                [1.5, 5],
              ],
            ),
            ...latencyBuckets((extra) => app("i-1", extra), [[0.004, 600]], "/health"),
          ],
          alert_rule_test: [
            {
              eval_time: "20m",
              alertname: "AppHighLatency",
              exp_alerts: [{ exp_labels: { severity: "warning", region: "us-east-1" }, exp_annotations: annotationsOf("AppHighLatency") }],
            },
          ],
        },
        {
          name: "root filesystem with 12% free but 7% available (ext4's reserved blocks are not available to the app) pages after 15 minutes; a full tmpfs does not",
          interval: "1m",
          input_series: [
            ...filesystem((extra) => node("i-1", extra), rootFs, { size: 20 * GIB, free: 0.12 * 20 * GIB, avail: 0.07 * 20 * GIB }),
            ...filesystem(
              (extra) => node("i-1", extra),
              { device: "tmpfs", mountpoint: "/run", fstype: "tmpfs" },
              { size: GIB, free: 0.01 * GIB, avail: 0.01 * GIB },
            ),
            ...filesystem((extra) => node("i-2", extra), rootFs, { size: 20 * GIB, free: 9 * GIB, avail: 8 * GIB }),
          ],
          alert_rule_test: [
            { eval_time: "10m", alertname: "AppInstanceFilesystemAlmostFull", exp_alerts: [] },
            {
              eval_time: "20m",
              alertname: "AppInstanceFilesystemAlmostFull",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", ...targetLabels("node", "i-1"), ...rootFs },
                  exp_annotations: annotationsOf("AppInstanceFilesystemAlmostFull"),
                },
              ],
            },
          ],
        },
      ],
    };
  }

  it("passes amtool check-config and routes Watchdog to the heartbeat, everything else to the paging topic", () => {
    writeFileSync(path.join(dir, "alertmanager.yaml"), YAML.stringify((values.alertmanager as { config: unknown }).config));
    const checked = run("amtool", ["check-config", "alertmanager.yaml"], dir);
    expect(checked.status, checked.output).to.equal(0);
    const route = (labels: string[]) => run("amtool", ["config", "routes", "test", "--config.file=alertmanager.yaml", ...labels], dir).stdout.trim();
    expect(route(["alertname=Watchdog", "severity=none"])).to.equal("heartbeat");
    expect(route(["alertname=InfoInhibitor"])).to.equal("null");
    expect(route(["alertname=AppHighErrorRatio", "severity=critical"])).to.equal("sns");
    expect(route(["alertname=KubePodCrashLooping", "severity=warning"])).to.equal("sns");
    // Without a heartbeat topic Watchdog is dropped (no region watches this one; docs say so).
    writeFileSync(path.join(dir, "alone.yaml"), YAML.stringify(alertmanagerConfig({ region: REGION, role: "primary", alertTopicArn: TOPIC })));
    expect(run("amtool", ["check-config", "alone.yaml"], dir).status).to.equal(0);
    expect(run("amtool", ["config", "routes", "test", "--config.file=alone.yaml", "alertname=Watchdog"], dir).stdout.trim()).to.equal("null");
  });

  it("fails amtool check-config on a route to a receiver that does not exist (the check is real)", () => {
    const broken = {
      ...(alertmanagerConfig({ region: REGION, role: "primary", alertTopicArn: TOPIC }) as Record<string, unknown>),
      receivers: [{ name: "null" }],
    };
    writeFileSync(path.join(dir, "broken-am.yaml"), YAML.stringify(broken));
    expect(run("amtool", ["check-config", "broken-am.yaml"], dir).status).to.not.equal(0);
  });

  /** The labels our scrape configs give a target's series (`appScrapeConfigs`, without the availability zone). */
  function targetLabels(job: "app" | "node", instance: string): Record<string, string> {
    return { job, instance, region: REGION, role: "primary" };
  }

  function annotationsOf(alert: string): Record<string, string> {
    const rule = prometheusAlertRules().groups[0].rules.find((one) => one.alert === alert)!;
    return { ...rule.annotations };
  }

  function watchdogAnnotations(): Record<string, string> {
    const general = chartRules.find((file) => file.template === "general.rules.yaml")!;
    const watchdog = general.groups[0].rules.find((rule) => rule.alert === "Watchdog")!;
    return watchdog.annotations as Record<string, string>;
  }
});
