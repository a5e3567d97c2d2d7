/**
 * A simulated RDS DB instance: its status over simulated time, whether it is a read replica (and
 * of what), and PromoteReadReplica with RDS's rules (RDS User Guide, "Promoting a read replica to
 * be a standalone DB instance"): only a read replica in `available` status can be promoted;
 * promotion runs `modifying` then `rebooting` for `rdsPromotionSeconds`, then the instance is
 * `available` and standalone. Faults a scenario can inject: a backup in progress (`backing-up`, which
 * refuses promotion), a promotion that breaks the instance (e.g. `failed`), an instance that breaks
 * on its own.
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
  }

  /** DBInstanceStatus at `t`. */
  status(t: number): string {
    if (this.breaksAt && t >= this.breaksAt.at) return this.breaksAt.status;
    const promotion = this.promotion;
    if (promotion) {
      if (promotion.breaksAt !== undefined && t >= promotion.breaksAt) return promotion.breakStatus ?? "failed";
      if (t < promotion.rebootsAt) return "modifying";
      if (t < promotion.completesAt) return "rebooting";
    }
    return t < this.backingUpUntil ? "backing-up" : "available";
  }

  /** ARN of the replication source at `t`, or undefined for a standalone instance (the field is absent in DescribeDBInstances). */
  source(t: number): string | undefined {
    const promotion = this.promotion;
    const promoted = promotion !== undefined && t >= promotion.completesAt && (promotion.breaksAt === undefined || promotion.breaksAt > promotion.completesAt);
    return promoted ? undefined : this.sourceArn;
  }

  isReplica(t: number): boolean {
    return this.source(t) !== undefined;
  }

  /** Simulated second the promotion completed (standalone and available), if it did by `t`. */
  promotedAt(t: number): number | undefined {
    return this.promotion && !this.isReplica(t) && this.sourceArn !== undefined ? this.promotion.completesAt : undefined;
  }

  /** Starts a promotion at `t`. @throws DatabaseFault as RDS refuses it. */
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
}
