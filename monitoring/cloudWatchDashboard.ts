/**
 * The "Disaster recovery" panels (`drSignals.ts`) as a CloudWatch dashboard body, so the DR signals
 * stay visible in the AWS console even when a region's Grafana is down. Only CloudWatch series are
 * drawn; panels that only Prometheus can draw are listed in the header text instead.
 *
 * Formats followed:
 * - Dashboard body: CloudWatch API Reference, "Dashboard Body Structure and Syntax"
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html):
 *   0-500 widgets; `x` 0-23 and `width` 1-24 on a 24-column grid; a metric widget's `region` is
 *   required and its `metrics` array holds 0-500 metrics and expressions; a metric is
 *   `[Namespace, MetricName, DimensionName, DimensionValue, ..., {rendering properties}]` with
 *   per-metric `stat`, `period` (a multiple of 60), `label` and `region`; an expression is
 *   `[{ "expression", "label", "id" }]` with an id starting with a lowercase letter; horizontal
 *   annotations are `{ value, label, fill }` with `fill` `above`, `below` or `none`.
 * - Search expressions: CloudWatch User Guide, "CloudWatch search expression syntax"
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html):
 *   `SEARCH('{Namespace, DimensionName1, ...} SearchTerm', 'Statistic', Period)`; names with
 *   characters other than letters and digits are double-quoted in the schema (the page's own
 *   examples leave `AWS/EC2` bare); exact matches are double-quoted with `"`, `\`, `(` and `)`
 *   escaped by a backslash; `Name="value"` property terms are joined by an implicit AND; the query
 *   is at most 1024 characters and a graph holds at most 100 search expressions.
 *
 * The PutDashboard API documents no maximum body size (its `DashboardBody` shape has no length
 * constraint), so none is enforced here; the widget, metric and search limits above are.
 */
import { type CloudWatchSeries, type DrPanel } from "./drSignals";
import { isExactSeries, knownDimensions } from "./grafanaDashboard";

/** Documented limits of a dashboard body and of search expressions (see the module comment for the sources). */
export const CLOUDWATCH_DASHBOARD_LIMITS = {
  widgets: 500,
  metricsPerWidget: 500,
  searchExpressionsPerWidget: 100,
  searchQueryCharacters: 1024,
} as const;

/** Widget size on the 24-column grid: two metric widgets per row, the header text across the top. */
const WIDGET_WIDTH = 12;
const WIDGET_HEIGHT = 6;
const GRID_COLUMNS = 24;
const HEADER_HEIGHT = 3;
/** The widgets' default period, seconds. */
const WIDGET_PERIOD_SECONDS = 60;

export interface CloudWatchDashboardArgs {
  /** The panels, top to bottom; those with CloudWatch series become metric widgets. */
  panels: DrPanel[];
  /** The header's title (markdown heading). */
  title: string;
  /** Markdown under the title, e.g. which stack and regions the dashboard shows. */
  notes?: string;
}

/** One metric (or search expression) a dashboard body queries, as `cloudWatchDashboardMetrics` reads it back. */
export interface CloudWatchDashboardMetric {
  /** Title of the widget that draws it. */
  widgetTitle: string;
  namespace: string;
  metricName: string;
  /** Dimension names: of the metric row, or of the search schema (sorted). */
  dimensionNames: string[];
  /** Dimension values the query pins: all of a metric row's, the search's `Name="value"` filters. */
  dimensions: Record<string, string>;
  /** True for a metric row (exactly these dimensions), false for a SEARCH (a wildcard over the missing values). */
  exact: boolean;
  region: string;
  stat: string;
  periodSeconds: number;
  label?: string;
}

/** A name in a search schema: bare when letters and digits with at most one `/` (as in `AWS/EC2`), else double-quoted. */
function schemaName(name: string): string {
  return /^[A-Za-z0-9]+(\/[A-Za-z0-9]+)?$/.test(name) ? name : `"${escapeExact(name)}"`;
}

