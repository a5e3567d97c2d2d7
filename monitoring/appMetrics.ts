/**
 * The app's Prometheus exporter, as a catalogue: every metric `app/server.py` serves on
 * `APP_METRICS_PORT` at `/metrics`, with its type and labels. The scrape configs, the Grafana
 * panels and the alert rules query only names listed here, and `test/app.test.ts` checks that the
 * running server exposes exactly these (Prometheus text exposition format 0.0.4,
 * https://prometheus.io/docs/instrumenting/exposition_formats/).
 */

/** A metric family of the app's exporter. `histogram` families are queried through `_bucket`, `_sum` and `_count`. */
export interface AppMetric {
  name: string;
  type: "counter" | "gauge" | "histogram";
  /** Label names on every sample (besides `le` on histogram buckets). */
  labels: readonly string[];
  help: string;
}

/** Request paths the app labels by name; every other path is counted as `other`, so cardinality stays bounded. */
export const APP_METRIC_PATHS = ["/", "/health", "other"] as const;

/** Latency histogram buckets, seconds. */
export const APP_LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

export const APP_METRICS = [
  { name: "app_info", type: "gauge", labels: ["region", "role"], help: "Always 1; the region and deployment role (primary or dr) this instance serves." },
  { name: "app_http_requests_total", type: "counter", labels: ["method", "path", "code"], help: "HTTP requests answered, by method, path and status code." },
  { name: "app_http_request_errors_total", type: "counter", labels: ["path"], help: "HTTP requests answered with a 5xx status." },
  { name: "app_http_request_duration_seconds", type: "histogram", labels: ["path"], help: "Time to answer an HTTP request, seconds." },
  { name: "app_database_reachable", type: "gauge", labels: [], help: "1 when the last database check connected, else 0." },
  { name: "app_database_check_timestamp_seconds", type: "gauge", labels: [], help: "Unix time of the last database check." },
] as const satisfies readonly AppMetric[];

/** Every series name a query may use: gauges and counters by name, histograms by `_bucket`, `_sum` and `_count`. */
export function appSeriesNames(): string[] {
  return APP_METRICS.flatMap((metric) => (metric.type === "histogram" ? ["_bucket", "_sum", "_count"].map((suffix) => metric.name + suffix) : [metric.name]));
}
