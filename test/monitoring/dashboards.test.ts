// Tests for the DR dashboards: the Grafana dashboard JSON model (monitoring/grafanaDashboard.ts)
// and the CloudWatch dashboard body (monitoring/cloudWatchDashboard.ts), both drawn from the panel
// model of monitoring/drSignals.ts. Every CloudWatch query is checked against the published-metric
// catalogue, every PromQL query against the app exporter's catalogue, and the layout for overlaps.
import { expect } from "chai";
import { promQlMetricNames } from "../../monitoring/alertRules";
import {
  CLOUDWATCH_DASHBOARD_LIMITS,
  cloudWatchDashboardBody,
  type CloudWatchDashboardMetric,
  cloudWatchDashboardMetrics,
  parseSearchExpression,
  searchExpression,
} from "../../monitoring/cloudWatchDashboard";
import { metricQueryProblem } from "../../monitoring/cloudWatchMetrics";
import {
  appPanels,
  type CloudWatchSeries,
  DYNAMODB_REPLICATION_PERIOD_SECONDS,
  type DrPanel,
  drPanels,
  type DrSignalScope,
  replicaOf,
  ROUTE53_METRICS_REGION,
} from "../../monitoring/drSignals";
import {
  type CloudWatchQueryModel,
  cloudWatchQueryModel,
  dashboardQueries,
  type GrafanaDashboard,
  grafanaDashboard,
  type GrafanaDashboardArgs,
  type GrafanaTarget,
  MIXED_DATASOURCE_UID,
  refIdOf,
} from "../../monitoring/grafanaDashboard";
import {
  auroraGlobalScope,
  backupRestoreScope,
  fullScope,
  GLOBAL_TABLE_NAME,
  globalTableScope,
  knownPrometheusSeries,
  PRIMARY_REGION,
  primaryAuroraGlobalScope,
  primaryIds,
  primaryScope,
  SECONDARY_CLUSTER,
  STANDBY_REGION,
} from "../fixtures/drSignalScopes";

/** Every scope the catalogue checks run on: both engine modes, with and without a global table, as each stack knows them. */
const ALL_SCOPES = [
  ["full DR", fullScope],
  ["primary-stack", primaryScope],
  ["backup-restore", backupRestoreScope],
  ["aurora-global DR with a global table", auroraGlobalScope],
  ["aurora-global primary-stack with a global table", primaryAuroraGlobalScope],
  ["instance DR with a global table", globalTableScope],
] as const;

const CLOUDWATCH_UID = "cloudwatch-ds";
const PROMETHEUS_UID = "prometheus-ds";
function dashboardArgs(panels: DrPanel[], overrides: Partial<GrafanaDashboardArgs> = {}): GrafanaDashboardArgs {
  return {
    uid: "disaster-recovery",
    title: "Disaster recovery",
    panels,
    cloudWatchDatasourceUid: CLOUDWATCH_UID,
    prometheusDatasourceUid: PROMETHEUS_UID,
    ...overrides,
  };
}

function dashboardOf(scope: DrSignalScope): GrafanaDashboard {
  return grafanaDashboard(dashboardArgs([...drPanels(scope), ...appPanels()], { tags: ["dr"] }));
}

function cloudWatchTargets(dashboard: GrafanaDashboard): CloudWatchQueryModel[] {
  return dashboardQueries(dashboard).filter((target): target is CloudWatchQueryModel => target.datasource.type === "cloudwatch");
}

/** The catalogue check of a Grafana CloudWatch target: its dimensions and `matchExact` as a metric query. */
function targetProblem(target: CloudWatchQueryModel): string | undefined {
  return metricQueryProblem({
    namespace: target.namespace,
    metricName: target.metricName,
    dimensionNames: Object.keys(target.dimensions),
    exact: target.matchExact,
  });
}

function metricProblem(metric: CloudWatchDashboardMetric): string | undefined {
  return metricQueryProblem({ namespace: metric.namespace, metricName: metric.metricName, dimensionNames: metric.dimensionNames, exact: metric.exact });
}

