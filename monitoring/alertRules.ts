/**
 * The DR alert rules, in the two forms the monitoring clusters load them:
 * - Prometheus alerting rules on the app tier's own metrics (`prometheusAlertRules`), installed by
 *   the chart as a PrometheusRule (`chartValues.ts`, `additionalPrometheusRulesMap`). Format:
 *   Prometheus "Alerting rules" (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/):
 *   `groups[].rules[]` with `alert`, `expr`, `for`, `labels`, `annotations`.
 * - Grafana alert rules on the CloudWatch DR signals that have a threshold (`grafanaAlertProvisioning`),
 *   with the contact point and notification policy that hand them to the region's Alertmanager.
 *   Format: Grafana file provisioning (grafana `pkg/services/provisioning/alerting/rules_types.go`,
 *   `contact_point_types.go`, `notification_policy_types.go`; "Use configuration files to provision
 *   alerting resources", https://grafana.com/docs/grafana/latest/alerting/set-up/provision-alerting-resources/file-provisioning/).
 *
 * Two things rewrite provisioning strings before Grafana reads them, so none may hold their syntax:
 * the grafana Helm chart renders its `alerting` values through `tpl` (grafana/helm-charts
 * `charts/grafana/templates/configmap.yaml`), which would execute `{{ ... }}`; and Grafana passes
 * every provisioning string through `os.ExpandEnv` and its `$__env{}`/`$__file{}` expanders
 * (grafana `pkg/services/provisioning/values/values.go`), which would replace `$NAME` and `${NAME}`.
 * `grafanaAlertProvisioning` refuses any string with `{{` or `$`. The Prometheus rules carry no
 * templates either, so they survive the same treatment should they ever be routed that way.
 */
import { APP_METRICS_PORT } from "../config/conventions";
import { type CloudWatchSeries, type DrPanel } from "./drSignals";
import { cloudWatchQueryModel, type CloudWatchQueryModel, grafanaUidProblem } from "./grafanaDashboard";
import { SCRAPE_JOBS } from "./scrapeConfigs";

/** The Prometheus rule group's name. */
export const PROMETHEUS_RULE_GROUP = "disaster-recovery-app";

