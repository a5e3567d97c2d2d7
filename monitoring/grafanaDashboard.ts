/**
 * The "Disaster recovery" panels (`drSignals.ts`) as a Grafana dashboard JSON model: one
 * `timeseries` panel per DrPanel, two per row, each querying CloudWatch, Prometheus or both.
 *
 * Formats followed:
 * - Dashboard JSON model: https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 *   (`schemaVersion`, `panels`, `gridPos` on a 24-column grid, `time`, `refresh`, `timezone`).
 * - Dashboard uid: at most 40 characters of `a-zA-Z0-9-_` (grafana `pkg/util/shortid_generator.go`,
 *   `MaxUIDLength = 40`, `ValidateUID`).
 * - CloudWatch query model: grafana `public/app/plugins/datasource/cloudwatch/dataquery.cue`
 *   (`#CloudWatchMetricsQuery`: `queryMode`, `metricQueryType` 0 = Search, `metricEditorMode` 0 =
 *   Builder, `region`, `namespace`, `metricName`, `statistic`, `dimensions`, `matchExact`, `period`
 *   as a string, `label`, `id`, `expression`).
 * - Prometheus query model: `expr`, `legendFormat`, `range` (grafana `public/app/plugins/datasource/prometheus`).
 * - Mixed-datasource panels: `{ type: "datasource", uid: "-- Mixed --" }` (Grafana "Mixed" data source).
 */
import { type CloudWatchSeries, type DrPanel, type PanelUnit, type PrometheusSeries, type Series, type Statistic } from "./drSignals";

/** Grafana's dashboard (and alert rule) uid limit: `MaxUIDLength` in grafana `pkg/util/shortid_generator.go`. */
export const GRAFANA_UID_MAX_LENGTH = 40;
/** Characters Grafana allows in a uid (`validUIDCharPattern` in grafana `pkg/util/shortid_generator.go`). */
export const GRAFANA_UID_PATTERN = /^[a-zA-Z0-9\-_]+$/;
/** Dashboard JSON schema version this model is written for. */
export const GRAFANA_SCHEMA_VERSION = 39;
/** The uid Grafana gives its built-in "Mixed" data source. */
export const MIXED_DATASOURCE_UID = "-- Mixed --";

/** Panel size on Grafana's 24-column grid: two panels per row. */
const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;
const GRID_COLUMNS = 24;

/** A reference to a data source, as panels and targets carry it. */
export interface DatasourceRef {
  type: "cloudwatch" | "prometheus" | "datasource";
  uid: string;
}

/** One CloudWatch metric query (builder mode, metric search), as the CloudWatch data source stores it. */
export interface CloudWatchQueryModel {
  refId: string;
  datasource: { type: "cloudwatch"; uid: string };
  queryMode: "Metrics";
  /** 0 = Search (a metric query built from namespace, name and dimensions), 1 = Metrics Insights. */
  metricQueryType: 0;
  /** 0 = Builder, 1 = Code. */
  metricEditorMode: 0;
  region: string;
  namespace: string;
  metricName: string;
  statistic: Statistic;
  /** Only the dimensions whose value is known; the others match any value (with `matchExact: false`). */
  dimensions: Record<string, string>;
  /** True when every dimension of the series is known: only metrics with exactly these dimensions match. */
  matchExact: boolean;
  /** Period, seconds, as a string (`"60"`). */
  period: string;
  label: string;
  id: "";
  expression: "";
}

/** One PromQL query of a panel. */
export interface PrometheusQueryModel {
  refId: string;
  datasource: { type: "prometheus"; uid: string };
  expr: string;
  legendFormat: string;
  range: true;
}

export type GrafanaTarget = CloudWatchQueryModel | PrometheusQueryModel;

/** A threshold step: `value: null` is the base step. */
export interface ThresholdStep {
  color: "green" | "red";
  value: number | null;
}