/** Series names a query may select: the app exporter's, `up`, and the node exporter's the panels use. */
function allowedPromSeries(): string[] {
  return knownPrometheusSeries();
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Pairs of boxes that overlap, as index pairs. */
function overlappingPairs(boxes: Box[]): [number, number][] {
  const pairs: [number, number][] = [];
  boxes.forEach((a, i) => boxes.forEach((b, j) => j > i && overlaps(a, b) && pairs.push([i, j])));
  return pairs;
}

function parsedBody(body: string): {
  start: string;
  periodOverride: string;
  widgets: { type: string; x: number; y: number; width: number; height: number; properties: Record<string, unknown> }[];
} {
  return JSON.parse(body);
}

function metricWidgets(body: string) {
  return parsedBody(body).widgets.filter((widget) => widget.type === "metric");
}

function cloudWatchSeriesOf(panels: DrPanel[]): CloudWatchSeries[] {
  return panels.flatMap((panel) => panel.series.filter((series): series is CloudWatchSeries => series.kind === "cloudwatch"));
}

/** A one-series CloudWatch panel, for limit and error tests. */
function cloudWatchPanel(id: string, overrides: Partial<CloudWatchSeries> = {}): DrPanel {
  return {
    id,
    title: `Panel ${id}`,
    description: "test panel",
    unit: "short",
    series: [
      {
        kind: "cloudwatch",
        region: PRIMARY_REGION,
        namespace: "AWS/ApplicationELB",
        metricName: "RequestCount",
        dimensions: { LoadBalancer: "app/x/1" },
        statistic: "Sum",
        periodSeconds: 60,
        label: id,
        ...overrides,
      },
    ],
  };
}

describe("monitoring/grafanaDashboard", () => {
  describe("the dashboard model", () => {
    it("survives a JSON round trip unchanged (no undefined, functions or cycles)", () => {
      const dashboard = dashboardOf(primaryScope());
      expect(JSON.parse(JSON.stringify(dashboard))).to.deep.equal(dashboard);
    });

    it("is a read-only, UTC, 6-hour dashboard refreshed every minute", () => {
      const dashboard = dashboardOf(fullScope());
      expect(dashboard).to.include({
        uid: "disaster-recovery",
        title: "Disaster recovery",
        schemaVersion: 39,
        editable: false,
        refresh: "1m",
        timezone: "utc",
      });
      expect(dashboard.time).to.deep.equal({ from: "now-6h", to: "now" });
      expect(dashboard.tags).to.deep.equal(["dr"]);
      expect(grafanaDashboard(dashboardArgs(appPanels())).tags).to.deep.equal([]);
    });

    it("has one timeseries panel per DR and app panel, in order, with its title, description and unit", () => {
      const panels = [...drPanels(fullScope()), ...appPanels()];
      const dashboard = grafanaDashboard(dashboardArgs(panels));
      expect(dashboard.panels.map((panel) => panel.title)).to.deep.equal(panels.map((panel) => panel.title));
      expect(dashboard.panels.map((panel) => panel.id)).to.deep.equal(panels.map((_, index) => index + 1));
      dashboard.panels.forEach((panel, index) => {
        expect(panel.type).to.equal("timeseries");
        expect(panel.description).to.equal(panels[index].description);
        expect(panel.fieldConfig.defaults.unit, panel.title).to.equal(panels[index].unit);
        expect(panel.targets, panel.title).to.have.length(panels[index].series.length);
      });
    });

    it("draws each panel's threshold: green then red above, red then green below, as a line", () => {
      const panels = [...drPanels(fullScope()), ...appPanels()];
      const dashboard = grafanaDashboard(dashboardArgs(panels));
      const withThreshold = panels.filter((panel) => panel.threshold);
      expect(withThreshold.map((panel) => panel.id)).to.include.members([
        "replica-lag",
        "s3-replication-latency",
        "primary-health-check",
        "app-database-reachable",
      ]);
      dashboard.panels.forEach((panel, index) => {
        const threshold = panels[index].threshold;
        const defaults = panel.fieldConfig.defaults;
        if (!threshold) {
          expect(defaults.thresholds, panel.title).to.equal(undefined);
          expect(defaults.custom, panel.title).to.equal(undefined);
          return;
        }
        const expected =
          threshold.breachWhen === "above"
            ? [
                { color: "green", value: null },
                { color: "red", value: threshold.value },
              ]
            : [
                { color: "red", value: null },
                { color: "green", value: threshold.value },
              ];
        expect(defaults.thresholds, panel.title).to.deep.equal({ mode: "absolute", steps: expected });
        expect(defaults.custom, panel.title).to.deep.equal({ thresholdsStyle: { mode: "line" } });
      });
      const lag = dashboard.panels.find((panel) => panel.title.startsWith("Replica lag"))!;
      expect(lag.fieldConfig.defaults.thresholds!.steps[1]).to.deep.equal({ color: "red", value: 45 });
      const health = dashboard.panels.find((panel) => panel.title.startsWith("Route 53"))!;
      expect(health.fieldConfig.defaults.thresholds!.steps).to.deep.equal([
        { color: "red", value: null },
        { color: "green", value: 1 },
      ]);
    });

    it("lays the panels out two per row, 12x8, without overlaps", () => {
      const dashboard = dashboardOf(fullScope());
      const boxes = dashboard.panels.map((panel) => panel.gridPos);
      expect(overlappingPairs(boxes)).to.deep.equal([]);
      for (const box of boxes) {
        expect(box).to.include({ w: 12, h: 8 });
        expect([0, 12]).to.include(box.x);
        expect(box.x + box.w).to.be.at.most(24);
      }
      expect(boxes.slice(0, 3)).to.deep.equal([
        { x: 0, y: 0, w: 12, h: 8 },
        { x: 12, y: 0, w: 12, h: 8 },
        { x: 0, y: 8, w: 12, h: 8 },
      ]);
    });

    it("the overlap check finds overlapping boxes (negative control)", () => {
      expect(
        overlappingPairs([
          { x: 0, y: 0, w: 12, h: 8 },
          { x: 6, y: 4, w: 12, h: 8 },
          { x: 12, y: 8, w: 12, h: 8 },
        ]),
      ).to.deep.equal([
        [0, 1],
        [1, 2],
      ]);
    });

    it("refers to the CloudWatch and Prometheus data sources by uid, and to Mixed when a panel uses both", () => {
      const mixed: DrPanel = { ...cloudWatchPanel("mixed"), series: [...cloudWatchPanel("mixed").series, ...appPanels()[0].series] };
      const dashboard = grafanaDashboard(dashboardArgs([cloudWatchPanel("cw"), appPanels()[0], mixed]));
      expect(dashboard.panels.map((panel) => panel.datasource)).to.deep.equal([
        { type: "cloudwatch", uid: CLOUDWATCH_UID },
        { type: "prometheus", uid: PROMETHEUS_UID },
        { type: "datasource", uid: MIXED_DATASOURCE_UID },
      ]);
      expect(dashboard.panels[2].targets.map((target) => [target.refId, target.datasource])).to.deep.equal([
        ["A", { type: "cloudwatch", uid: CLOUDWATCH_UID }],
        ["B", { type: "prometheus", uid: PROMETHEUS_UID }],
      ]);
    });

    it("gives the queries of a panel distinct refIds A, B, C...", () => {
      for (const panel of dashboardOf(fullScope()).panels) {
        expect(panel.targets.map((target) => target.refId)).to.deep.equal(panel.targets.map((_, index) => refIdOf(index)));
      }
      expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(refIdOf)).to.deep.equal(["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
      expect(() => refIdOf(-1)).to.throw(RangeError, /whole number/);
      expect(() => refIdOf(1.5)).to.throw(RangeError);
    });

    it("lists every query of every panel in dashboardQueries", () => {
      const dashboard = dashboardOf(fullScope());
      const expected: GrafanaTarget[] = dashboard.panels.flatMap((panel) => panel.targets);
      expect(dashboardQueries(dashboard)).to.deep.equal(expected);
      expect(dashboardQueries(dashboard)).to.have.length([...drPanels(fullScope()), ...appPanels()].flatMap((panel) => panel.series).length);
    });
  });

  describe("CloudWatch targets", () => {
    it("use Grafana's CloudWatch query model: metric search in builder mode, period as a string", () => {
      const series = cloudWatchSeriesOf(drPanels(fullScope()))[0];
      expect(cloudWatchQueryModel(series, "C", "uid-1")).to.deep.equal({
        refId: "C",
        datasource: { type: "cloudwatch", uid: "uid-1" },
        queryMode: "Metrics",
        metricQueryType: 0,
        metricEditorMode: 0,
        region: STANDBY_REGION,
        namespace: "AWS/RDS",
        metricName: "ReplicaLag",
        statistic: "Maximum",
        dimensions: { DBInstanceIdentifier: "dr-db-replica-9f8e7d" },
        matchExact: true,
        period: "60",
        label: `replica ${STANDBY_REGION}`,
        id: "",
        expression: "",
      });
    });

    for (const [name, scope] of ALL_SCOPES) {
      it(`all match a metric AWS publishes, with matchExact exactly when every dimension is known (${name} scope)`, () => {
        const dashboard = dashboardOf(scope());
        const targets = cloudWatchTargets(dashboard);
        const series = cloudWatchSeriesOf(drPanels(scope()));
        expect(targets).to.have.length(series.length);
        targets.forEach((target, index) => {
          expect(targetProblem(target), `${target.namespace} ${target.metricName}`).to.equal(undefined);
          const allKnown = Object.values(series[index].dimensions).every((value) => value !== undefined);
          expect(target.matchExact, `${target.metricName} ${target.label}`).to.equal(allKnown);
          expect(target.datasource.uid).to.equal(CLOUDWATCH_UID);
        });
      });
    }

    it("are all exact in the full DR scope, in either engine mode", () => {
      expect(cloudWatchTargets(dashboardOf(fullScope())).every((target) => target.matchExact)).to.equal(true);
      expect(cloudWatchTargets(dashboardOf(auroraGlobalScope())).every((target) => target.matchExact)).to.equal(true);
    });

    it("the catalogue check rejects a wrong metric name, a wrong dimension, and an incomplete exact query (negative control)", () => {
      const target = cloudWatchTargets(dashboardOf(fullScope())).find((one) => one.metricName === "ReplicationLatency")!;
      expect(targetProblem(target)).to.equal(undefined);
      expect(targetProblem({ ...target, metricName: "ReplicationLatencySeconds" })).to.match(/not a metric this program knows/);
      expect(targetProblem({ ...target, dimensions: { ...target.dimensions, Bucket: "x" } })).to.match(/published with dimensions/);
      expect(targetProblem({ ...target, dimensions: { SourceBucket: "x" } })).to.match(/published with dimensions/);
      expect(targetProblem({ ...target, dimensions: { SourceBucket: "x" }, matchExact: false })).to.equal(undefined);
    });

    it("drop unknown dimensions and match any value in the primary stack's scope", () => {
      const targets = cloudWatchTargets(dashboardOf(primaryScope()));
      const lag = targets.find((target) => target.metricName === "ReplicaLag")!;
      expect(lag).to.include({ region: STANDBY_REGION, matchExact: false });
      expect(lag.dimensions).to.deep.equal({});
      const latency = targets.find((target) => target.metricName === "ReplicationLatency")!;
      expect(latency.dimensions).to.deep.equal({ SourceBucket: "primary-data-bucket" });
      expect(latency.matchExact).to.equal(false);
      const hosts = targets.filter((target) => target.metricName === "HealthyHostCount");
      expect(hosts.map((target) => [target.region, target.matchExact, target.dimensions])).to.deep.equal([
        [PRIMARY_REGION, true, { LoadBalancer: primaryIds.loadBalancer, TargetGroup: primaryIds.targetGroup }],
        [STANDBY_REGION, false, {}],
      ]);
      for (const target of targets) expect(Object.values(target.dimensions), target.label).not.to.include(undefined);
    });

    it("query Route 53 in us-east-1 and the replica in the standby region", () => {
      const targets = cloudWatchTargets(dashboardOf(fullScope()));
      expect(targets.filter((target) => target.namespace === "AWS/Route53").map((target) => target.region)).to.deep.equal([ROUTE53_METRICS_REGION]);
      expect(targets.filter((target) => target.metricName === "ReplicaLag").map((target) => target.region)).to.deep.equal([STANDBY_REGION]);
    });

    it("has no replica-lag panel for a backup-restore strategy", () => {
      expect(cloudWatchTargets(dashboardOf(backupRestoreScope())).map((target) => target.metricName)).not.to.include("ReplicaLag");
      expect(cloudWatchTargets(dashboardOf(fullScope())).map((target) => target.metricName)).to.include("ReplicaLag");
    });
  });

  describe("the Aurora global database's lag (engineMode aurora-global)", () => {
    it("replaces ReplicaLag with the secondary cluster's AuroraGlobalDBReplicationLag, in the standby region, exact", () => {
      const targets = cloudWatchTargets(dashboardOf(auroraGlobalScope()));
      expect(targets.map((target) => target.metricName)).not.to.include("ReplicaLag");
      const lag = targets.filter((target) => target.metricName === "AuroraGlobalDBReplicationLag");
      expect(lag.map((target) => [target.region, target.namespace, target.dimensions, target.matchExact, target.statistic, target.period])).to.deep.equal([
        [STANDBY_REGION, "AWS/RDS", { DBClusterIdentifier: SECONDARY_CLUSTER }, true, "Maximum", "60"],
      ]);
    });

    it("keeps the panel id replica-lag, in milliseconds, with the RPO converted to milliseconds as its line", () => {
      const scope = auroraGlobalScope();
      const lag = drPanels(scope).find((panel) => panel.id === "replica-lag")!;
      expect(lag.unit).to.equal("ms");
      expect(lag.threshold).to.deep.equal({ value: scope.rpoSeconds * 1000, breachWhen: "above" });
      expect(lag.description)
        .to.include(`${scope.rpoSeconds * 1000} ms`)
        .and.include(`${scope.rpoSeconds} s`);
      const panel = grafanaDashboard(dashboardArgs(drPanels(scope))).panels.find((one) => one.title === lag.title)!;
      expect(panel.fieldConfig.defaults.unit).to.equal("ms");
      expect(panel.fieldConfig.defaults.thresholds!.steps[1]).to.deep.equal({ color: "red", value: 45000 });
    });

    it("leaves the instance replica's panel exactly as before: seconds, the RPO in seconds", () => {
      const lag = drPanels(fullScope()).find((panel) => panel.id === "replica-lag")!;
      expect(lag).to.include({ unit: "s", title: "Replica lag (DR database)" });
      expect(lag.threshold).to.deep.equal({ value: 45, breachWhen: "above" });
      const explicit = drPanels({ ...backupRestoreScope(), replicaExpected: true, replica: { kind: "instance", identifier: "dr-db-replica-9f8e7d" } });
      expect(explicit.find((panel) => panel.id === "replica-lag")).to.deep.equal(lag);
    });

    it("searches the standby region for any secondary cluster when the primary stack does not know its identifier", () => {
      const lag = cloudWatchTargets(dashboardOf(primaryAuroraGlobalScope())).find((target) => target.metricName === "AuroraGlobalDBReplicationLag")!;
      expect(lag).to.include({ region: STANDBY_REGION, matchExact: false });
      expect(lag.dimensions).to.deep.equal({});
    });

    it("has no lag panel without a replica (backup-restore) in aurora-global mode either", () => {
      const panels = drPanels({ ...auroraGlobalScope(), replicaExpected: false });
      expect(panels.map((panel) => panel.id)).not.to.include("replica-lag");
    });

    it("refuses a scope naming the DR database twice (replica and replicaIdentifier)", () => {
      expect(() => drPanels({ ...auroraGlobalScope(), replicaIdentifier: "dr-db-replica-9f8e7d" })).to.throw(
        Error,
        /both replica \(aurora-global\) and replicaIdentifier/,
      );
      expect(replicaOf({ replicaIdentifier: "x" })).to.deep.equal({ kind: "instance", identifier: "x" });
      expect(replicaOf({})).to.deep.equal({ kind: "instance", identifier: undefined });
    });
  });

  describe("the DynamoDB global table's replication latency", () => {
    it("queries ReplicationLatency in the primary (source) region by table and receiving region, over 5-minute periods", () => {
      const targets = cloudWatchTargets(dashboardOf(globalTableScope())).filter((target) => target.namespace === "AWS/DynamoDB");
      expect(targets.map((target) => [target.metricName, target.region, target.dimensions, target.matchExact, target.statistic, target.period])).to.deep.equal([
        [
          "ReplicationLatency",
          PRIMARY_REGION,
          { TableName: GLOBAL_TABLE_NAME, ReceivingRegion: STANDBY_REGION },
          true,
          "Maximum",
          String(DYNAMODB_REPLICATION_PERIOD_SECONDS),
        ],
      ]);
      expect(DYNAMODB_REPLICATION_PERIOD_SECONDS).to.equal(300);
    });

    it("draws a thresholded panel in milliseconds at the RPO, right after the database lag", () => {
      const scope = globalTableScope();
      const panels = drPanels(scope);
      expect(panels.slice(0, 3).map((panel) => panel.id)).to.deep.equal(["replica-lag", "dynamodb-replication-latency", "s3-replication-latency"]);
      const panel = panels[1];
      expect(panel.unit).to.equal("ms");
      expect(panel.threshold).to.deep.equal({ value: scope.rpoSeconds * 1000, breachWhen: "above" });
      expect(panel.description).to.include(PRIMARY_REGION).and.include(STANDBY_REGION).and.include("No data means no writes");
    });

    it("has no global table panel without a global table", () => {
      for (const scope of [fullScope(), primaryScope(), backupRestoreScope()]) {
        expect(drPanels(scope).map((panel) => panel.id)).not.to.include("dynamodb-replication-latency");
      }
    });

    it("leaves the table name open when it is unknown, pinning the receiving region", () => {
      const { tableName: _name, ...table } = globalTableScope().globalTable!;
      const target = cloudWatchTargets(dashboardOf({ ...globalTableScope(), globalTable: table })).find((one) => one.namespace === "AWS/DynamoDB")!;
      expect(target).to.include({ matchExact: false, region: PRIMARY_REGION });
      expect(target.dimensions).to.deep.equal({ ReceivingRegion: STANDBY_REGION });
    });

    it("refuses a global table replicated to its own region or without regions", () => {
      const table = globalTableScope().globalTable!;
      expect(() => drPanels({ ...globalTableScope(), globalTable: { ...table, receivingRegion: PRIMARY_REGION } })).to.throw(
        Error,
        /replicates eu-west-1 to itself/,
      );
      expect(() => drPanels({ ...globalTableScope(), globalTable: { ...table, sourceRegion: " " } })).to.throw(Error, /must name regions/);
    });

    it("the catalogue check rejects the S3 dimensions on the DynamoDB metric, and a missing ReceivingRegion on an exact query (negative control)", () => {
      const target = cloudWatchTargets(dashboardOf(globalTableScope())).find((one) => one.namespace === "AWS/DynamoDB")!;
      expect(targetProblem(target)).to.equal(undefined);
      expect(targetProblem({ ...target, dimensions: { SourceBucket: "x", DestinationBucket: "y", RuleId: "z" } })).to.match(
        /published with dimensions \{ReceivingRegion, TableName\}/,
      );
      expect(targetProblem({ ...target, dimensions: { TableName: GLOBAL_TABLE_NAME } })).to.match(/published with dimensions/);
      // The same metric name in S3 has other dimensions: the catalogue tells the namespaces apart.
      expect(targetProblem({ ...target, namespace: "AWS/S3" })).to.match(
        /AWS\/S3 ReplicationLatency is published with dimensions \{DestinationBucket, RuleId, SourceBucket\}/,
      );
      expect(targetProblem({ ...target, namespace: "AWS/DynamoDBX" })).to.match(/not a metric this program knows/);
      const aurora = cloudWatchTargets(dashboardOf(auroraGlobalScope())).find((one) => one.metricName === "AuroraGlobalDBReplicationLag")!;
      expect(targetProblem({ ...aurora, dimensions: { DBInstanceIdentifier: "x" } })).to.match(/published with dimensions/);
    });
  });

  describe("Prometheus targets", () => {
    it("select only the app exporter's series, up, and the node exporter's", () => {
      const targets = dashboardQueries(dashboardOf(fullScope())).filter((target) => target.datasource.type === "prometheus");
      expect(targets).to.have.length(appPanels().length);
      for (const target of targets) {
        if (!("expr" in target)) throw new Error("expected a Prometheus target");
        const names = promQlMetricNames(target.expr);
        expect(names, target.expr).to.have.length.above(0);
        expect(allowedPromSeries(), target.expr).to.include.members(names);
        expect(target).to.include({ range: true });
        expect(target.datasource.uid).to.equal(PROMETHEUS_UID);
      }
    });

    it("the series check rejects a name the exporter does not serve (negative control)", () => {
      const names = promQlMetricNames("sum by (region) (rate(app_http_request_total[5m]))");
      expect(names).to.deep.equal(["app_http_request_total"]);
      expect(allowedPromSeries()).not.to.include.members(names);
    });

    it("keep the panel's legend format", () => {
      const dashboard = grafanaDashboard(dashboardArgs(appPanels()));
      const first = dashboard.panels[0].targets[0];
      expect(first).to.deep.equal({
        refId: "A",
        datasource: { type: "prometheus", uid: PROMETHEUS_UID },
        expr: "sum by (region, role) (rate(app_http_requests_total[5m]))",
        legendFormat: "{{region}} {{role}}",
        range: true,
      });
    });
  });

  describe("errors", () => {
    it("refuses an empty panel list", () => {
      expect(() => grafanaDashboard(dashboardArgs([]))).to.throw(Error, /no panels/);
    });

    it("refuses a uid longer than Grafana's 40 characters, empty, or with other characters", () => {
      expect(grafanaDashboard(dashboardArgs(appPanels(), { uid: "a".repeat(40) })).uid).to.have.length(40);
      expect(() => grafanaDashboard(dashboardArgs(appPanels(), { uid: "a".repeat(41) }))).to.throw(RangeError, /41 characters; Grafana allows at most 40/);
      expect(() => grafanaDashboard(dashboardArgs(appPanels(), { uid: "" }))).to.throw(RangeError, /empty/);
      expect(() => grafanaDashboard(dashboardArgs(appPanels(), { uid: "dr/dashboard" }))).to.throw(RangeError, /letters, digits/);
    });

    it("refuses duplicate panel ids, a panel without series and an empty data source uid", () => {
      expect(() => grafanaDashboard(dashboardArgs([cloudWatchPanel("same"), cloudWatchPanel("same")]))).to.throw(Error, /"same" appears twice/);
      expect(() => grafanaDashboard(dashboardArgs([{ ...cloudWatchPanel("empty"), series: [] }]))).to.throw(Error, /"empty" has no series/);
      expect(() => grafanaDashboard(dashboardArgs(appPanels(), { cloudWatchDatasourceUid: " " }))).to.throw(Error, /cloudWatchDatasourceUid is empty/);
      expect(() => grafanaDashboard(dashboardArgs(appPanels(), { prometheusDatasourceUid: "" }))).to.throw(Error, /prometheusDatasourceUid is empty/);
    });
  });
});

describe("monitoring/cloudWatchDashboard", () => {
  const body = (scope: DrSignalScope, notes?: string) =>
    cloudWatchDashboardBody({ panels: [...drPanels(scope), ...appPanels()], title: "Disaster recovery", notes });

  describe("the body", () => {
    it("parses as JSON with a 6-hour window, at most 500 widgets, a header text widget first", () => {
      const parsed = parsedBody(body(fullScope(), "DR stack, primary eu-west-1"));
      expect(parsed).to.include({ start: "-PT6H", periodOverride: "inherit" });
      expect(parsed.widgets.length).to.be.at.most(CLOUDWATCH_DASHBOARD_LIMITS.widgets);
      const header = parsed.widgets[0];
      expect(header).to.include({ type: "text", x: 0, y: 0, width: 24 });
      const markdown = String(header.properties.markdown);
      expect(markdown).to.match(/^# Disaster recovery\n\nDR stack, primary eu-west-1\n\n/);
      for (const panel of appPanels()) expect(markdown).to.include(panel.title);
    });

    it("has one metric widget per panel with CloudWatch series, in order, and none for Prometheus-only panels", () => {
      const widgets = metricWidgets(body(fullScope()));
      expect(widgets.map((widget) => widget.properties.title)).to.deep.equal(drPanels(fullScope()).map((panel) => panel.title));
      for (const panel of appPanels()) expect(widgets.map((widget) => widget.properties.title)).not.to.include(panel.title);
      for (const widget of widgets) expect(widget.properties).to.include({ view: "timeSeries", stacked: false, period: 60 });
    });

    it("draws only the CloudWatch series of a panel that mixes both kinds", () => {
      const mixed: DrPanel = { ...cloudWatchPanel("mixed"), series: [...appPanels()[0].series, ...cloudWatchPanel("mixed").series] };
      const [widget] = metricWidgets(cloudWatchDashboardBody({ panels: [mixed], title: "t" }));
      expect(widget.properties.metrics).to.have.length(1);
      expect(widget.properties.region).to.equal(PRIMARY_REGION);
    });

    it("lays the widgets out 12x6, two per row under the header, without overlaps", () => {
      const widgets = parsedBody(body(primaryScope())).widgets;
      const boxes = widgets.map((widget) => ({ x: widget.x, y: widget.y, w: widget.width, h: widget.height }));
      expect(overlappingPairs(boxes)).to.deep.equal([]);
      for (const widget of widgets.slice(1)) {
        expect(widget).to.include({ width: 12, height: 6 });
        expect([0, 12]).to.include(widget.x);
      }
      expect(boxes.slice(1, 4).map((box) => [box.x, box.y])).to.deep.equal([
        [0, 3],
        [12, 3],
        [0, 9],
      ]);
    });

    it("writes an exact series as a metric row with its stat, period, label and region", () => {
      const [lag] = metricWidgets(body(fullScope()));
      expect(lag.properties.region).to.equal(STANDBY_REGION);
      expect(lag.properties.metrics).to.deep.equal([
        [
          "AWS/RDS",
          "ReplicaLag",
          "DBInstanceIdentifier",
          "dr-db-replica-9f8e7d",
          { stat: "Maximum", period: 60, label: `replica ${STANDBY_REGION}`, region: STANDBY_REGION },
        ],
      ]);
      const hosts = metricWidgets(body(fullScope())).find((widget) => widget.properties.title === "ALB healthy hosts per region")!;
      expect((hosts.properties.metrics as unknown[][])[0].slice(0, 6)).to.deep.equal([
        "AWS/ApplicationELB",
        "HealthyHostCount",
        "LoadBalancer",
        primaryIds.loadBalancer,
        "TargetGroup",
        primaryIds.targetGroup,
      ]);
    });

    it("writes a series with unknown dimensions as a SEARCH over all its dimension names", () => {
      const widgets = metricWidgets(body(primaryScope()));
      expect(widgets[0].properties.metrics).to.deep.equal([
        [
          {
            expression: `SEARCH('{AWS/RDS,DBInstanceIdentifier} MetricName="ReplicaLag"', 'Maximum', 60)`,
            id: "e1",
            label: `replica ${STANDBY_REGION}`,
            region: STANDBY_REGION,
          },
        ],
      ]);
      const backlog = widgets.find((widget) => widget.properties.title === "S3 replication backlog")!;
      const rows = backlog.properties.metrics as { expression: string; id: string }[][];
      expect(rows.map((row) => row[0].id)).to.deep.equal(["e1", "e2", "e3"]);
      expect(rows[0][0].expression).to.equal(
        `SEARCH('{AWS/S3,DestinationBucket,RuleId,SourceBucket} MetricName="BytesPendingReplication" SourceBucket="primary-data-bucket"', 'Maximum', 60)`,
      );
    });

    it("keeps the p99 statistic as p99", () => {
      const latency = cloudWatchDashboardMetrics(body(fullScope())).filter((metric) => metric.metricName === "TargetResponseTime");
      expect(latency).to.have.length(2);
      for (const metric of latency) expect(metric.stat).to.equal("p99");
      const searched = cloudWatchDashboardMetrics(body(primaryScope())).filter((metric) => metric.metricName === "TargetResponseTime" && !metric.exact);
      expect(searched.map((metric) => metric.stat)).to.deep.equal(["p99"]);
    });

    it("turns each threshold into a horizontal annotation shaded on the breach side", () => {
      const panels = drPanels(fullScope());
      const widgets = metricWidgets(body(fullScope()));
      widgets.forEach((widget, index) => {
        const threshold = panels[index].threshold;
        if (!threshold) {
          expect(widget.properties.annotations, String(widget.properties.title)).to.equal(undefined);
          return;
        }
        const annotations = widget.properties.annotations as { horizontal: { value: number; fill: string; label: string }[] };
        expect(annotations.horizontal).to.have.length(1);
        expect(annotations.horizontal[0]).to.include({ value: threshold.value, fill: threshold.breachWhen });
      });
      const values = widgets
        .filter((widget) => widget.properties.annotations)
        .map((widget) => (widget.properties.annotations as { horizontal: { value: number }[] }).horizontal[0].value);
      expect(values).to.deep.equal([45, 600, 1]);
    });
  });

  describe("the catalogue check of the body", () => {
    for (const [name, scope] of ALL_SCOPES) {
      it(`every metric row and SEARCH expression is a metric AWS publishes (${name} scope)`, () => {
        const metrics = cloudWatchDashboardMetrics(body(scope()));
        expect(metrics).to.have.length(cloudWatchSeriesOf(drPanels(scope())).length);
        for (const metric of metrics) expect(metricProblem(metric), `${metric.namespace} ${metric.metricName}`).to.equal(undefined);
      });
    }

    it("reads the full DR scope as exact rows and the primary scope's unknown standby as searches", () => {
      expect(cloudWatchDashboardMetrics(body(fullScope())).every((metric) => metric.exact)).to.equal(true);
      const primary = cloudWatchDashboardMetrics(body(primaryScope()));
      const searches = primary.filter((metric) => !metric.exact);
      expect(searches.map((metric) => metric.metricName)).to.include.members(["ReplicaLag", "ReplicationLatency", "HealthyHostCount", "GroupDesiredCapacity"]);
      for (const metric of primary.filter((one) => one.region === STANDBY_REGION)) expect(metric.exact, metric.metricName).to.equal(false);
      const latency = searches.find((metric) => metric.metricName === "ReplicationLatency")!;
      expect(latency.dimensionNames).to.deep.equal(["DestinationBucket", "RuleId", "SourceBucket"]);
      expect(latency.dimensions).to.deep.equal({ SourceBucket: "primary-data-bucket" });
    });

    it("rejects a misspelt metric or dimension read back from a body (negative control)", () => {
      const tampered = body(fullScope()).replace('"ReplicaLag"', '"ReplicaLagSeconds"').replace('"DestinationBucket"', '"TargetBucket"');
      const problems = cloudWatchDashboardMetrics(tampered)
        .map(metricProblem)
        .filter((problem) => problem !== undefined);
      expect(problems).to.have.length(2);
      const searchTampered = body(primaryScope()).replace("{AWS/RDS,DBInstanceIdentifier}", "{AWS/RDS,DBInstanceId}");
      expect(cloudWatchDashboardMetrics(searchTampered).map(metricProblem).filter(Boolean)).to.have.length(1);
    });

    it("publishes Route 53 in us-east-1 and the replica lag in the standby region", () => {
      for (const scope of [fullScope(), primaryScope()]) {
        const metrics = cloudWatchDashboardMetrics(body(scope));
        const route53 = metrics.filter((metric) => metric.namespace === "AWS/Route53");
        expect(route53.map((metric) => metric.region)).to.deep.equal([ROUTE53_METRICS_REGION]);
        expect(metrics.filter((metric) => metric.metricName === "ReplicaLag").map((metric) => metric.region)).to.deep.equal([STANDBY_REGION]);
      }
      const healthWidget = metricWidgets(body(fullScope())).find((widget) => widget.properties.title === "Route 53 health check of the primary")!;
      expect(healthWidget.properties.region).to.equal(ROUTE53_METRICS_REGION);
    });

    it("publishes the Aurora lag in the standby region and the DynamoDB latency in the primary's, with their periods", () => {
      const metrics = cloudWatchDashboardMetrics(body(auroraGlobalScope()));
      const lag = metrics.filter((metric) => metric.metricName === "AuroraGlobalDBReplicationLag");
      expect(lag.map((metric) => [metric.region, metric.exact, metric.dimensions, metric.periodSeconds])).to.deep.equal([
        [STANDBY_REGION, true, { DBClusterIdentifier: SECONDARY_CLUSTER }, 60],
      ]);
      const latency = metrics.filter((metric) => metric.namespace === "AWS/DynamoDB");
      expect(latency.map((metric) => [metric.region, metric.exact, metric.dimensions, metric.periodSeconds])).to.deep.equal([
        [PRIMARY_REGION, true, { ReceivingRegion: STANDBY_REGION, TableName: GLOBAL_TABLE_NAME }, 300],
      ]);
      const widget = metricWidgets(body(auroraGlobalScope())).find((one) => one.properties.title === "DynamoDB global table replication latency")!;
      expect(widget.properties.region).to.equal(PRIMARY_REGION);
      expect(widget.properties.annotations).to.deep.equal({ horizontal: [{ label: "above 45000 is a breach", value: 45000, fill: "above" }] });
      const searches = cloudWatchDashboardMetrics(body(primaryAuroraGlobalScope())).filter((metric) => metric.metricName === "AuroraGlobalDBReplicationLag");
      expect(searches.map((metric) => [metric.exact, metric.dimensionNames, metric.region])).to.deep.equal([[false, ["DBClusterIdentifier"], STANDBY_REGION]]);
    });
  });

  describe("search expressions", () => {
    const series = (dimensions: Record<string, string | undefined>, metricName = "ReplicationLatency"): CloudWatchSeries => ({
      kind: "cloudwatch",
      region: PRIMARY_REGION,
      namespace: "AWS/S3",
      metricName,
      dimensions,
      statistic: "Maximum",
      periodSeconds: 60,
      label: "l",
    });

    it("escape quotes, backslashes and parentheses in pinned values, and read back the original value", () => {
      const value = 'rule "a" (b) \\ c';
      const expression = searchExpression(series({ SourceBucket: "s", RuleId: value, DestinationBucket: undefined }));
      expect(expression).to.include('RuleId="rule \\"a\\" \\(b\\) \\\\ c"');
      expect(parseSearchExpression(expression)).to.deep.equal({
        namespace: "AWS/S3",
        metricName: "ReplicationLatency",
        dimensionNames: ["DestinationBucket", "RuleId", "SourceBucket"],
        dimensions: { RuleId: value, SourceBucket: "s" },
        stat: "Maximum",
        periodSeconds: 60,
      });
    });

    it("quote a schema name with characters other than letters, digits and one slash", () => {
      const custom: CloudWatchSeries = { ...series({ "Service Name": undefined }), namespace: "My Namespace" };
      const expression = searchExpression(custom);
      expect(expression).to.match(/^SEARCH\('\{"My Namespace","Service Name"\} MetricName=/);
      expect(parseSearchExpression(expression)).to.include({ namespace: "My Namespace" });
      expect(parseSearchExpression(expression).dimensionNames).to.deep.equal(["Service Name"]);
    });

    it("refuse a single quote and a query over 1024 characters", () => {
      expect(() => searchExpression(series({ SourceBucket: "it's", RuleId: undefined }))).to.throw(RangeError, /single quote/);
      expect(() => searchExpression(series({ SourceBucket: "b".repeat(1000), RuleId: undefined }))).to.throw(RangeError, /over the 1024/);
      expect(() => searchExpression(series({ SourceBucket: "b".repeat(900), RuleId: undefined }))).not.to.throw();
    });

    it("parseSearchExpression refuses other expressions", () => {
      expect(() => parseSearchExpression("SUM(METRICS())")).to.throw(Error, /not a SEARCH/);
      expect(() => parseSearchExpression("SEARCH('{AWS/S3,RuleId} latency', 'Maximum', 60)")).to.throw(Error, /Name="value"/);
      expect(() => parseSearchExpression(`SEARCH('{AWS/S3,RuleId} RuleId="x"', 'Maximum', 60)`)).to.throw(Error, /no MetricName/);
    });

    it("cloudWatchDashboardMetrics refuses the dot shorthand and a body without widgets", () => {
      const shorthand = JSON.stringify({
        widgets: [
          {
            type: "metric",
            properties: {
              region: "us-east-1",
              metrics: [
                ["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"],
                [".", ".", ".", "i-2"],
              ],
            },
          },
        ],
      });
      expect(() => cloudWatchDashboardMetrics(shorthand)).to.throw(Error, /shorthand/);
      expect(() => cloudWatchDashboardMetrics("{}")).to.throw(Error, /no widgets/);
      const defaults = JSON.stringify({
        widgets: [{ type: "metric", properties: { region: "us-east-1", metrics: [["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"]] } }],
      });
      expect(cloudWatchDashboardMetrics(defaults)[0]).to.include({ stat: "Average", region: "us-east-1", periodSeconds: 300, exact: true });
    });
  });

  describe("errors and limits", () => {
    it("refuses panels without any CloudWatch series", () => {
      expect(() => cloudWatchDashboardBody({ panels: appPanels(), title: "t" })).to.throw(Error, /no panel has a CloudWatch series/);
      expect(() => cloudWatchDashboardBody({ panels: [], title: "t" })).to.throw(Error, /no panel/);
    });

    it("accepts 500 widgets and refuses 501", () => {
      const panels = (count: number) => Array.from({ length: count }, (_, index) => cloudWatchPanel(`p${index}`));
      expect(parsedBody(cloudWatchDashboardBody({ panels: panels(499), title: "t" })).widgets).to.have.length(500);
      expect(() => cloudWatchDashboardBody({ panels: panels(500), title: "t" })).to.throw(RangeError, /501 widgets/);
    });

    it("refuses a period that is not a multiple of 60", () => {
      expect(() => cloudWatchDashboardBody({ panels: [cloudWatchPanel("p", { periodSeconds: 30 })], title: "t" })).to.throw(RangeError, /multiple of 60/);
    });

    it("refuses more than 100 search expressions in one widget", () => {
      const wildcard = cloudWatchPanel("wide", { dimensions: { LoadBalancer: undefined } }).series[0];
      const panel = (count: number): DrPanel => ({ ...cloudWatchPanel("wide"), series: Array.from({ length: count }, () => wildcard) });
      expect(() => cloudWatchDashboardBody({ panels: [panel(100)], title: "t" })).not.to.throw();
      expect(() => cloudWatchDashboardBody({ panels: [panel(101)], title: "t" })).to.throw(RangeError, /at most 100/);
    });
  });
});