/** The Prometheus alerts, in rule order. docs/monitoring.md has a section per alert (`alertRunbookAnchor`). */
export const ALERT_NAMES = [
  "AppScrapeTargetDown",
  "AppScrapeTargetsMissing",
  "NodeExporterDown",
  "AppHighErrorRatio",
  "AppHighLatency",
  "AppDatabaseUnreachable",
  "AppInstanceFilesystemAlmostFull",
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

/** Share of 5xx responses per region above which AppHighErrorRatio fires (the app-error-ratio panel's line). */
export const APP_ERROR_RATIO_THRESHOLD = 0.05;
/** App p99 latency, seconds, above which AppHighLatency fires (the app-latency panel's line). */
export const APP_LATENCY_P99_THRESHOLD_SECONDS = 1;
/** Share of a filesystem still available below which AppInstanceFilesystemAlmostFull fires. */
export const FILESYSTEM_AVAILABLE_RATIO_THRESHOLD = 0.1;
/** Filesystem types that are memory or container layers, not the instance's disks. */
const VIRTUAL_FILESYSTEM_TYPES = "tmpfs|overlay";

/**
 * The docs anchor of an alert's runbook section: `docs/monitoring.md#alert-<lowercase name>`, the anchor
 * GitHub gives a heading `Alert: <Name>` (lowercased, spaces to hyphens, the colon dropped).
 */
export function alertRunbookAnchor(alertName: string): string {
  return `docs/monitoring.md#alert-${alertName.toLowerCase()}`;
}

/** Every alert's runbook anchor, for the docs check (test/monitoring/readme.test.ts). */
export const ALERT_RUNBOOK_ANCHORS: Readonly<Record<AlertName, string>> = Object.fromEntries(
  ALERT_NAMES.map((name) => [name, alertRunbookAnchor(name)]),
) as Record<AlertName, string>;

export type Severity = "critical" | "warning";

export interface PrometheusAlertRule {
  alert: AlertName;
  /** PromQL; the alert fires for each series it returns. */
  expr: string;
  /** How long the expression must hold before the alert fires, a Prometheus duration (`2m`). */
  for: string;
  labels: { severity: Severity };
  /**
   * `runbook_url` is the annotation the Prometheus community's rules and runbooks use for the link
   * an on-call engineer opens (kube-prometheus-stack templates/prometheus/rules-1.14/*.yaml,
   * `runbook_url: {{ .Values.defaultRules.runbookUrl }}/...`), absolute so it works from a page.
   * `runbook` keeps the repository-relative anchor (docs/monitoring.md#alert-...) for the docs test.
   */
  annotations: { summary: string; description: string; runbook: string; runbook_url?: string };
}

/** What the rules depend on in a region. */
export interface PrometheusAlertRuleOptions {
  /**
   * Whether the region's app tier is expected to run instances (its Auto Scaling group's minimum
   * is above 0). True adds AppScrapeTargetsMissing: `up{job="app"} == 0` cannot fire when EC2
   * discovery finds no instance at all, `absent(up{job="app"})` does. A pilot-light DR region
   * (minimum 0) runs none until a failover, so the rule would fire forever there. Default true.
   */
  appInstancesExpected?: boolean;
  /**
   * Absolute http(s) URL the docs are served under (e.g. the repository's
   * `https://github.com/<owner>/<repo>/blob/main`); each rule's `runbook_url` is
   * `<base>/docs/monitoring.md#alert-<name>`. Absent: no `runbook_url` (only `runbook`).
   */
  runbookBaseUrl?: string;
}

export interface PrometheusRuleGroups {
  groups: { name: string; rules: PrometheusAlertRule[] }[];
}

const APP_JOB: keyof typeof SCRAPE_JOBS = "app";
const NODE_JOB: keyof typeof SCRAPE_JOBS = "node";

/** The request path label the app gives its health checks, whatever `--health-path` is (app/server.py labels the configured path `/health`). */
export const HEALTH_CHECK_PATH_LABEL = "/health";

/**
 * The absolute runbook URL of an alert under a docs base URL.
 * @throws Error when the base is not an absolute http(s) URL.
 */
export function alertRunbookUrl(runbookBaseUrl: string, alertName: string): string {
  let url: URL;
  try {
    url = new URL(runbookBaseUrl);
  } catch {
    throw new Error(`runbook base URL "${runbookBaseUrl}" is not an absolute URL; pass e.g. https://github.com/<owner>/<repo>/blob/main`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`runbook base URL "${runbookBaseUrl}" must be http or https`);
  return `${runbookBaseUrl.replace(/\/+$/, "")}/${alertRunbookAnchor(alertName)}`;
}

/**
 * The Prometheus alerting rules on the app tier: scrape targets down, error ratio and latency over
 * the app panels' lines, the database unreachable from an instance, an instance disk almost full.
 * Every expression reads only the app exporter's series (`appMetrics.ts`), `up`, and the node
 * exporter's `node_filesystem_*`; the alert carries the series' `instance`, `region` and `role`
 * labels, so the annotations need no templates.
 */
export function prometheusAlertRules(options: PrometheusAlertRuleOptions = {}): PrometheusRuleGroups {
  const filesystem = `job="${NODE_JOB}",fstype!~"${VIRTUAL_FILESYSTEM_TYPES}"`;
  const served = `path!="${HEALTH_CHECK_PATH_LABEL}"`;
  const base = options.runbookBaseUrl;
  if (base !== undefined) alertRunbookUrl(base, "check");
  const rule = (alert: AlertName, expr: string, forDuration: string, severity: Severity, summary: string, description: string): PrometheusAlertRule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, description, runbook: alertRunbookAnchor(alert), ...(base !== undefined ? { runbook_url: alertRunbookUrl(base, alert) } : {}) },
  });
  const missing =
    options.appInstancesExpected === false
      ? []
      : [
          rule(
            "AppScrapeTargetsMissing",
            `absent(up{job="${APP_JOB}"})`,
            "5m",
            "critical",
            "Prometheus finds no app instance to scrape",
            "For 5 minutes EC2 discovery has listed no running instance of the region's Auto Scaling group although its minimum is above 0: the group has no instance, the discovery's permission or filter is broken, or the scrape job is gone. up == 0 cannot fire without a target; this does.",
          ),
        ];
  return {
    groups: [
      {
        name: PROMETHEUS_RULE_GROUP,
        rules: [
          rule(
            "AppScrapeTargetDown",
            `up{job="${APP_JOB}"} == 0`,
            "2m",
            "critical",
            "Prometheus cannot scrape an app instance",
            `EC2 discovery lists the instance but its exporter on port ${APP_METRICS_PORT} has not answered for 2 minutes: the app is down, the instance is failing, or a security group blocks the monitoring cluster.`,
          ),
          ...missing,
          rule(
            "NodeExporterDown",
            `up{job="${NODE_JOB}"} == 0`,
            "5m",
            "warning",
            "Prometheus cannot scrape an instance's node exporter",
            "The node exporter of an app instance has not answered for 5 minutes: its CPU and disk are no longer watched. Check the exporter's service on the instance.",
          ),
          rule(
            "AppHighErrorRatio",
            `sum by (region) (rate(app_http_request_errors_total{${served}}[5m])) / sum by (region) (rate(app_http_requests_total{${served}}[5m])) > ${APP_ERROR_RATIO_THRESHOLD}`,
            "5m",
            "critical",
            `More than ${APP_ERROR_RATIO_THRESHOLD * 100}% of a region's requests fail`,
            `For 5 minutes over ${APP_ERROR_RATIO_THRESHOLD * 100}% of the requests the app served in the region (health checks excluded: they answer 200 while the process runs) were 5xx. Check the database path (AppDatabaseUnreachable) and the app's log.`,
          ),
          rule(
            "AppHighLatency",
            // Without the health checks, as the error ratio: they are frequent and fast, and would hide slow real requests.
            `histogram_quantile(0.99, sum by (le, region) (rate(app_http_request_duration_seconds_bucket{${served}}[5m]))) > ${APP_LATENCY_P99_THRESHOLD_SECONDS}`,
            "10m",
            "warning",
            `App p99 latency above ${APP_LATENCY_P99_THRESHOLD_SECONDS} s in a region`,
            `For 10 minutes the 99th percentile of the app's request time in the region was over ${APP_LATENCY_P99_THRESHOLD_SECONDS} s. Check the instances' CPU and the database.`,
          ),
          rule(
            "AppDatabaseUnreachable",
            "max by (instance, region, role) (app_database_reachable) == 0",
            "2m",
            "critical",
            "An app instance cannot reach the database",
            "For 2 minutes the instance's database check failed through the stable database name; its health check still answers 200 (status degraded) so that a blip moves no traffic, so this alert is what says the database is down. After a failover it means the name was not repointed to the promoted database.",
          ),
          rule(
            "AppInstanceFilesystemAlmostFull",
            `node_filesystem_avail_bytes{${filesystem}} / node_filesystem_size_bytes{${filesystem}} < ${FILESYSTEM_AVAILABLE_RATIO_THRESHOLD}`,
            "15m",
            "warning",
            `An app instance has less than ${FILESYSTEM_AVAILABLE_RATIO_THRESHOLD * 100}% of a filesystem free`,
            `For 15 minutes a disk filesystem of the instance had under ${FILESYSTEM_AVAILABLE_RATIO_THRESHOLD * 100}% free. Free space or replace the instance before the app fails writing.`,
          ),
        ],
      },
    ],
  };
}