/** Escapes `"`, `\`, `(` and `)` with a backslash, as an exact-match search term requires. */
function escapeExact(text: string): string {
  return text.replace(/["\\()]/g, (character) => `\\${character}`);
}

/**
 * The CloudWatch SEARCH expression of a series with unknown dimension values: the schema names
 * the namespace and every dimension of the series (sorted), the term pins the metric name and the
 * known values, e.g. `SEARCH('{AWS/S3,DestinationBucket,RuleId,SourceBucket} MetricName="ReplicationLatency" SourceBucket="data"', 'Maximum', 60)`.
 * @throws RangeError when a name or value contains a single quote (the search string's delimiter, which the syntax cannot escape), or the query exceeds 1024 characters.
 */
export function searchExpression(series: CloudWatchSeries): string {
  const dimensionNames = Object.keys(series.dimensions).sort();
  const known = knownDimensions(series);
  const schema = `{${[series.namespace, ...dimensionNames].map(schemaName).join(",")}}`;
  const terms = [
    `MetricName="${escapeExact(series.metricName)}"`,
    ...Object.keys(known)
      .sort()
      .map((name) => `${name}="${escapeExact(known[name])}"`),
  ];
  const query = `${schema} ${terms.join(" ")}`;
  if (query.includes("'"))
    throw new RangeError(
      `CloudWatch search for ${series.namespace} ${series.metricName}: a name or dimension value contains a single quote, which a SEARCH string cannot hold`,
    );
  if (query.length > CLOUDWATCH_DASHBOARD_LIMITS.searchQueryCharacters) {
    throw new RangeError(
      `CloudWatch search for ${series.namespace} ${series.metricName}: the query is ${query.length} characters, over the ${CLOUDWATCH_DASHBOARD_LIMITS.searchQueryCharacters} CloudWatch allows; shorten the dimension values`,
    );
  }
  return `SEARCH('${query}', '${series.statistic}', ${series.periodSeconds})`;
}

type MetricRow = (string | Record<string, unknown>)[];

/** The `metrics` rows of one panel: a metric row per exact series, a SEARCH expression row per wildcard series. */
function metricRows(panel: DrPanel, series: CloudWatchSeries[]): MetricRow[] {
  let expressions = 0;
  const rows = series.map((one): MetricRow => {
    if (one.periodSeconds < 60 || one.periodSeconds % 60 !== 0) {
      throw new RangeError(
        `CloudWatch dashboard: panel "${panel.id}" series "${one.label}" has a period of ${one.periodSeconds} s; CloudWatch takes a multiple of 60`,
      );
    }
    if (isExactSeries(one)) {
      const dimensions = knownDimensions(one);
      const pairs = Object.keys(dimensions)
        .sort()
        .flatMap((name) => [name, dimensions[name]]);
      return [one.namespace, one.metricName, ...pairs, { stat: one.statistic, period: one.periodSeconds, label: one.label, region: one.region }];
    }
    expressions += 1;
    return [{ expression: searchExpression(one), id: `e${expressions}`, label: one.label, region: one.region }];
  });
  if (rows.length > CLOUDWATCH_DASHBOARD_LIMITS.metricsPerWidget) {
    throw new RangeError(
      `CloudWatch dashboard: panel "${panel.id}" has ${rows.length} series; a widget holds at most ${CLOUDWATCH_DASHBOARD_LIMITS.metricsPerWidget}`,
    );
  }
  if (expressions > CLOUDWATCH_DASHBOARD_LIMITS.searchExpressionsPerWidget) {
    throw new RangeError(
      `CloudWatch dashboard: panel "${panel.id}" needs ${expressions} search expressions; a graph holds at most ${CLOUDWATCH_DASHBOARD_LIMITS.searchExpressionsPerWidget}; pass the resource identifiers so the series are exact`,
    );
  }
  return rows;
}

/**
 * The dashboard body (a JSON string for PutDashboard / `aws.cloudwatch.Dashboard.dashboardBody`):
 * a header text widget, then one 12x6 time-series widget per panel with CloudWatch series, two per
 * row, each series at its own region (Route 53 in us-east-1, the replica in the standby region),
 * and a panel's threshold as a horizontal annotation shaded on the breach side.
 * @throws Error when no panel has a CloudWatch series.
 * @throws RangeError when a limit of the body or of a search expression is exceeded, or a period is not a multiple of 60.
 */
export function cloudWatchDashboardBody(args: CloudWatchDashboardArgs): string {
  const drawn = args.panels
    .map((panel) => ({ panel, series: panel.series.filter((one): one is CloudWatchSeries => one.kind === "cloudwatch") }))
    .filter(({ series }) => series.length > 0);
  if (drawn.length === 0) throw new Error("CloudWatch dashboard: no panel has a CloudWatch series; pass drPanels(scope)");
  const widgetCount = drawn.length + 1;
  if (widgetCount > CLOUDWATCH_DASHBOARD_LIMITS.widgets) {
    throw new RangeError(
      `CloudWatch dashboard: ${widgetCount} widgets; a dashboard holds at most ${CLOUDWATCH_DASHBOARD_LIMITS.widgets}; split the panels over two dashboards`,
    );
  }
  const grafanaOnly = args.panels.filter((panel) => !drawn.some((entry) => entry.panel === panel)).map((panel) => panel.title);
  const markdown = [
    `# ${args.title}`,
    ...(args.notes ? [args.notes] : []),
    ...(grafanaOnly.length > 0 ? [`Drawn in Grafana only (Prometheus data): ${grafanaOnly.join("; ")}.`] : []),
  ].join("\n\n");
  const perRow = GRID_COLUMNS / WIDGET_WIDTH;
  const widgets: Record<string, unknown>[] = [{ type: "text", x: 0, y: 0, width: GRID_COLUMNS, height: HEADER_HEIGHT, properties: { markdown } }];
  drawn.forEach(({ panel, series }, index) => {
    const properties: Record<string, unknown> = {
      title: panel.title,
      view: "timeSeries",
      stacked: false,
      region: series[0].region,
      period: WIDGET_PERIOD_SECONDS,
      metrics: metricRows(panel, series),
    };
    if (panel.threshold) {
      const { value, breachWhen } = panel.threshold;
      properties.annotations = { horizontal: [{ label: `${breachWhen === "above" ? "above" : "below"} ${value} is a breach`, value, fill: breachWhen }] };
    }
    widgets.push({
      type: "metric",
      x: (index % perRow) * WIDGET_WIDTH,
      y: HEADER_HEIGHT + Math.floor(index / perRow) * WIDGET_HEIGHT,
      width: WIDGET_WIDTH,
      height: WIDGET_HEIGHT,
      properties,
    });
  });
  return JSON.stringify({ start: "-PT6H", periodOverride: "inherit", widgets });
}

/** Undoes `escapeExact`. */
function unescapeExact(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

/** The names of a search schema `{A, "B c", D}`, unquoted. */
function parseSchema(schema: string, expression: string): string[] {
  const names: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|([^",\s]+))\s*(,|$)/y;
  while (pattern.lastIndex < schema.length) {
    const match = pattern.exec(schema);
    if (!match) throw new Error(`not a search schema: {${schema}} in ${expression}`);
    names.push(match[1] !== undefined ? unescapeExact(match[1]) : match[2]);
    if (match[3] === "") break;
  }
  return names;
}

/**
 * A search expression as `searchExpression` writes it, read back: the namespace and dimension names
 * of its schema, the metric name and pinned dimension values of its `Name="value"` terms.
 * @throws Error for any other expression (math, Metrics Insights, a bare search term).
 */
export function parseSearchExpression(expression: string): {
  namespace: string;
  metricName: string;
  dimensionNames: string[];
  dimensions: Record<string, string>;
  stat: string;
  periodSeconds: number;
} {
  const call = /^SEARCH\('\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}(.*)', '([^']+)', (\d+)\)$/s.exec(expression);
  if (!call) throw new Error(`not a SEARCH('{schema} terms', 'stat', period) expression: ${expression}`);
  const [namespace, ...dimensionNames] = parseSchema(call[1], expression);
  const terms = call[2];
  const dimensions: Record<string, string> = {};
  let metricName: string | undefined;
  const term = /\s*([A-Za-z0-9_.:\-/]+)="((?:[^"\\]|\\.)*)"/y;
  while (term.lastIndex < terms.length && terms.slice(term.lastIndex).trim() !== "") {
    const match = term.exec(terms);
    if (!match) throw new Error(`search term is not a list of Name="value": "${terms.trim()}" in ${expression}`);
    const value = unescapeExact(match[2]);
    if (match[1] === "MetricName") metricName = value;
    else dimensions[match[1]] = value;
  }
  if (metricName === undefined) throw new Error(`search names no MetricName="...": ${expression}`);
  return { namespace, metricName, dimensionNames: [...dimensionNames].sort(), dimensions, stat: call[3], periodSeconds: Number(call[4]) };
}

/**
 * Every metric and search expression of a dashboard body, read back from its JSON: metric rows as
 * exact queries, SEARCH expressions as wildcard queries. Tests check these against the published
 * metric catalogue (`cloudWatchMetrics.ts`); the policy pack can do the same on a deployed body.
 * A per-metric `stat` and `region` override the widget's (stat defaults to `Average`, as CloudWatch does).
 * @throws Error for a body that is not JSON with a `widgets` array, a row using the `"."` shorthand, or an expression that is not a SEARCH.
 */
export function cloudWatchDashboardMetrics(body: string): CloudWatchDashboardMetric[] {
  const parsed: unknown = JSON.parse(body);
  const widgets = (parsed as { widgets?: unknown }).widgets;
  if (!Array.isArray(widgets)) throw new Error("CloudWatch dashboard body has no widgets array");
  const metrics: CloudWatchDashboardMetric[] = [];
  for (const widget of widgets as { type?: string; properties?: Record<string, unknown> }[]) {
    if (widget.type !== "metric" || !widget.properties) continue;
    const properties = widget.properties;
    const widgetTitle = String(properties.title ?? "");
    const widgetRegion = String(properties.region ?? "");
    const widgetStat = String(properties.stat ?? "Average");
    const widgetPeriod = Number(properties.period ?? 300);
    for (const row of (properties.metrics ?? []) as MetricRow[]) {
      const last = row[row.length - 1];
      const options = (typeof last === "object" ? last : {}) as Record<string, unknown>;
      if (typeof row[0] === "object") {
        const search = parseSearchExpression(String(options.expression ?? ""));
        metrics.push({
          widgetTitle,
          namespace: search.namespace,
          metricName: search.metricName,
          dimensionNames: search.dimensionNames,
          dimensions: search.dimensions,
          exact: false,
          region: String(options.region ?? widgetRegion),
          stat: search.stat,
          periodSeconds: search.periodSeconds,
          label: options.label as string | undefined,
        });
        continue;
      }
      const values = row.filter((value): value is string => typeof value === "string");
      if (values.includes("."))
        throw new Error(`CloudWatch dashboard widget "${widgetTitle}": the "." shorthand is not supported here; write every row in full`);
      const [namespace, metricName, ...pairs] = values;
      if (pairs.length % 2 !== 0)
        throw new Error(`CloudWatch dashboard widget "${widgetTitle}": ${namespace} ${metricName} has a dimension name without a value`);
      const dimensions: Record<string, string> = {};
      for (let index = 0; index < pairs.length; index += 2) dimensions[pairs[index]] = pairs[index + 1];
      metrics.push({
        widgetTitle,
        namespace,
        metricName,
        dimensionNames: Object.keys(dimensions).sort(),
        dimensions,
        exact: true,
        region: String(options.region ?? widgetRegion),
        stat: String(options.stat ?? widgetStat),
        periodSeconds: Number(options.period ?? widgetPeriod),
        label: options.label as string | undefined,
      });
    }
  }
  return metrics;
}
