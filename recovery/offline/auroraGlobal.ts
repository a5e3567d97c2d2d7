/**
 * A simulated Aurora global database (Aurora User Guide, "Using switchover or failover in Amazon
 * Aurora Global Database"; RDS API Reference, DescribeGlobalClusters, FailoverGlobalCluster,
 * SwitchoverGlobalCluster, DescribeDBClusters): two member clusters, one writer, the global
 * cluster's status and running switch (FailoverState), and their transitions over simulated time:
 * - a managed failover (`AllowDataLoss`) starts at once, whatever the old primary's state, and makes
 *   the target the writer after `auroraFailoverSeconds`; the old primary stays a member, not synchronized
 *   (`pending-resync`), until its region is back and Aurora has rebuilt it (`auroraRejoinSeconds`);
 * - a switchover waits until the target is synchronized (the lag), then takes `auroraSwitchoverSeconds`;
 *   it needs every member connected, and is called in the region of the current writer;
 * - a switch can be refused (InvalidGlobalClusterState) or cancelled (FailoverState `cancelling`, then
 *   back to the old writer), as a scenario injects.
 */
import type { Durations } from "./durations";

/** An RDS fault of a global database call, named as the RDS API names it. */
export class AuroraFault extends Error {
  constructor(
    readonly code: "GlobalClusterNotFound" | "InvalidGlobalClusterState" | "DBClusterNotFound" | "InvalidDBClusterState",
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface SimulatedCluster {
  identifier: string;
  arn: string;
  region: string;
  /** Writer (cluster) endpoint and reader endpoint addresses. */
  endpoint: string;
  readerEndpoint: string;
}

/** Faults and initial conditions of a scenario, simulated seconds. */
export interface AuroraSetup {
  /** Replication lag of the secondary while replicating, seconds (default 1: "typical latency of under a second"). */
  steadyLagSeconds?: number;
  /** The lag once the writer's region is lost: `grows` with the time since (default) or `frozen`. */
  afterSourceLoss?: "grows" | "frozen";
  /** The global cluster does not exist. */
  globalClusterMissing?: boolean;
  /** The DR cluster was detached from the global cluster (a standalone cluster now). */
  drNotMember?: boolean;
  /** The DR cluster does not exist. */
  drClusterMissing?: boolean;
  /** The DR cluster reports this status (e.g. `maintenance`) until `until` (default for ever). */
  drClusterStatus?: { status: string; until?: number };
  /** The DR cluster is already the writer at the start (an earlier failover). */
  drIsWriter?: boolean;
  /** FailoverGlobalCluster / SwitchoverGlobalCluster calls are refused with InvalidGlobalClusterState. */
  switchRefused?: boolean;
  /** An accepted switch is cancelled this many seconds after it starts. */
  switchCancelsAfter?: number;
  /** After a failover the old primary is never re-added (as after a manual detach-and-promote). */
  primaryNeverRejoins?: boolean;
  /** The first accepted switch call's answer is lost: the caller sees a timeout although Aurora switches. */
  firstAnswerLost?: boolean;
}

interface Switch {
  kind: "failover" | "switchover";
  target: string;
  from: string;
  startedAt: number;
  completesAt: number;
  cancelsAt?: number;
  /** Seconds of writes not replicated to the target when it took over (0 for a switchover). */
  dataLossSeconds: number;
}

export class SimulatedGlobalDatabase {
  readonly globalClusterIdentifier: string;
  readonly dr: SimulatedCluster;
  readonly primary: SimulatedCluster;
  private writerArn: string;
  private readonly switches: Switch[] = [];
  /** FailoverGlobalCluster / SwitchoverGlobalCluster calls: when, which, accepted or not. */
  readonly switchRequests: { at: number; kind: Switch["kind"]; target: string; accepted: boolean }[] = [];
  /** When the failover away from the primary cluster completed (the old primary then waits to rejoin). */
  private failedOverAt?: number;

  constructor(
    readonly setup: AuroraSetup,
    clusters: { globalClusterIdentifier: string; dr: SimulatedCluster; primary: SimulatedCluster },
    private readonly durations: Durations,
    /** Whether the primary region is up at `t`, when its current outage started, and since when it has been up without a break. */
    private readonly primaryRegion: { up: (t: number) => boolean; outageStart: (t: number) => number | undefined; upSince: (t: number) => number | undefined },
  ) {
    this.globalClusterIdentifier = clusters.globalClusterIdentifier;
    this.dr = clusters.dr;
    this.primary = clusters.primary;
    this.writerArn = setup.drIsWriter ? this.dr.arn : this.primary.arn;
  }

  get exists(): boolean {
    return !this.setup.globalClusterMissing;
  }

  /** The switch running at `t`, if any (a cancelled one runs until it is rolled back). */
  private running(t: number): Switch | undefined {
    return this.switches.find(
      (item) => t >= item.startedAt && t < (item.cancelsAt !== undefined ? item.cancelsAt + this.durations.auroraSwitchoverSeconds : item.completesAt),
    );
  }

  /** Applies the switches completed by `t`. */
  private settle(t: number): void {
    for (const item of this.switches) {
      if (item.cancelsAt === undefined && t >= item.completesAt && this.writerArn === item.from) {
        this.writerArn = item.target;
        if (item.kind === "failover" && item.from === this.primary.arn) this.failedOverAt = item.completesAt;
      }
    }
  }

  /**
   * Whether the old primary still waits to rejoin at `t` after a failover away from it: Aurora rebuilds
   * it once its region is up, taking `auroraRejoinSeconds` from the later of the failover and the region's return.
   */
  private pendingRejoin(t: number): boolean {
    if (this.failedOverAt === undefined || this.writerArn === this.primary.arn) return false;
    const upSince = this.primaryRegion.upSince(t);
    return upSince === undefined || t < Math.max(upSince, this.failedOverAt) + this.durations.auroraRejoinSeconds;
  }

  writer(t: number): string {
    this.settle(t);
    return this.writerArn;
  }

  isMember(arn: string): boolean {
    if (arn === this.dr.arn) return !this.setup.drNotMember && !this.setup.drClusterMissing;
    if (arn === this.primary.arn) return !(this.setup.primaryNeverRejoins && this.failedOverAway());
    return false;
  }

  /** Whether the primary cluster lost the writer role through a managed failover. */
  private failedOverAway(): boolean {
    return this.switches.some((item) => item.kind === "failover" && item.from === this.primary.arn && item.cancelsAt === undefined);
  }

  /** `connected`, or `pending-resync` while the old primary waits for its region and its rebuild. */
  synchronization(arn: string, t: number): "connected" | "pending-resync" {
    this.settle(t);
    return arn === this.primary.arn && this.pendingRejoin(t) ? "pending-resync" : "connected";
  }

  /** Status of the global cluster: `failing-over` or `switching-over` while a switch runs, else `available`. */
  status(t: number): string {
    const running = this.running(t);
    if (!running) return "available";
    return running.kind === "failover" ? "failing-over" : "switching-over";
  }

  /** FailoverState of the global cluster at `t`, if a switch runs. */
  failoverState(t: number): Record<string, unknown> | undefined {
    const running = this.running(t);
    if (!running) return undefined;
    const cancelling = running.cancelsAt !== undefined && t >= running.cancelsAt;
    return {
      Status: cancelling ? "cancelling" : running.kind === "failover" ? "failing-over" : "pending",
      FromDbClusterArn: running.from,
      ToDbClusterArn: running.target,
      IsDataLossAllowed: running.kind === "failover",
    };
  }

  /** DBCluster.Status of a member at `t`. */
  clusterStatus(cluster: SimulatedCluster, t: number): string {
    const running = this.running(t);
    if (cluster.arn === this.dr.arn && this.setup.drClusterStatus && t < (this.setup.drClusterStatus.until ?? Number.POSITIVE_INFINITY)) {
      return this.setup.drClusterStatus.status;
    }
    if (running && (running.target === cluster.arn || running.from === cluster.arn)) return running.kind === "failover" ? "failing-over" : "switching-over";
    return "available";
  }

  /** Replication lag of the DR cluster while it is the secondary, seconds; undefined when it is the writer (no metric in the writer's region). */
  drLag(t: number): number | undefined {
    if (this.writer(t) === this.dr.arn || !this.isMember(this.dr.arn)) return undefined;
    const steady = this.setup.steadyLagSeconds ?? 1;
    const lost = this.primaryRegion.outageStart(t);
    if (lost !== undefined) return Math.round(this.setup.afterSourceLoss === "frozen" ? steady : steady + (t - lost));
    return steady;
  }

  /**
   * Starts a switch to `target` at `t`. `kind` failover: FailoverGlobalCluster with AllowDataLoss;
   * switchover: SwitchoverGlobalCluster, called from `region`, which must be the writer's.
   * @throws AuroraFault as RDS refuses it.
   */
  startSwitch(t: number, kind: Switch["kind"], target: string, region: string): { answerLost: boolean } {
    const writer = this.writer(t);
    const refuse = (code: AuroraFault["code"], message: string): never => {
      this.switchRequests.push({ at: t, kind, target, accepted: false });
      throw new AuroraFault(code, message);
    };
    if (!this.exists) refuse("GlobalClusterNotFound", `Global cluster ${this.globalClusterIdentifier} not found`);
    if (!this.isMember(target)) refuse("InvalidDBClusterState", `${target} is not a member of global cluster ${this.globalClusterIdentifier}`);
    if (this.running(t)) refuse("InvalidGlobalClusterState", `Global cluster ${this.globalClusterIdentifier} is already ${this.status(t)}`);
    if (target === writer) refuse("InvalidGlobalClusterState", `${target} is already the primary cluster of ${this.globalClusterIdentifier}`);
    if (this.setup.switchRefused)
      refuse("InvalidGlobalClusterState", `Global cluster ${this.globalClusterIdentifier} is not in a valid state for this operation`);
    if (kind === "switchover") {
      const writerRegion = writer === this.dr.arn ? this.dr.region : this.primary.region;
      if (region !== writerRegion)
        refuse("InvalidGlobalClusterState", `switchover must be called in ${writerRegion}, the primary cluster's region, not ${region}`);
      if ([this.dr.arn, this.primary.arn].some((arn) => this.synchronization(arn, t) !== "connected")) {
        refuse("InvalidGlobalClusterState", `every member of ${this.globalClusterIdentifier} must be synchronized for a switchover`);
      }
    }
    this.switchRequests.push({ at: t, kind, target, accepted: true });
    // A switchover first waits for the target to catch up (its lag), then switches; a failover switches at once.
    const lag = target === this.dr.arn ? (this.drLag(t) ?? 0) : (this.setup.steadyLagSeconds ?? 1);
    const seconds = kind === "switchover" ? lag + this.durations.auroraSwitchoverSeconds : this.durations.auroraFailoverSeconds;
    this.switches.push({
      kind,
      target,
      from: writer,
      startedAt: t,
      completesAt: t + seconds,
      ...(this.setup.switchCancelsAfter !== undefined ? { cancelsAt: t + this.setup.switchCancelsAfter } : {}),
      // A failover loses what was not replicated when the writer was lost (or now): the steady lag, not the metric's growth since.
      dataLossSeconds: kind === "switchover" ? 0 : (this.setup.steadyLagSeconds ?? 1),
    });
    return { answerLost: this.setup.firstAnswerLost === true && this.switchRequests.filter((request) => request.accepted).length === 1 };
  }

  /** Accepted switches onto `target`, and the data-loss window of the first one onto the DR cluster. */
  accepted(target: string): number {
    return this.switchRequests.filter((request) => request.accepted && request.target === target).length;
  }

  requested(target: string): number {
    return this.switchRequests.filter((request) => request.target === target).length;
  }

  /** Seconds of writes lost by the first switch onto the DR cluster that completed, if any. */
  dataLossOfFailover(): number | undefined {
    return this.switches.find((item) => item.target === this.dr.arn && item.cancelsAt === undefined)?.dataLossSeconds;
  }

  /** Role of a cluster at `t`: `writer`, `secondary` or `not-a-member`. */
  role(cluster: SimulatedCluster, t: number): "writer" | "secondary" | "not-a-member" {
    if (!this.isMember(cluster.arn)) return "not-a-member";
    return this.writer(t) === cluster.arn ? "writer" : "secondary";
  }
}