/** PromQL words that are not metric names: grouping and set operators, modifiers, literals. */
const PROMQL_KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "atan2",
  "inf",
  "nan",
]);
/** Keywords followed by a parenthesised list of label names. */
const PROMQL_LABEL_LISTS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

/**
 * The metric names a PromQL expression selects, in order of first appearance. An identifier is a
 * metric name unless it calls a function (`rate(`), is followed by `by`/`without` (an aggregation:
 * `sum by (...)`), is a keyword, or sits in a label list (`by (le, region)`), a label matcher
 * (`{job="app"}`), a string, or a range (`[5m]`). `{__name__="x"}` selects `x`. Not a full parser:
 * enough for the panels' and rules' expressions, and tested on each construct.
 */
export function promQlMetricNames(expr: string): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  const skipString = (start: number): number => {
    const quote = expr[start];
    let index = start + 1;
    while (index < expr.length && expr[index] !== quote) index += quote !== "`" && expr[index] === "\\" ? 2 : 1;
    return index + 1;
  };
  /** Index just past the bracket that closes the one at `start`, skipping strings inside. */
  const skipGroup = (start: number, open: string, close: string): number => {
    let depth = 0;
    for (let index = start; index < expr.length;) {
      const character = expr[index];
      if (character === '"' || character === "'" || character === "`") {
        index = skipString(index);
        continue;
      }
      if (character === open) depth += 1;
      if (character === close) {
        depth -= 1;
        if (depth === 0) return index + 1;
      }
      index += 1;
    }
    return expr.length;
  };
  const identifier = /[A-Za-z_:][A-Za-z0-9_:]*/y;
  const nextWord = (from: number): { word: string; at: number } | undefined => {
    const at = from + (/^\s*/.exec(expr.slice(from))?.[0].length ?? 0);
    identifier.lastIndex = at;
    const match = identifier.exec(expr);
    return match ? { word: match[0], at } : undefined;
  };
  let index = 0;
  while (index < expr.length) {
    const character = expr[index];
    if (/\s/.test(character)) {
      index += 1;
    } else if (character === "#") {
      const end = expr.indexOf("\n", index);
      index = end === -1 ? expr.length : end;
    } else if (character === '"' || character === "'" || character === "`") {
      index = skipString(index);
    } else if (character === "{") {
      const end = skipGroup(index, "{", "}");
      const byName = /__name__\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(expr.slice(index, end));
      if (byName) add(byName[1]);
      index = end;
    } else if (character === "[") {
      index = skipGroup(index, "[", "]");
    } else if (/[0-9.]/.test(character)) {
      index += /^[0-9.][0-9A-Za-z_.]*/.exec(expr.slice(index))![0].length;
    } else if (/[A-Za-z_:]/.test(character)) {
      const word = nextWord(index)!.word;
      const after = index + word.length;
      const following = expr.slice(after).trimStart();
      const lower = word.toLowerCase();
      if (PROMQL_LABEL_LISTS.has(lower) && following.startsWith("(")) {
        index = skipGroup(after + (expr.slice(after).length - following.length), "(", ")");
      } else if (PROMQL_KEYWORDS.has(lower) || following.startsWith("(")) {
        index = after;
      } else {
        const next = nextWord(after);
        if (!(next && ["by", "without"].includes(next.word.toLowerCase()))) add(word);
        index = after;
      }
    } else {
      index += 1;
    }
  }
  return names;
}

