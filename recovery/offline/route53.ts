/**
 * Simulated Route 53: hosted zones with their record sets, ChangeResourceRecordSets with Route 53's
 * batch rules, and change ids that turn INSYNC after the propagation delay: GetChange answers
 * `PENDING` ("the changes in this request have not propagated to all Amazon Route 53 DNS servers
 * managing the hosted zone") until `INSYNC` (Route 53 API Reference, GetChange; the delay is
 * durations.ts `route53PropagationSeconds`). Throttling and PriorRequestNotComplete are injected by
 * the cloud (cloud.ts `apiFaults`, errors.ts `FAULT_ERRORS`).
 *
 * Rules enforced (Route 53 API Reference, ChangeResourceRecordSets): a batch is atomic; CREATE
 * fails on an existing record, DELETE needs a record that matches exactly (same values); record sets
 * with one name and type share one routing policy; an alias must target a known load balancer (by its
 * canonical zone id and DNS name) or an existing record of the same zone; a health check must exist.
 * A violated rule throws `InvalidChangeBatch` and changes nothing. Names compare case-insensitively
 * without the trailing dot.
 */

export interface AliasTarget {
  HostedZoneId: string;
  DnsName: string;
  EvaluateTargetHealth: boolean;
}

/** A record set in Step Functions' SDK integration casing. */
export interface RecordSet {
  Name: string;
  Type: string;
  SetIdentifier?: string;
  Failover?: string;
  Weight?: number;
  HealthCheckId?: string;
  AliasTarget?: AliasTarget;
  Ttl?: number;
  ResourceRecords?: { Value: string }[];
}

export interface Change {
  Action: string;
  ResourceRecordSet: RecordSet;
}

