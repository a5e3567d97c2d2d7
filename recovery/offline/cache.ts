/**
 * A simulated ElastiCache global datastore (recovery/cacheSteps.ts, ElastiCache API Reference:
 * DescribeReplicationGroups, FailoverGlobalReplicationGroup, DisassociateGlobalReplicationGroup): two
 * members, the primary region's and the DR region's replication groups, one of them the primary, the
 * DR member possibly detached (standalone), and their transitions over simulated time:
 * - FailoverGlobalReplicationGroup makes the named member the primary after `cacheFailoverSeconds`
 *   ("The secondary region will become primary, and all other clusters will become secondary");
 * - DisassociateGlobalReplicationGroup makes a secondary standalone after `cacheDetachSeconds` ("will
 *   remain as a standalone cluster in that Amazon region"); a standalone group never re-joins;
 * - the refusals the API reference lists: GlobalReplicationGroupNotFoundFault, and
 *   InvalidGlobalReplicationGroupState ("The Global datastore is not available or in primary-only
 *   state") for a datastore with a change running, a target already primary, or a member to detach
 *   that is not a secondary;
 * - what AWS does not document: a failover while the current primary's region is down. The default is
 *   the reading the workflow guards against (`failoverWhilePrimaryDown: "refused"`: making the old
 *   primary a secondary needs its region); a scenario can make it `stall` (accepted, never completed
 *   while that region is down) or `complete` (AWS promotes regardless).
 *
 * Durations: no figure is documented for either call. A promotion "typically completes in less than a
 * minute" (AWS What's New, "Amazon ElastiCache for Redis announces Global Datastore", 2020-03-16):
 * `CACHE_FAILOVER_SECONDS` 60. A detach: none found; the simulation assumes the same typical minute
 * (`CACHE_DETACH_SECONDS`), said so in docs/cache.md.
 */
import type { GlobalCacheTargets } from "../targets";
import { ELASTICACHE_GLOBAL_FAILOVER_SECONDS } from "../../budget/figures";

/** A promotion "typically completes in less than a minute" (module comment): 60 s, the figure the recovery budget counts. */
export const CACHE_FAILOVER_SECONDS = ELASTICACHE_GLOBAL_FAILOVER_SECONDS;
/** No documented figure; a typical minute assumed (module comment). */
export const CACHE_DETACH_SECONDS = 60;