export interface GrafanaPanel {
  /** 1..n in dashboard order. */
  id: number;
  type: "timeseries";
  title: string;
  description: string;
  /** Position on the 24-column grid, in grid units. */
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: DatasourceRef;
  targets: GrafanaTarget[];
  fieldConfig: {
    defaults: {
      unit: PanelUnit;
      thresholds?: { mode: "absolute"; steps: ThresholdStep[] };
      custom?: { thresholdsStyle: { mode: "line" } };
    };
    overrides: never[];
  };
  options: { legend: { displayMode: "list"; placement: "bottom"; showLegend: true }; tooltip: { mode: "multi"; sort: "none" } };
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  tags: string[];
  schemaVersion: number;
  editable: false;
  time: { from: "now-6h"; to: "now" };
  refresh: "1m";
  timezone: "utc";
  panels: GrafanaPanel[];
}

export interface GrafanaDashboardArgs {
  /** Dashboard uid: 1..40 characters of `a-zA-Z0-9-_`. */
  uid: string;
  title: string;
  /** In order, top to bottom, two per row; at least one. Panel ids must be unique. */
  panels: DrPanel[];
  cloudWatchDatasourceUid: string;
  prometheusDatasourceUid: string;
  /** Dashboard tags; default none. */
  tags?: string[];
}

/**
 * Why a string is not a valid Grafana uid, or undefined when it is.
 * @param what names the uid in the message, e.g. `dashboard uid`.
 */
export function grafanaUidProblem(uid: string, what: string): string | undefined {
  if (uid.length === 0) return `${what} is empty`;
  if (uid.length > GRAFANA_UID_MAX_LENGTH) return `${what} "${uid}" is ${uid.length} characters; Grafana allows at most ${GRAFANA_UID_MAX_LENGTH}`;
  if (!GRAFANA_UID_PATTERN.test(uid)) return `${what} "${uid}" may only contain letters, digits, "-" and "_" (Grafana ValidateUID)`;
  return undefined;
}

/** Query ids `A`, `B`, ... `Z`, `AA`, `AB`, ...: index 0 is `A`. */
export function refIdOf(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`refIdOf: index must be a whole number >= 0, got ${index}`);
  let id = "";
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) id = String.fromCharCode(65 + ((rest - 1) % 26)) + id;
  return id;
}