/** Route 53 refused a request; `code` is the API's exception name. */
export class Route53Fault extends Error {
  constructor(
    readonly code: "InvalidChangeBatch" | "NoSuchHostedZone" | "NoSuchChange" | "NoSuchHealthCheck" | "InvalidInput",
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** A load balancer Route 53 can alias: its canonical hosted zone id and DNS name. */
export interface AliasableLoadBalancer {
  label: string;
  zoneId: string;
  dnsName: string;
}

/** The few names a drill compares, normalized once: the record lookups call normalizeName millions of times. */
const NORMALIZED_NAMES = new Map<string, string>();

/** A DNS name as Route 53 compares it: lower case, without the trailing dot or an ALB's `dualstack.` prefix. */
export function normalizeName(name: string): string {
  let normalized = NORMALIZED_NAMES.get(name);
  if (normalized === undefined) {
    normalized = name
      .toLowerCase()
      .replace(/\.$/, "")
      .replace(/^dualstack\./, "");
    NORMALIZED_NAMES.set(name, normalized);
  }
  return normalized;
}

function key(record: RecordSet): string {
  return `${normalizeName(record.Name)}|${record.Type}|${record.SetIdentifier ?? ""}`;
}

function routingPolicy(record: RecordSet): string {
  if (record.Failover) return "failover";
  if (record.Weight !== undefined) return "weighted";
  return record.SetIdentifier ? "other" : "simple";
}

/** Record equality as DELETE requires it: same fields, names compared normalized, no field order. */
function sameRecord(a: RecordSet, b: RecordSet): boolean {
  const canonical = (record: RecordSet) =>
    JSON.stringify({
      Name: normalizeName(record.Name),
      Type: record.Type,
      SetIdentifier: record.SetIdentifier ?? null,
      Failover: record.Failover ?? null,
      Weight: record.Weight ?? null,
      HealthCheckId: record.HealthCheckId ?? null,
      AliasTarget: record.AliasTarget
        ? {
            HostedZoneId: record.AliasTarget.HostedZoneId,
            DnsName: normalizeName(record.AliasTarget.DnsName),
            EvaluateTargetHealth: record.AliasTarget.EvaluateTargetHealth,
          }
        : null,
      Ttl: record.AliasTarget ? null : (record.Ttl ?? null),
      ResourceRecords: (record.ResourceRecords ?? []).map((item) => item.Value.toLowerCase()).sort(),
    });
  return canonical(a) === canonical(b);
}

interface ChangeRecord {
  id: string;
  submittedAt: number;
  insyncAt: number;
  comment?: string;
}

export class SimulatedRoute53 {
  private readonly zones = new Map<string, { label: string; records: RecordSet[] }>();
  private readonly changes = new Map<string, ChangeRecord>();
  private changeCounter = 0;
  /** Changes submitted before this simulated second stay PENDING until it (plus the propagation delay): a stuck propagation. */
  propagationStuckUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly loadBalancers: AliasableLoadBalancer[],
    private readonly healthCheckIds: string[],
    private readonly propagationSeconds: number,
  ) {}

  addZone(zoneId: string, label: string, records: RecordSet[]): void {
    this.zones.set(zoneId, { label, records: records.map((record) => structuredClone(record)) });
  }

  hasZone(zoneId: string): boolean {
    return this.zones.has(zoneId);
  }

  /** Record sets of a zone named `name` (any type and set identifier). */
  records(zoneId: string, name?: string): RecordSet[] {
    const zone = this.zones.get(zoneId);
    if (!zone) return [];
    return zone.records.filter((record) => name === undefined || normalizeName(record.Name) === normalizeName(name));
  }

  /** ChangeResourceRecordSets at `t`: applies the batch atomically and returns the change's id. @throws Route53Fault */
  change(t: number, zoneId: string, changes: Change[], comment?: string): ChangeRecord {
    const zone = this.zones.get(zoneId);
    if (!zone) throw new Route53Fault("NoSuchHostedZone", `No hosted zone found with ID: ${zoneId}`);
    if (!Array.isArray(changes) || changes.length === 0) throw new Route53Fault("InvalidInput", "ChangeBatch.Changes must hold at least one change");
    const records = zone.records.map((record) => structuredClone(record));
    const errors: string[] = [];
    for (const change of changes) {
      const record = change.ResourceRecordSet;
      if (!record || typeof record.Name !== "string" || typeof record.Type !== "string") {
        errors.push("a change has no ResourceRecordSet with Name and Type");
        continue;
      }
      const index = records.findIndex((existing) => key(existing) === key(record));
      switch (change.Action) {
        case "CREATE":
          if (index >= 0) errors.push(`Tried to create resource record set [name='${record.Name}', type='${record.Type}'] but it already exists`);
          else records.push(structuredClone(record));
          break;
        case "UPSERT":
          if (index >= 0) records[index] = structuredClone(record);
          else records.push(structuredClone(record));
          break;
        case "DELETE":
          if (index < 0)
            errors.push(
              `Tried to delete resource record set [name='${record.Name}', type='${record.Type}', set-identifier='${record.SetIdentifier ?? ""}'] but it was not found`,
            );
          else if (!sameRecord(records[index], record))
            errors.push(
              `Tried to delete resource record set [name='${record.Name}', type='${record.Type}'] but the values provided do not match the current values`,
            );
          else records.splice(index, 1);
          break;
        default:
          errors.push(`Invalid Action ${String(change.Action)}`);
      }
      if (record.HealthCheckId !== undefined && change.Action !== "DELETE" && !this.healthCheckIds.includes(record.HealthCheckId)) {
        throw new Route53Fault("NoSuchHealthCheck", `A health check with id ${record.HealthCheckId} does not exist.`);
      }
    }
    errors.push(...this.validate(zoneId, records));
    if (errors.length > 0) throw new Route53Fault("InvalidChangeBatch", errors.join("; "));
    zone.records = records;
    this.changeCounter += 1;
    const id = `/change/C${String(this.changeCounter).padStart(4, "0")}SIMULATED${zoneId.slice(-4)}`;
    const start = Math.max(t, this.propagationStuckUntil);
    const entry = { id, submittedAt: t, insyncAt: start + this.propagationSeconds, ...(comment ? { comment } : {}) };
    this.changes.set(id, entry);
    return entry;
  }

  /** GetChange at `t`: `PENDING` or `INSYNC`. @throws Route53Fault NoSuchChange */
  getChange(t: number, id: string): { id: string; status: "PENDING" | "INSYNC"; submittedAt: number } {
    const full = id.startsWith("/change/") ? id : `/change/${id}`;
    const entry = this.changes.get(full);
    if (!entry) throw new Route53Fault("NoSuchChange", `A change with the specified change ID does not exist: ${id}`);
    return { id: full, status: t >= entry.insyncAt ? "INSYNC" : "PENDING", submittedAt: entry.submittedAt };
  }

  /** The rules a zone's records must satisfy after a batch. */
  private validate(zoneId: string, records: RecordSet[]): string[] {
    const errors: string[] = [];
    const byNameType = new Map<string, RecordSet[]>();
    for (const record of records) {
      const group = `${normalizeName(record.Name)}|${record.Type}`;
      byNameType.set(group, [...(byNameType.get(group) ?? []), record]);
      if (record.AliasTarget) {
        const target = record.AliasTarget;
        if (target.HostedZoneId === zoneId) {
          if (!records.some((other) => normalizeName(other.Name) === normalizeName(target.DnsName) && other.Type === record.Type)) {
            errors.push(
              `Tried to create an alias that targets ${target.DnsName}., type ${record.Type} in zone ${zoneId}, but the alias target name does not lie within the target zone`,
            );
          }
        } else if (!this.loadBalancers.some((lb) => lb.zoneId === target.HostedZoneId && normalizeName(lb.dnsName) === normalizeName(target.DnsName))) {
          errors.push(
            `Tried to create an alias that targets ${target.DnsName}., type ${record.Type} in zone ${target.HostedZoneId}, but the alias target name does not lie within the target zone`,
          );
        }
      }
    }
    for (const [group, sets] of byNameType) {
      const policies = new Set(sets.map(routingPolicy));
      if (policies.size > 1)
        errors.push(`RRSet with DNS name ${group.split("|")[0]}. and type ${sets[0].Type} cannot mix routing policies (${[...policies].join(", ")})`);
      if (sets.some((record) => routingPolicy(record) === "simple") && sets.length > 1) errors.push(`RRSet ${group} is a simple record and must be unique`);
    }
    return errors;
  }
}
