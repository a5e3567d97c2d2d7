/**
 * A simulated RDS DB instance: its status over simulated time, whether it is a read replica (and
 * of what), and PromoteReadReplica as the RDS documentation describes it. Every rule names its page.
 *
 * - Statuses are those of the RDS User Guide, "DB instance status": `available`, `backing-up`,
 *   `modifying` ("being modified because of a customer request"), `rebooting`, `storage-optimization`
 *   ("being modified to change the storage size or type. The DB instance is fully operational"),
 *   `failed`, `storage-full`, ...
 * - A read replica lists its source in `ReadReplicaSourceDBInstanceIdentifier` ("the identifier of
 *   the source DB instance if this DB instance is a read replica", RDS API Reference, DBInstance); a
 *   cross-Region replica's source is an ARN (RDS User Guide, "Creating a read replica in a different
 *   AWS Region": the source is given "in the ARN format").
 * - Promotion (RDS User Guide, "Promoting a read replica to be a standalone DB instance"): "When you
 *   promote a read replica, replication is stopped and the read replica is rebooted. When the reboot
 *   is complete, the read replica is available as a new DB instance"; it "can take several minutes or
 *   longer to complete, depending on the size of the read replica". Modelled as `modifying` (replication
 *   stopping) for `rdsPromotionSeconds - rdsPromotionRebootSeconds`, then `rebooting`, then `available`
 *   and standalone. When the source link disappears within that sequence is not documented: by default
 *   at the end (`sourceUnlinkedAt: "available"`), or when the reboot starts (`"reboot"`); the workflows
 *   must cope with both.
 * - PromoteReadReplica is accepted only from a read replica in `available` status. The API documents
 *   one refusal by name, `InvalidDBInstanceState` ("The DB instance isn't in a valid state", RDS API
 *   Reference, PromoteReadReplica), and one status: "a read replica cannot be promoted to a standalone
 *   instance when it is in the backing-up status" (same page). Which other statuses RDS refuses is not
 *   documented; the simulator takes the strict reading (any status but `available`, including a
 *   promotion already running, and an instance that is no longer a replica: "Must match the identifier
 *   of an existing read replica DB instance", same page, DBInstanceIdentifier), so that a workflow that
 *   works here also works if RDS accepts more.
 * - Other changes of a replica (`busy`): storage autoscaling "starts a storage modification" when free
 *   space stays at or below 10 percent for five minutes (RDS User Guide, "Managing capacity
 *   automatically with Amazon RDS storage autoscaling"): `modifying`, then `storage-optimization`,
 *   which "is usually short, but can sometimes take up to and even beyond 24 hours" ("DB instance
 *   status"); a parameter change or deploy: `modifying`, then `rebooting`. The replica keeps listing
 *   its source throughout.
 * - Describe calls may lag behind a change (`observed`): the EC2 API documents that "the result of an
 *   API command you run that affects your Amazon EC2 resources might not be immediately visible to all
 *   subsequent commands you run" (Amazon EC2 Developer Guide, "Eventual consistency in the Amazon EC2
 *   API"). The RDS documentation states no such lag, nor any bound; the simulator lets a scenario make
 *   DescribeDBInstances show the state of `lag` seconds ago, while RDS itself (PromoteReadReplica)
 *   acts on the current state, the unhappy case a workflow must survive.
 * Faults a scenario can inject: a backup in progress (`backing-up`), a promotion that breaks the
 * instance (e.g. `failed`), an instance that breaks on its own, the changes above.
 */
import type { Durations } from "./durations";