/** Grafana's states for a rule whose query returns no data (`NoDataStateFromString` in grafana ngalert models). */
export type GrafanaNoDataState = "NoData" | "Alerting" | "OK" | "KeepLast";

/**
 * What a Grafana DR rule does when CloudWatch returns no data, per signal, matching the
 * CloudWatch alarms of the same signals (`components/recoveryAlarms.ts`, `treatMissingData`):
 * - `replica-lag` NoData (the alarm: "missing"): RDS publishes ReplicaLag (an instance replica) and
 *   Aurora AuroraGlobalDBReplicationLag (a global database's secondary cluster) every minute while
 *   the DR copy exists, so silence means it was deleted, promoted, detached or renamed: no longer a
 *   lag breach, but the DR database is gone, which must be seen. Grafana's NoData state notifies as a
 *   separate `DatasourceNoData` alert, so it is not mistaken for a lag over the RPO.
 * - `s3-replication-latency` OK (the alarm: "notBreaching"): S3 reports replication latency from
 *   the objects it replicates; a bucket nobody writes to has nothing to report, and that is fine.
 * - `dynamodb-replication-latency` OK (the alarm: "notBreaching"): DynamoDB reports ReplicationLatency
 *   from the writes it replicates; a table nobody writes to has nothing to report.
 * - `primary-health-check` Alerting (the alarm: "breaching"): Route 53 publishes the status every
 *   minute; no data means the health check was deleted or the id is wrong, so the automatic
 *   failover would never trigger: treated as unhealthy.
 * Any other thresholded panel gets Grafana's default, NoData.
 */