/** The dimensions of a series whose value is known, in the series' order. */
export function knownDimensions(series: CloudWatchSeries): Record<string, string> {
  return Object.fromEntries(Object.entries(series.dimensions).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** True when every dimension of the series has a value: the query can match exactly. */
export function isExactSeries(series: CloudWatchSeries): boolean {
  return Object.values(series.dimensions).every((value) => value !== undefined);
}

/**
 * The Grafana CloudWatch query of one series: a builder-mode metric search. Dimensions without a
 * value are left out and `matchExact` is false, so the query matches every resource of that
 * metric in the region (Grafana's "Match exact" off). Shared by the dashboard targets and the
 * Grafana alert rules (`alertRules.ts`), so both query the same thing.
 */
export function cloudWatchQueryModel(series: CloudWatchSeries, refId: string, datasourceUid: string): CloudWatchQueryModel {
  return {
    refId,
    datasource: { type: "cloudwatch", uid: datasourceUid },
    queryMode: "Metrics",
    metricQueryType: 0,
    metricEditorMode: 0,
    region: series.region,
    namespace: series.namespace,
    metricName: series.metricName,
    statistic: series.statistic,
    dimensions: knownDimensions(series),
    matchExact: isExactSeries(series),
    period: String(series.periodSeconds),
    label: series.label,
    id: "",
    expression: "",
  };
}

/** The Grafana Prometheus query of one series, as a range query. */
export function prometheusQueryModel(series: PrometheusSeries, refId: string, datasourceUid: string): PrometheusQueryModel {
  return { refId, datasource: { type: "prometheus", uid: datasourceUid }, expr: series.expr, legendFormat: series.legend, range: true };
}

/**
 * Grafana's threshold steps for a panel threshold: green then red at the value when above is the
 * breach, red then green at the value when below is the breach.
 */
export function thresholdSteps(threshold: NonNullable<DrPanel["threshold"]>): ThresholdStep[] {
  return threshold.breachWhen === "above"
    ? [
        { color: "green", value: null },
        { color: "red", value: threshold.value },
      ]
    : [
        { color: "red", value: null },
        { color: "green", value: threshold.value },
      ];
}

function panelDatasource(series: Series[], uids: { cloudWatch: string; prometheus: string }): DatasourceRef {
  const kinds = new Set(series.map((one) => one.kind));
  if (kinds.size > 1) return { type: "datasource", uid: MIXED_DATASOURCE_UID };
  return kinds.has("cloudwatch") ? { type: "cloudwatch", uid: uids.cloudWatch } : { type: "prometheus", uid: uids.prometheus };
}

function grafanaPanel(panel: DrPanel, index: number, uids: { cloudWatch: string; prometheus: string }): GrafanaPanel {
  const perRow = GRID_COLUMNS / PANEL_WIDTH;
  const targets = panel.series.map((series, seriesIndex) =>
    series.kind === "cloudwatch"
      ? cloudWatchQueryModel(series, refIdOf(seriesIndex), uids.cloudWatch)
      : prometheusQueryModel(series, refIdOf(seriesIndex), uids.prometheus),
  );
  const defaults: GrafanaPanel["fieldConfig"]["defaults"] = { unit: panel.unit };
  if (panel.threshold) {
    defaults.thresholds = { mode: "absolute", steps: thresholdSteps(panel.threshold) };
    defaults.custom = { thresholdsStyle: { mode: "line" } };
  }
  return {
    id: index + 1,
    type: "timeseries",
    title: panel.title,
    description: panel.description,
    gridPos: { x: (index % perRow) * PANEL_WIDTH, y: Math.floor(index / perRow) * PANEL_HEIGHT, w: PANEL_WIDTH, h: PANEL_HEIGHT },
    datasource: panelDatasource(panel.series, uids),
    targets,
    fieldConfig: { defaults, overrides: [] },
    options: { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi", sort: "none" } },
  };
}

/**
 * The Grafana dashboard JSON model of the DR panels: read-only (`editable: false`, it is
 * provisioned), the last 6 hours in UTC, refreshed every minute.
 * @throws RangeError for a uid that is empty, longer than 40 characters or has characters other than `a-zA-Z0-9-_`.
 * @throws Error for no panels, a duplicate panel id, a panel without series, or an empty data source uid.
 */
export function grafanaDashboard(args: GrafanaDashboardArgs): GrafanaDashboard {
  const uidProblem = grafanaUidProblem(args.uid, "Grafana dashboard uid");
  if (uidProblem) throw new RangeError(`${uidProblem}; choose a shorter uid of letters, digits, "-" and "_"`);
  if (args.panels.length === 0) throw new Error(`Grafana dashboard "${args.uid}": no panels; pass drPanels(scope) and/or appPanels()`);
  for (const [name, value] of [
    ["cloudWatchDatasourceUid", args.cloudWatchDatasourceUid],
    ["prometheusDatasourceUid", args.prometheusDatasourceUid],
  ] as const) {
    if (value.trim() === "") throw new Error(`Grafana dashboard "${args.uid}": ${name} is empty; pass the data source uid the chart provisions`);
  }
  const seen = new Set<string>();
  for (const panel of args.panels) {
    if (seen.has(panel.id)) throw new Error(`Grafana dashboard "${args.uid}": panel id "${panel.id}" appears twice; panel ids must be unique`);
    seen.add(panel.id);
    if (panel.series.length === 0) throw new Error(`Grafana dashboard "${args.uid}": panel "${panel.id}" has no series; it would draw nothing`);
  }
  const uids = { cloudWatch: args.cloudWatchDatasourceUid, prometheus: args.prometheusDatasourceUid };
  return {
    uid: args.uid,
    title: args.title,
    tags: [...(args.tags ?? [])],
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    editable: false,
    time: { from: "now-6h", to: "now" },
    refresh: "1m",
    timezone: "utc",
    panels: args.panels.map((panel, index) => grafanaPanel(panel, index, uids)),
  };
}

/** Every query of every panel of a dashboard, in panel order. */
export function dashboardQueries(dashboard: GrafanaDashboard): GrafanaTarget[] {
  return dashboard.panels.flatMap((panel) => panel.targets);
}
