/**
 * Program-wide conventions shared by the components, the DR invariants and the policy pack. Pure
 * constants (no Pulumi import), so the policy pack can load them without the program's runtime.
 */

/** The Pulumi project name (`Pulumi.yaml`), also the config namespace. */
export const PROJECT_NAME = "multi-region-dr";

/** Path the ALB, Route 53 and operators use to check the app. */
export const HEALTH_CHECK_PATH = "/health";

/** TLS policy for HTTPS listeners: TLS 1.3 with TLS 1.2 fallback (Security Hub ELB.17). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The KMS key days AWS waits before deleting a scheduled key: 7-30; we use the maximum (KMS "Deleting keys"). */
export const KEY_DELETION_WINDOW_DAYS = 30;

/**
 * A name prefix for identifiers AWS wants in lower-case letters, digits and single hyphens
 * (RDS snapshot identifiers, EKS cluster names), built from the project and stack names.
 */
export function resourcePrefix(stackName: string, role: string): string {
  const raw = `${PROJECT_NAME}-${stackName}-${role}`.toLowerCase();
  return raw
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
}

/** Port of the app's Prometheus exporter (`/metrics`), separate from the app port so the ALB never serves it; only the monitoring cluster's nodes may reach it. `app.port` must differ from it and from the node exporter's. */
export const APP_METRICS_PORT = 9464;

/** Port of the Prometheus node exporter on the app instances, its default (https://github.com/prometheus/node_exporter). */
export const NODE_EXPORTER_PORT = 9100;

/**
 * The fewest days any backup is kept, in every store and vault: the architecture asks for backups
 * kept 5 days and restorable (issue 7; checks.md "Backups copied to the DR region").
 */
export const BACKUP_MINIMUM_RETENTION_DAYS = 5;

/**
 * Whether each Route 53 failover record's alias evaluates the ALB's target health. The PRIMARY does
 * not: its health check of `/health` is the one signal for DNS and for the failover alarm (when every
 * target fails the ALB's check, the ALB fails open and still routes to them, so target health would
 * move users to the unpromoted DR region with no failover started: components/failoverRouting.ts).
 * The SECONDARY does not either: its own calculated health check (the DR ALB's `/health`, or the
 * fence inverted) keeps it healthy once the primary is fenced whatever the DR tier's state, where
 * target health would turn it unhealthy with the DR tier and make Route 53 answer the old primary.
 * Every writer of these records (the stack, the recovery workflows) takes the value from here.
 */
export const EVALUATE_TARGET_HEALTH = { PRIMARY: false, SECONDARY: false } as const;

/**
 * The fence (components/failoverRouting.ts): a metric the DR region publishes (PutMetricData, a
 * data-plane call of the DR region) to keep the PRIMARY record unhealthy whatever the primary's
 * endpoint says. 1 = fenced (traffic stays in the DR region, the old primary takes none), 0 = not fenced.
 */
export const FENCE_METRIC = { namespace: "MultiRegionDR", metricName: "PrimaryFenced" } as const;

/**
 * The primary endpoint probe's metric (components/primaryEndpointProbe.ts), published in the DR
 * region: 1 when an attempt found the primary healthy, 0 when not. A namespace of its own, not the
 * fence's: IAM limits PutMetricData by namespace only (`cloudwatch:namespace`, Service Authorization
 * Reference, Amazon CloudWatch), so the probe's role cannot publish the fence metric.
 */
export const PROBE_METRIC = { namespace: `${FENCE_METRIC.namespace}/PrimaryProbe`, metricName: "PrimaryEndpointHealthy" } as const;