export const NO_DATA_STATE_BY_SIGNAL: Readonly<Record<string, GrafanaNoDataState>> = {
  "replica-lag": "NoData",
  "s3-replication-latency": "OK",
  "dynamodb-replication-latency": "OK",
  "primary-health-check": "Alerting",
};

/** Grafana's rule group, contact point and receiver names for the DR rules. */
export const GRAFANA_RULE_GROUP = "disaster-recovery";
export const GRAFANA_CONTACT_POINT = "alertmanager";
export const GRAFANA_RECEIVER_UID = "dr-alertmanager";
/** How far back each evaluation queries CloudWatch, seconds, and how often the group is evaluated. */
const QUERY_WINDOW_SECONDS = 600;
const EVALUATION_INTERVAL = "1m";
/** The path Grafana's Alertmanager integration appends to the base URL (grafana/alerting `receivers/alertmanager/v1/config_encoding.go`). */
const ALERTMANAGER_ALERTS_PATH = "/api/v2/alerts";

/** One query or expression of a Grafana rule (`QueryV1` in grafana `rules_types.go`). */
export interface GrafanaRuleQuery {
  refId: string;
  relativeTimeRange: { from: number; to: number };
  datasourceUid: string;
  model: Record<string, unknown>;
}

export interface GrafanaAlertRule {
  uid: string;
  title: string;
  /** The refId whose result decides the alert. */
  condition: string;
  data: GrafanaRuleQuery[];
  for: string;
  noDataState: GrafanaNoDataState;
  execErrState: "Error";
  annotations: { summary: string; description: string };
  labels: { severity: "critical"; signal: string };
}

export interface GrafanaAlertProvisioning {
  /** `rules.yaml`. */
  rules: { apiVersion: 1; groups: { orgId: 1; name: string; folder: string; interval: string; rules: GrafanaAlertRule[] }[] };
  /** `contactpoints.yaml`: the region's Alertmanager. */
  contactPoints: {
    apiVersion: 1;
    contactPoints: {
      orgId: 1;
      name: string;
      receivers: { uid: string; type: "prometheus-alertmanager"; settings: { url: string }; disableResolveMessage: false }[];
    }[];
  };
  /** `policies.yaml`: every alert to that contact point. */
  policies: {
    apiVersion: 1;
    policies: { orgId: 1; receiver: string; group_by: string[]; group_wait: string; group_interval: string; repeat_interval: string }[];
  };
}

export interface GrafanaAlertProvisioningArgs {
  /** `drPanels(scope)`: every panel with a threshold must draw CloudWatch series only (the app panels' thresholds are Prometheus rules). */
  panels: DrPanel[];
  cloudWatchDatasourceUid: string;
  /** Base URL of the region's Alertmanager, e.g. `http://kps-alertmanager.monitoring.svc:9093`; Grafana appends `/api/v2/alerts`. */
  alertmanagerUrl: string;
  /** Grafana folder the rules are stored in. */
  folder: string;
}

/** True when every dimension of a CloudWatch series names one resource (no wildcard left). */
export function seriesIsScoped(series: CloudWatchSeries): boolean {
  return Object.values(series.dimensions).every((value) => value !== undefined && value.trim() !== "");
}

