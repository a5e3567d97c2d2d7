/**
 * How Route 53 compares what a failover pair is made of, as pure rules shared by DR invariant 4
 * (`failoverRecords.ts`) and the pack's `dr-failover-pair` policy: DNS names, alias targets, the
 * protocol and port a health check probes, and which records may share a name.
 */

/** A DNS name as Route 53 compares it: lower case, without the trailing dot (names are case-insensitive, RFC 4343). */
export function dnsName(value: unknown): string {
  return String(value ?? "")
    .toLowerCase()
    .replace(/\.$/, "");
}

/** The load balancer an alias name designates: Route 53 accepts the ALB's DNS name with or without the `dualstack.` prefix. */
export function aliasTarget(value: unknown): string {
  return dnsName(value).replace(/^dualstack\./, "");
}

/** The protocol a health check probes: HTTP_STR_MATCH is HTTP with a body match, HTTPS_STR_MATCH is HTTPS (Route 53 CreateHealthCheck). */
export function probeProtocol(type: unknown): string {
  return String(type).replace(/_STR_MATCH$/, "");
}

/** The port a health check probes: its own, else Route 53's default, 443 for HTTPS and 80 otherwise (Route 53 HealthCheckConfig.Port). */
export function probePort(check: { port?: unknown; type?: unknown }): unknown {
  return check.port ?? (probeProtocol(check.type) === "HTTPS" ? 443 : 80);
}

/** True when a record of `other` cannot coexist with a failover group at zone/name/type: one routing policy per name and type, and a CNAME alone at its name (RFC 1034 3.6.2). */
export function conflictsWithGroup(other: { zoneId?: unknown; name?: unknown; type?: unknown }, zoneId: string, name: string, type: string): boolean {
  return String(other.zoneId) === zoneId && other.name === name && (other.type === type || other.type === "CNAME" || type === "CNAME");
}

/**
 * Where Route 53's checks of the primary ALB must go, from the primary's outputs (config/primaryContract.ts):
 * its health listener (`healthCheckProtocol`, `healthCheckPort`: HTTP 80 behind the edge, whose app listener
 * forwards only CloudFront's requests), else its app listener (`listenerProtocol`, `listenerPort`; primaries
 * deployed before the edge lack the first two). The DR stack builds its checks the same way (stacks/dr.ts).
 */
export function primaryProbeTarget(primary: { healthCheckProtocol?: unknown; healthCheckPort?: unknown; listenerProtocol?: unknown; listenerPort?: unknown }): {
  protocol: unknown;
  port: unknown;
} {
  return { protocol: primary.healthCheckProtocol ?? primary.listenerProtocol, port: primary.healthCheckPort ?? primary.listenerPort };
}