/** An RDS fault, named as the RDS API names it; the cloud maps it to the caller's error name. */
export class DatabaseFault extends Error {
  constructor(
    readonly code: "InvalidDBInstanceState" | "DBInstanceNotFound",
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** A change of the instance other than a promotion: its statuses in order, from `from`; the source stays listed. */
export interface BusyPeriod {
  from: number;
  phases: { status: string; seconds: number }[];
  /** What it is, for the timeline: `storage autoscaling`, `parameter change`. */
  cause: string;
}

export interface DatabaseSetup {
  identifier: string;
  arn: string;
  region: string;
  /** Endpoint address. */
  address: string;
  /** ARN of the replication source, for a read replica. */
  sourceArn?: string;
  /** `backing-up` until this simulated second. */
  backingUpUntil?: number;
  /** The instance turns to `status` at `at` on its own (e.g. `storage-full`). */
  breaksAt?: { at: number; status: string };
  /** A promotion accepted by this instance breaks it `afterSeconds` later with `status` (e.g. `failed`). */
  promotionBreaks?: { afterSeconds: number; status: string };
  /** Other changes of the instance (storage autoscaling, a parameter change). */
  busy?: BusyPeriod[];
  /** When a promotion drops the source link: when the reboot starts, or when the instance is available (default). */
  sourceUnlinkedAt?: "reboot" | "available";
}

interface Promotion {
  requestedAt: number;
  completesAt: number;
  rebootsAt: number;
  breaksAt?: number;
  breakStatus?: string;
}

export class SimulatedDatabase {
  readonly identifier: string;
  readonly arn: string;
  readonly region: string;
  readonly address: string;
  private sourceArn?: string;
  private readonly backingUpUntil: number;
  private readonly breaksAt?: { at: number; status: string };
  private readonly promotionBreaks?: { afterSeconds: number; status: string };
  private readonly busy: BusyPeriod[];
  private readonly sourceUnlinkedAt: "reboot" | "available";
  private promotion?: Promotion;
  /** PromoteReadReplica calls, accepted or not, with their simulated time. */
  readonly promoteRequests: { at: number; accepted: boolean }[] = [];

  constructor(setup: DatabaseSetup) {
    this.identifier = setup.identifier;
    this.arn = setup.arn;
    this.region = setup.region;
    this.address = setup.address;
    this.sourceArn = setup.sourceArn;
    this.backingUpUntil = setup.backingUpUntil ?? Number.NEGATIVE_INFINITY;
    this.breaksAt = setup.breaksAt;
    this.promotionBreaks = setup.promotionBreaks;
    this.busy = setup.busy ?? [];
    this.sourceUnlinkedAt = setup.sourceUnlinkedAt ?? "available";
  }

  /** The status of another change at `t`, if one runs. */
  private busyStatus(t: number): string | undefined {
    for (const period of this.busy) {
      let start = period.from;
      for (const phase of period.phases) {
        if (t >= start && t < start + phase.seconds) return phase.status;
        start += phase.seconds;
      }
    }
    return undefined;
  }

  /** The promotion running or done at `t` (a promotion requested later does not exist yet at `t`). */
  private promotionAt(t: number): Promotion | undefined {
    return this.promotion && t >= this.promotion.requestedAt ? this.promotion : undefined;
  }

  /** DBInstanceStatus at `t`. */
  status(t: number): string {
    if (this.breaksAt && t >= this.breaksAt.at) return this.breaksAt.status;
    const promotion = this.promotionAt(t);
    if (promotion) {
      if (promotion.breaksAt !== undefined && t >= promotion.breaksAt) return promotion.breakStatus ?? "failed";
      if (t < promotion.rebootsAt) return "modifying";
      if (t < promotion.completesAt) return "rebooting";
    }
    return this.busyStatus(t) ?? (t < this.backingUpUntil ? "backing-up" : "available");
  }

  /** ARN of the replication source at `t`, or undefined for a standalone instance (the field is absent in DescribeDBInstances). */
  source(t: number): string | undefined {
    const promotion = this.promotionAt(t);
    if (!promotion) return this.sourceArn;
    const unlinksAt = this.sourceUnlinkedAt === "reboot" ? promotion.rebootsAt : promotion.completesAt;
    // A promotion that breaks the instance before it unlinks leaves the link (the instance is not a standalone one).
    const broken = promotion.breaksAt !== undefined && promotion.breaksAt <= unlinksAt;
    return t >= unlinksAt && !broken ? undefined : this.sourceArn;
  }

  isReplica(t: number): boolean {
    return this.source(t) !== undefined;
  }

  /** What DescribeDBInstances shows at `t` when it lags `lag` seconds behind the changes (see the module comment). */
  observed(t: number, lag: number): { status: string; source: string | undefined } {
    const seen = t - Math.max(0, lag);
    return { status: this.status(seen), source: this.source(seen) };
  }

  /** Simulated second the promotion completed (standalone and available), if it did by `t`. */
  promotedAt(t: number): number | undefined {
    return this.promotion && !this.isReplica(t) && this.sourceArn !== undefined ? this.promotion.completesAt : undefined;
  }

  /** Starts a promotion at `t`. @throws DatabaseFault as RDS refuses it (module comment). */
  promote(t: number, durations: Durations): void {
    const status = this.status(t);
    const replica = this.isReplica(t);
    const accepted = replica && status === "available" && !this.promotion;
    this.promoteRequests.push({ at: t, accepted });
    if (!replica) throw new DatabaseFault("InvalidDBInstanceState", `DB instance ${this.identifier} is not a read replica.`);
    if (!accepted) throw new DatabaseFault("InvalidDBInstanceState", `DB instance ${this.identifier} is not in available state (status ${status}).`);
    const completesAt = t + durations.rdsPromotionSeconds;
    this.promotion = {
      requestedAt: t,
      completesAt,
      rebootsAt: completesAt - Math.min(durations.rdsPromotionRebootSeconds, durations.rdsPromotionSeconds),
      ...(this.promotionBreaks ? { breaksAt: t + this.promotionBreaks.afterSeconds, breakStatus: this.promotionBreaks.status } : {}),
    };
  }

  /** Accepted PromoteReadReplica calls. */
  get acceptedPromotions(): number {
    return this.promoteRequests.filter((request) => request.accepted).length;
  }

  /** The other changes of the instance, for the timeline. */
  get busyPeriods(): readonly BusyPeriod[] {
    return this.busy;
  }
}