/** A Grafana rule uid from the panel id and the series index: `dr-<panel id>-<index>`. */
export function grafanaRuleUid(panelId: string, seriesIndex: number): string {
  return `dr-${panelId}-${seriesIndex}`;
}

/** JSON paths of every string (or key) in a value that holds `{{` (Helm `tpl`) or `$` (Grafana's env expansion). */
export function provisioningStringProblems(value: unknown, path = "$root"): string[] {
  const unsafe = (text: string) => text.includes("{{") || text.includes("$");
  if (typeof value === "string") return unsafe(value) ? [`${path}: ${JSON.stringify(value)}`] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => provisioningStringProblems(item, `${path}[${index}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(unsafe(key) ? [`${path}: key ${JSON.stringify(key)}`] : []),
      ...provisioningStringProblems(item, `${path}.${key}`),
    ]);
  }
  return [];
}

function breachWords(threshold: NonNullable<DrPanel["threshold"]>, unit: DrPanel["unit"]): string {
  const value = unit === "s" || unit === "ms" ? `${threshold.value} ${unit}` : String(threshold.value);
  return `${threshold.breachWhen} ${value}`;
}

function alertRule(panel: DrPanel, series: CloudWatchSeries, seriesIndex: number, datasourceUid: string): GrafanaAlertRule {
  const threshold = panel.threshold!;
  const uid = grafanaRuleUid(panel.id, seriesIndex);
  const uidProblem = grafanaUidProblem(uid, `Grafana rule uid of panel "${panel.id}"`);
  if (uidProblem) throw new RangeError(`${uidProblem}; shorten the panel id`);
  const above = threshold.breachWhen === "above";
  const model: CloudWatchQueryModel & { intervalMs: number; maxDataPoints: number } = {
    ...cloudWatchQueryModel(series, "A", datasourceUid),
    intervalMs: series.periodSeconds * 1000,
    maxDataPoints: 43200,
  };
  const expression = { type: "__expr__", uid: "__expr__" };
  return {
    uid,
    title: `${panel.title}: ${series.label}`,
    condition: "C",
    data: [
      { refId: "A", relativeTimeRange: { from: QUERY_WINDOW_SECONDS, to: 0 }, datasourceUid, model: { ...model } },
      {
        refId: "B",
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: "__expr__",
        model: { refId: "B", datasource: expression, type: "reduce", expression: "A", reducer: above ? "max" : "min", settings: { mode: "dropNN" } },
      },
      {
        refId: "C",
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: "__expr__",
        model: {
          refId: "C",
          datasource: expression,
          type: "threshold",
          expression: "B",
          conditions: [{ evaluator: { type: above ? "gt" : "lt", params: [threshold.value] } }],
        },
      },
    ],
    for: "2m",
    noDataState: NO_DATA_STATE_BY_SIGNAL[panel.id] ?? "NoData",
    execErrState: "Error",
    annotations: { summary: `${panel.title}: ${series.label} ${breachWords(threshold, panel.unit)}`, description: panel.description },
    labels: { severity: "critical", signal: panel.id },
  };
}

/**
 * Grafana's alerting provisioning files for the DR signals: one rule per CloudWatch series of
 * every thresholded panel whose dimensions are all known (`seriesIsScoped`; a wildcard series stays
 * on the dashboard but pages nobody) (query A; B reduces it to its max, or min when below is the breach,
 * dropping gaps; C compares B with the panel's threshold), evaluated every minute over the last
 * 10 minutes and firing after 2; a contact point for the region's Alertmanager (grafana/alerting
 * `receivers/alertmanager`: type `prometheus-alertmanager`, settings `url`), and a root policy
 * sending everything there.
 * @throws Error when a thresholded panel has no CloudWatch series or also has Prometheus series, the
 * folder or data source uid is empty, the Alertmanager URL is not an http(s) base URL, or a string
 * would be rewritten by Helm `tpl` or Grafana's env expansion (`{{`, `$`).
 * @throws RangeError when a rule uid would exceed Grafana's 40 characters.
 */
export function grafanaAlertProvisioning(args: GrafanaAlertProvisioningArgs): GrafanaAlertProvisioning {
  if (args.folder.trim() === "") throw new Error("Grafana alert provisioning: folder is empty; Grafana refuses a rule group without one");
  if (args.cloudWatchDatasourceUid.trim() === "")
    throw new Error("Grafana alert provisioning: cloudWatchDatasourceUid is empty; pass the CloudWatch data source uid");
  if (args.alertmanagerUrl.includes(","))
    throw new Error(`Grafana alert provisioning: alertmanagerUrl "${args.alertmanagerUrl}" holds a comma; Grafana would read it as several URLs`);
  let url: URL;
  try {
    url = new URL(args.alertmanagerUrl);
  } catch {
    throw new Error(
      `Grafana alert provisioning: alertmanagerUrl "${args.alertmanagerUrl}" is not a URL; pass e.g. http://kps-alertmanager.monitoring.svc:9093`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`Grafana alert provisioning: alertmanagerUrl "${args.alertmanagerUrl}" must be http or https`);
  if (url.pathname.replace(/\/+$/, "").endsWith(ALERTMANAGER_ALERTS_PATH)) {
    throw new Error(
      `Grafana alert provisioning: alertmanagerUrl "${args.alertmanagerUrl}" already ends with ${ALERTMANAGER_ALERTS_PATH}; pass the base URL, Grafana appends the path`,
    );
  }
  const rules = args.panels
    .filter((panel) => panel.threshold !== undefined)
    .flatMap((panel) => {
      const series = panel.series.filter((one): one is CloudWatchSeries => one.kind === "cloudwatch");
      if (series.length === 0) {
        throw new Error(
          `Grafana alert provisioning: panel "${panel.id}" has a threshold but no CloudWatch series; alert on its Prometheus series in prometheusAlertRules() instead`,
        );
      }
      if (series.length !== panel.series.length) {
        throw new Error(
          `Grafana alert provisioning: panel "${panel.id}" mixes CloudWatch and Prometheus series; its Prometheus series would go unalerted, move them to prometheusAlertRules()`,
        );
      }
      // Scoped to the resource it names: a series with an unknown identifier would match every such
      // resource in the region (the primary stack's health-check rule watched every health check in
      // the account), so it gets no rule here; the stack that knows the identifier alerts on it.
      return series.flatMap((one, index) => (seriesIsScoped(one) ? [alertRule(panel, one, index, args.cloudWatchDatasourceUid)] : []));
    });
  const provisioning: GrafanaAlertProvisioning = {
    rules: { apiVersion: 1, groups: [{ orgId: 1, name: GRAFANA_RULE_GROUP, folder: args.folder, interval: EVALUATION_INTERVAL, rules }] },
    contactPoints: {
      apiVersion: 1,
      contactPoints: [
        {
          orgId: 1,
          name: GRAFANA_CONTACT_POINT,
          receivers: [{ uid: GRAFANA_RECEIVER_UID, type: "prometheus-alertmanager", settings: { url: args.alertmanagerUrl }, disableResolveMessage: false }],
        },
      ],
    },
    policies: {
      apiVersion: 1,
      policies: [
        {
          orgId: 1,
          receiver: GRAFANA_CONTACT_POINT,
          group_by: ["grafana_folder", "alertname"],
          group_wait: "30s",
          group_interval: "5m",
          repeat_interval: "4h",
        },
      ],
    },
  };
  const problems = provisioningStringProblems(provisioning, "provisioning");
  if (problems.length > 0) {
    throw new Error(
      `Grafana alert provisioning: these strings would be rewritten before Grafana reads them (Helm tpl runs "{{ }}", Grafana expands "$NAME"); remove the characters: ${problems.join("; ")}`,
    );
  }
  return provisioning;
}