/** An ElastiCache fault of a global datastore call, named as the API names it. */
export class CacheFault extends Error {
  constructor(
    readonly code: "GlobalReplicationGroupNotFoundFault" | "InvalidGlobalReplicationGroupState" | "ReplicationGroupNotFoundFault",
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** The error names of `CacheFault`s through the Step Functions SDK integration (Java SDK v2: `Fault` and bare codes become `...Exception`). */
export const CACHE_FAULT_SDK_NAMES: Record<CacheFault["code"], string> = {
  GlobalReplicationGroupNotFoundFault: "ElastiCache.GlobalReplicationGroupNotFoundException",
  InvalidGlobalReplicationGroupState: "ElastiCache.InvalidGlobalReplicationGroupStateException",
  ReplicationGroupNotFoundFault: "ElastiCache.ReplicationGroupNotFoundException",
};

/** Faults and initial conditions of a scenario's cache, simulated seconds. */
export interface CacheSetup {
  /** The global datastore does not exist. */
  globalMissing?: boolean;
  /** The DR member is already standalone at the start (an earlier detach). */
  drDetached?: boolean;
  /** The DR member is already the primary at the start (an earlier failover). */
  drIsPrimary?: boolean;
  /** What FailoverGlobalReplicationGroup does while the current primary's region is down (module comment); default `refused`. */
  failoverWhilePrimaryDown?: "refused" | "stall" | "complete";
  /** Every FailoverGlobalReplicationGroup is refused (InvalidGlobalReplicationGroupState), whatever the regions. */
  failoverRefused?: boolean;
  /** Every DisassociateGlobalReplicationGroup is refused. */
  detachRefused?: boolean;
}

interface Change {
  kind: "failover" | "detach";
  /** The member the change is about: the new primary (failover) or the member detached. */
  member: string;
  startedAt: number;
  /** Undefined: never completes (a stalled failover). */
  completesAt?: number;
}

export class SimulatedGlobalCache {
  private primaryMember: string;
  private drStandalone: boolean;
  private readonly changes: Change[] = [];
  /** FailoverGlobalReplicationGroup and DisassociateGlobalReplicationGroup calls: when, which, accepted or not. */
  readonly requests: { at: number; kind: Change["kind"]; member: string; accepted: boolean }[] = [];

  constructor(
    readonly cache: GlobalCacheTargets,
    readonly regions: { dr: string; primary: string },
    readonly setup: CacheSetup,
    private readonly durations: { cacheFailoverSeconds: number; cacheDetachSeconds: number },
    /** Whether the primary region is up at `t`, and since when it has been up without a break (-Infinity: always; undefined: down). */
    private readonly primaryRegion: { up: (t: number) => boolean; upSince: (t: number) => number | undefined },
  ) {
    this.primaryMember = setup.drIsPrimary ? cache.drReplicationGroupId : cache.primaryReplicationGroupId;
    this.drStandalone = setup.drDetached ?? false;
  }

  private regionOf(member: string): string {
    return member === this.cache.drReplicationGroupId ? this.regions.dr : this.regions.primary;
  }

  /** Applies the changes completed by `t`. */
  private settle(t: number): void {
    for (const change of this.changes) {
      if (change.completesAt === undefined || t < change.completesAt) continue;
      if (change.kind === "failover") this.primaryMember = change.member;
      else if (change.member === this.cache.drReplicationGroupId) this.drStandalone = true;
    }
    // A completed change is applied once.
    for (let index = this.changes.length - 1; index >= 0; index -= 1) {
      const change = this.changes[index];
      if (change.completesAt !== undefined && t >= change.completesAt) this.changes.splice(index, 1);
    }
  }

  /** The change running at `t`, if any (a stalled failover runs until its region returns, when it completes). */
  private running(t: number): Change | undefined {
    this.resumeStalled(t);
    this.settle(t);
    return this.changes.find((change) => t >= change.startedAt && (change.completesAt === undefined || t < change.completesAt));
  }

  /** A stalled failover completes `cacheFailoverSeconds` after the old primary's region is back. */
  private resumeStalled(t: number): void {
    const upSince = this.primaryRegion.upSince(t);
    if (upSince === undefined) return;
    for (const change of this.changes) {
      if (change.completesAt === undefined) change.completesAt = Math.max(change.startedAt, upSince) + this.durations.cacheFailoverSeconds;
    }
  }

  /** Role of `member` at `t`: `primary`, `secondary` or `standalone`. */
  role(member: string, t: number): "primary" | "secondary" | "standalone" {
    this.running(t);
    if (member === this.cache.drReplicationGroupId && this.drStandalone) return "standalone";
    return member === this.primaryMember ? "primary" : "secondary";
  }

  /** DescribeReplicationGroups' `ReplicationGroups[0]` for `member`, as the SDK integration casts it (ElastiCache API Reference, ReplicationGroup). */
  describe(member: string, t: number): Record<string, unknown> {
    if (member !== this.cache.drReplicationGroupId && member !== this.cache.primaryReplicationGroupId) {
      throw new CacheFault("ReplicationGroupNotFoundFault", `ReplicationGroup ${member} not found.`);
    }
    const running = this.running(t);
    const role = this.role(member, t);
    const changing = running !== undefined && (running.member === member || (running.kind === "failover" && this.primaryMember === member));
    return {
      ReplicationGroupId: member,
      Status: changing ? "modifying" : "available",
      ...(role === "standalone" || this.setup.globalMissing
        ? {}
        : {
            GlobalReplicationGroupInfo: { GlobalReplicationGroupId: this.cache.globalReplicationGroupId, GlobalReplicationGroupMemberRole: role.toUpperCase() },
          }),
    };
  }

  private refuse(t: number, kind: Change["kind"], member: string, code: CacheFault["code"], message: string): never {
    this.requests.push({ at: t, kind, member, accepted: false });
    throw new CacheFault(code, message);
  }

  private checkGlobal(t: number, kind: Change["kind"], member: string, id: unknown): void {
    if (this.setup.globalMissing || id !== this.cache.globalReplicationGroupId) {
      this.refuse(t, kind, member, "GlobalReplicationGroupNotFoundFault", `Global Datastore ${String(id)} not found.`);
    }
  }

  /**
   * FailoverGlobalReplicationGroup at `t`: `primaryRegion` and `member` name the new primary.
   * @throws CacheFault as ElastiCache refuses it (module comment).
   */
  failover(t: number, id: unknown, primaryRegion: unknown, member: string): void {
    this.checkGlobal(t, "failover", member, id);
    const known = member === this.cache.drReplicationGroupId || member === this.cache.primaryReplicationGroupId;
    if (!known || primaryRegion !== this.regionOf(member)) {
      this.refuse(
        t,
        "failover",
        member,
        "InvalidGlobalReplicationGroupState",
        `${member} in ${String(primaryRegion)} is not a member of ${this.cache.globalReplicationGroupId}`,
      );
    }
    if (this.running(t))
      this.refuse(t, "failover", member, "InvalidGlobalReplicationGroupState", `Global Datastore ${this.cache.globalReplicationGroupId} is modifying`);
    if (this.role(member, t) !== "secondary") {
      this.refuse(
        t,
        "failover",
        member,
        "InvalidGlobalReplicationGroupState",
        `${member} is ${this.role(member, t)}, not a secondary of ${this.cache.globalReplicationGroupId}`,
      );
    }
    if (this.setup.failoverRefused)
      this.refuse(t, "failover", member, "InvalidGlobalReplicationGroupState", `Global Datastore ${this.cache.globalReplicationGroupId} is not available`);
    const oldPrimaryDown = !this.primaryRegion.up(t) && this.regionOf(this.primaryMember) === this.regions.primary;
    const whileDown = this.setup.failoverWhilePrimaryDown ?? "refused";
    if (oldPrimaryDown && whileDown === "refused") {
      this.refuse(
        t,
        "failover",
        member,
        "InvalidGlobalReplicationGroupState",
        `Global Datastore ${this.cache.globalReplicationGroupId} is not available (its primary in ${this.regions.primary} does not answer)`,
      );
    }
    this.requests.push({ at: t, kind: "failover", member, accepted: true });
    this.changes.push({
      kind: "failover",
      member,
      startedAt: t,
      ...(oldPrimaryDown && whileDown === "stall" ? {} : { completesAt: t + this.durations.cacheFailoverSeconds }),
    });
  }

  /**
   * DisassociateGlobalReplicationGroup at `t` of `member` in `region`.
   * @throws CacheFault as ElastiCache refuses it.
   */
  detach(t: number, id: unknown, member: string, region: unknown): void {
    this.checkGlobal(t, "detach", member, id);
    if (member !== this.cache.drReplicationGroupId || region !== this.regions.dr) {
      this.refuse(t, "detach", member, "InvalidGlobalReplicationGroupState", `${member} in ${String(region)} is not a secondary this workflow may detach`);
    }
    if (this.setup.detachRefused)
      this.refuse(t, "detach", member, "InvalidGlobalReplicationGroupState", `Global Datastore ${this.cache.globalReplicationGroupId} is not available`);
    if (this.role(member, t) !== "secondary") {
      this.refuse(t, "detach", member, "InvalidGlobalReplicationGroupState", `${member} is ${this.role(member, t)}, not a secondary`);
    }
    // A failover that stalls on the lost region does not block the detach of the other member: the detach is what the outage path needs.
    const stalled = this.changes.filter((change) => change.kind === "failover" && change.completesAt === undefined);
    for (const change of stalled) this.changes.splice(this.changes.indexOf(change), 1);
    if (this.running(t))
      this.refuse(t, "detach", member, "InvalidGlobalReplicationGroupState", `Global Datastore ${this.cache.globalReplicationGroupId} is modifying`);
    this.requests.push({ at: t, kind: "detach", member, accepted: true });
    this.changes.push({ kind: "detach", member, startedAt: t, completesAt: t + this.durations.cacheDetachSeconds });
  }

  /** Accepted calls of `kind` on `member`. */
  accepted(kind: Change["kind"], member: string): number {
    return this.requests.filter((request) => request.accepted && request.kind === kind && request.member === member).length;
  }
}
