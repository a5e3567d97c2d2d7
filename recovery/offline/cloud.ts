/**
 * The simulated pair of regions the recovery workflows act on, built from the RecoveryTargets:
 * - primary region: up or down (outages), its database (writable, or a replica of the DR database
 *   after re-protection), its Auto Scaling Group and target health, reached only through the
 *   primary-region operations function;
 * - DR region: the read replica (status, source, lag), the DR Auto Scaling Group and its target
 *   group, CloudWatch alarms derived from the model, the SNS topic;
 * - aurora-global mode (`targets.database`): the Aurora global database instead of the read replica
 *   (auroraGlobal.ts): its two clusters, writer, switches and lag; the DR region's stable name points
 *   at the DR cluster's reader endpoint, the primary's at the primary cluster's writer endpoint;
 * - Route 53: the public zone's failover pair (records and health checks as synthesized:
 *   healthChecks.ts) and drill pool, both private zones' database names, change ids;
 * - the outage as it happens (DESIGN.md, "The outage model"): the failed primary region answers no API
 *   and its load balancer nothing; when it is us-east-1, Route 53's control plane fails with it, while
 *   Route 53's health checks and DNS answers keep working; when it returns, its load balancer is healthy
 *   and its old database writable, and `oldPrimaryWriteSeconds` measures the writes that could reach it.
 *
 * `invoke` implements every call the failover, failback and drill definitions make: it dispatches on
 * the Task's Resource (`aws-sdk:<service>:<action>`, or `lambda:invoke` and the payload's
 * `operation`), checks that the call targets the resources of the targets (anything else throws the
 * error AWS would, e.g. `Rds.DbInstanceNotFoundException`, and is recorded as a violation), applies
 * the change at the simulated time of the request and answers after the call's latency, in the
 * casing Step Functions' SDK integrations use (`DbInstances[0].DbInstanceStatus`, `ChangeInfo.Id`).
 *
 * The unhappy paths the AWS documentation describes, each injected by a scenario and each cited where
 * it is modelled: throttling and Route 53's PriorRequestNotComplete (`apiFaults`, errors.ts
 * `FAULT_ERRORS`), Describe calls that lag behind a change (`describeLagSeconds`, database.ts), the
 * intermediate statuses a resource passes through (a promotion `modifying` then `rebooting`, storage
 * autoscaling `modifying` then `storage-optimization`: database.ts; instances `Pending` then
 * `InService` and targets `initial` then `healthy`: autoScaling.ts; Route 53 changes `PENDING` then
 * `INSYNC`: route53.ts; an Aurora switch: auroraGlobal.ts).
 */
import { SDK_TASK_TIMEOUT_SECONDS } from "../asl";
import type { Workflow } from "../names";
import type { PrimaryRegionOperation } from "../primaryRegion";
import { auroraGlobalOf, type Capacity, globalCacheOf, globalClusterArn, type RecoveryTargets, regionalCacheOf } from "../targets";
import { AuroraFault, type AuroraSetup, type SimulatedCluster, SimulatedGlobalDatabase } from "./auroraGlobal";
import { AutoScalingFault, SimulatedAutoScalingGroup } from "./autoScaling";
import { CACHE_FAULT_SDK_NAMES, CacheFault, type CacheSetup, SimulatedGlobalCache } from "./cache";
import type { VirtualClock } from "./clock";
import { type BusyPeriod, DatabaseFault, SimulatedDatabase } from "./database";
import type { Durations } from "./durations";
import { HEARTBEAT_CLOCK_SKEW_MARGIN_SECONDS, HEARTBEAT_LAST_BEAT_OF_MINUTE } from "../heartbeat";
import { type ApiFault, AwsError, FAULT_ERRORS, SimulatorError, StatesRuntimeError } from "./errors";
import { type Change, type RecordSet, Route53Fault, SimulatedRoute53, normalizeName } from "./route53";
import { defaultRouting, HealthChecks, type RoutingSpec } from "./healthChecks";

/**
 * Where Route 53's control plane (ChangeResourceRecordSets, GetChange, every API call) runs, by
 * partition: "Route 53 operates its control plane in us-east-1" for the aws partition (AWS Fault
 * Isolation Boundaries, "Global services"; Route 53 Developer Guide, "Resilience in Amazon Route 53");
 * us-gov-west-1 in AWS GovCloud (US) (AWS GovCloud (US) User Guide, "Amazon Route 53"). Its data plane
 * (DNS answers, health checkers) runs worldwide and keeps working when that region fails.
 */
export const ROUTE53_CONTROL_PLANE_REGION: Record<string, string> = { aws: "us-east-1", "aws-us-gov": "us-gov-west-1" };

/**
 * Step Functions' default Task timeout when a Task sets no TimeoutSeconds: 99999999 s (Step Functions
 * Developer Guide, "Task workflow state", TimeoutSeconds).
 */
const DEFAULT_TASK_TIMEOUT_SECONDS = 99999999;

/** The initial condition of the world and the faults a scenario injects, in simulated seconds (0 = the first execution's start). */
export interface WorldSetup {
  /**
   * The primary region fails at `from` (and is back at `until`): every API of that region fails or
   * times out (the primary-region operations function's calls, its RDS, Auto Scaling, ELB, CloudWatch
   * and EventBridge), its load balancer answers nothing (Route 53's endpoint checks fail), and when it is
   * the region of Route 53's control plane (`ROUTE53_CONTROL_PLANE_REGION`, us-east-1), ChangeResourceRecordSets
   * and GetChange fail too; Route 53's data plane keeps answering (DESIGN.md, "The outage model").
   * `apis`: how a call to a failed region ends: `timeout` (default: no answer, the Task fails with
   * States.Timeout after its TimeoutSeconds) or `unavailable` (refused at once with the service's base
   * exception, `<Service>.<Service>Exception`, the name Step Functions gives an error the API model does
   * not list: Step Functions Developer Guide, "AWS SDK service integrations").
   */
  primaryOutage?: { from: number; until?: number; apis?: "timeout" | "unavailable" };
  /**
   * The primary load balancer's `/health` flaps while the region is up, from `from` to `until`: it
   * answers for `upSeconds`, then fails for `downSeconds`, and so on (an app restarting in a loop, a
   * region coming back in pieces).
   */
  primaryEndpointFlaps?: { from: number; until: number; upSeconds: number; downSeconds: number };
  replica?: {
    /** The replica does not exist. */
    missing?: boolean;
    /** `backing-up` until this second. */
    backingUpUntil?: number;
    /** ReplicaLag while replicating normally, seconds (default 1). */
    steadyLagSeconds?: number;
    /**
     * ReplicaLag once the source is unreachable: `grows` (default; the lag is the age of the newest
     * replayed transaction, as PostgreSQL computes it) or `frozen` at the steady lag.
     */
    afterSourceLoss?: "grows" | "frozen";
    /**
     * Replication stops from this second (an error on the replica, e.g. a MySQL SQL thread stopped by a
     * duplicate key): nothing more is replayed; MySQL reads -1, PostgreSQL the growing age of the last replayed commit.
     */
    stoppedFrom?: number;
    /** Replication stalls from this second: the lag grows and stopping writes does not bring it to 0. */
    stalledFrom?: number;
    /** A promotion breaks the instance `afterSeconds` after it is accepted, with `status`. */
    promotionBreaks?: { afterSeconds: number; status: string };
    /** The engine, when the scenario is about one (default: the plan's, from its heartbeat function). */
    engine?: "postgres" | "mysql";
    /** The replication heartbeat writes nothing (its function fails, or a user disabled its schedule). */
    heartbeatStopped?: boolean;
    /** Other changes of the replica (storage autoscaling, a parameter change): database.ts. */
    busy?: BusyPeriod[];
    /** When a promotion drops the source link (database.ts; default `available`). */
    sourceUnlinkedAt?: "reboot" | "available";
  };
  dr?: {
    /** The DR group's capacity at the start (default: its standby capacity). */
    capacity?: Capacity;
    /** From this second, launches never produce an instance (InsufficientInstanceCapacity). */
    launchesFailFrom?: number;
    /** Instances launched from this second never pass /health. */
    newInstancesUnhealthyFrom?: number;
  };
  /** Route 53 changes submitted before this second stay PENDING until it, plus the propagation delay. */
  route53PropagationStuckUntil?: number;
  /** CloudWatch does not evaluate the fence alarm until this second (it stays as it was). */
  fenceAlarmStuckUntil?: number;
  /** Alarms in ALARM over a window, whatever the model says (e.g. the DR 5xx alarm during a drill). */
  alarmsFiring?: { name: string; from: number; until?: number }[];
  /** Executions of each workflow already RUNNING besides the simulated one. */
  otherRunningExecutions?: Partial<Record<Workflow, number>>;
  /** Aurora-global mode: the global database's faults and initial state (ignored in instance mode). */
  aurora?: AuroraSetup;
  /** A cache with a global datastore (`targets.cache`): its faults and initial state (cache.ts); ignored without one. */
  cache?: CacheSetup;
  /**
   * Describe calls that lag behind the changes by this many seconds (eventual consistency, database.ts):
   * DescribeDBInstances (and the primary-region function's describeDatabase), DescribeAutoScalingGroups.
   */
  describeLagSeconds?: { rds?: number; autoScaling?: number };
  /**
   * Calls refused with an unhappy-path error during a window (errors.ts `FAULT_ERRORS`): `api` is
   * `<service>:<action>` as a Task's Resource names it (`rds:describeDBInstances`), `<service>:*`,
   * or `lambda:<operation>` for the primary-region function (refused by the Lambda service).
   */
  apiFaults?: { api: string; fault: ApiFault; from: number; until: number }[];
  /**
   * Calls whose answer never reaches the workflow during a window: the service performs the call
   * (accepts or refuses it as it would) and the answer is lost, so the Task fails after its
   * `TimeoutSeconds` with `States.Timeout` ("A Task state ran longer than the TimeoutSeconds value",
   * Step Functions Developer Guide, "Handling errors in Step Functions workflows", error names), or,
   * through the primary-region function, with the function's timeout (`TimeoutError`). `api` as in `apiFaults`.
   * A window is `from`-`until` (simulated seconds), or, from `from` on, the answers of the first
   * `calls` calls of that api (a window that follows the workflow's own timing).
   */
  answersLost?: ({ api: string; from: number; until: number } | { api: string; from: number; calls: number })[];
}

/** Values the synthesized plan knows better than a fixture (fromPlan.ts); all optional. */
export interface PlanFacts {
  secondarySetIdentifier?: string;
  replicaAddress?: string;
  primaryDatabaseAddress?: string;
  /** Aurora-global mode: the clusters' writer and reader endpoints. */
  drClusterEndpoint?: string;
  drClusterReaderEndpoint?: string;
  primaryClusterEndpoint?: string;
  /** The DR private zone's stable database name as deployed (the CNAME's value), when the plan has it. */
  drDatabaseName?: string;
  /** Instance mode: the database engine (from the heartbeat function's environment); it decides what ReplicaLag reads (see `replicaLag`). Default postgres. */
  engine?: "postgres" | "mysql";
  /** The public zone's failover records and health checks as synthesized (fromPlan.ts `routingFromPlan`); default healthChecks.ts `defaultRouting`. */
  routing?: RoutingSpec;
}

/** One call a workflow made. */
export interface CallRecord {
  at: number;
  state: string;
  /** `rds:promoteReadReplica`, `lambda:setCapacity`, ... */
  api: string;
  ok: boolean;
  error?: string;
  /** True for calls that change something (successful or not). */
  mutating: boolean;
}

export interface Notification {
  at: number;
  subject: string;
  message: string;
}

/** The world as an operator would check it after a run. */
export interface CloudState {
  at: number;
  /** What the PRIMARY failover record aliases: `primary-alb`, `dr-alb`, `drill-pool`, `missing` or the alias name. */
  primaryRecord: string;
  /** The fence (components/failoverRouting.ts): `on` (the primary is fenced), `off`, or `never set`. */
  fence: string;
  /** What resolvers get for the application name: `primary`, `dr`, `primary 95% / dr 5%` or `none`. */
  dnsAnswer: string;
  /** Records under the drill pool name. */
  drillPoolRecords: number;
  /** What the DR region's stable database name points at: `dr-database`, `primary-database` or the value. */
  drDatabaseName: string;
  /** What the primary region's stable database name points at. */
  primaryDatabaseName: string;
  /** Instance mode: `replica` or `standalone`; aurora-global mode: the cluster's role, `writer`, `secondary` or `not-a-member`. */
  drDatabase: { status: string; role: "replica" | "standalone" | "missing" | "writer" | "secondary" | "not-a-member" };
  primaryDatabase: { status: string; role: "replica" | "standalone" | "writer" | "secondary" | "not-a-member" };
  drCapacity: Capacity & { inService: number; healthy: number };
  primaryCapacity: Capacity & { inService: number; healthy: number };
  /**
   * PromoteReadReplica on the DR replica: requests and accepted ones; the same for the primary-region
   * database (failback). Aurora-global mode: switches (failover or switchover) onto the DR cluster, and
   * onto the primary cluster (failback).
   */
  drPromotions: { requested: number; accepted: number };
  primaryPromotions: { requested: number; accepted: number };
  /**
   * The data-loss window when the DR replica's promotion was accepted, if it was: seconds of the app's
   * writes it had not replayed (not its ReplicaLag, which on PostgreSQL also counts idle time);
   * aurora-global: the writes a switch onto the DR cluster lost.
   */
  lagAtPromotionSeconds?: number;
  /** Successful calls that changed something. */
  changes: number;
  /**
   * Seconds during which the app's writes could land on the old primary database (never demoted,
   * never rebuilt) while the DR database was writable: DNS answered the primary (any share), the
   * primary region was up and its load balancer served. 0 is the only acceptable value.
   */
  oldPrimaryWriteSeconds: number;
  /**
   * The cache (`targets.cache`): the DR member's role in the global datastore (`primary`, `secondary`,
   * `standalone`), or `regional` for a regional cache, `none` without one; the URLs the warm-up
   * function loaded; accepted FailoverGlobalReplicationGroup calls onto the DR member and onto the
   * primary's (failback), and accepted DisassociateGlobalReplicationGroup calls.
   */
  cache: { drRole: string; warmedUrls: number; failoversToDr: number; failoversToPrimary: number; detaches: number };
  violations: string[];
}

const SERVICE_ERROR_PREFIX: Record<string, string> = {
  rds: "Rds",
  elasticache: "ElastiCache",
  autoscaling: "AutoScaling",
  elasticloadbalancingv2: "ElasticLoadBalancingV2",
  cloudwatch: "CloudWatch",
  route53: "Route53",
  sns: "Sns",
  sfn: "Sfn",
};

const MUTATING = new Set([
  "cloudwatch:putMetricData",
  "rds:promoteReadReplica",
  "autoscaling:updateAutoScalingGroup",
  "route53:changeResourceRecordSets",
  "lambda:promoteDatabase",
  "lambda:setCapacity",
  "rds:failoverGlobalCluster",
  "rds:switchoverGlobalCluster",
  "lambda:switchoverGlobalCluster",
  "elasticache:failoverGlobalReplicationGroup",
  "elasticache:disassociateGlobalReplicationGroup",
]);

/** An idle RDS for PostgreSQL source makes its replicas report a lag of "up to five minutes" (RDS User Guide, "Working with read replicas for Amazon RDS for PostgreSQL"). */
const POSTGRES_IDLE_LAG_RESET_SECONDS = 300;

interface Replication {
  steadyLagSeconds: number;
  afterSourceLoss: "grows" | "frozen";
  stalledFrom?: number;
  stoppedFrom?: number;
}

interface ExecutionEntry {
  arn: string;
  stateMachineArn: string;
  name: string;
  startedAt: number;
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
}

export class SimulatedCloud {
  readonly calls: CallRecord[] = [];
  readonly violations: string[] = [];
  readonly notifications: Notification[] = [];
  /** After each change of the public zone: what the PRIMARY record aliases and what resolvers get then, e.g. `dr-alb (dr)`. */
  readonly dnsChanges: { at: number; label: string }[] = [];
  readonly route53: SimulatedRoute53;
  readonly drGroup: SimulatedAutoScalingGroup;
  readonly primaryGroup: SimulatedAutoScalingGroup;
  readonly drDatabase?: SimulatedDatabase;
  primaryDatabase: SimulatedDatabase;
  /** Aurora-global mode: the global database (then there is no `drDatabase`). */
  readonly aurora?: SimulatedGlobalDatabase;
  /** A cache with a global datastore (`targets.cache`, cache.ts). */
  readonly cache?: SimulatedGlobalCache;
  /** URLs the regional cache's warm-up function loaded (lambda `cacheWarmUp`). */
  private warmedUrls = 0;
  private readonly replication = new Map<string, Replication>();
  /** The fence's datapoints, in order (cloudwatch:putMetricData). */
  private readonly fenceData: { at: number; value: 0 | 1 }[] = [];
  /** `WorldSetup.fenceAlarmStuckUntil`. */
  private readonly fenceStuckUntil: number;
  /** Instance mode: what ReplicaLag means (`replicaLag`). */
  private readonly engine: "postgres" | "mysql";
  /** The scenario stopped the replication heartbeat (`WorldSetup.replica.heartbeatStopped`). */
  private readonly heartbeatStopped: boolean;
  private readonly outages: { from: number; until: number }[] = [];
  /** How calls to the failed region end (`WorldSetup.primaryOutage.apis`). */
  private readonly outageAnswers: "timeout" | "unavailable";
  /** `WorldSetup.primaryEndpointFlaps`. */
  private flaps?: NonNullable<WorldSetup["primaryEndpointFlaps"]>;
  /** Route 53's health checks of the public zone's failover records (healthChecks.ts). */
  readonly healthChecks: HealthChecks;
  /** The primary database as it was before any failover: the one that must take no write once the DR database is writable. */
  private readonly oldPrimaryDatabase: SimulatedDatabase;
  private readonly executions: ExecutionEntry[] = [];
  private readonly alarmsFiring: { name: string; from: number; until: number }[];
  private readonly otherRunning: Partial<Record<Workflow, number>>;
  private readonly describeLag: { rds: number; autoScaling: number };
  private readonly apiFaults: NonNullable<WorldSetup["apiFaults"]>;
  private readonly answersLost: NonNullable<WorldSetup["answersLost"]>;
  private messageCounter = 0;

  constructor(
    readonly targets: RecoveryTargets,
    readonly durations: Durations,
    readonly clock: VirtualClock,
    /** State machine ARN of each workflow (what `$$.StateMachine.Id` holds). */
    readonly stateMachineArns: Record<Workflow, string>,
    setup: WorldSetup = {},
    facts: PlanFacts = {},
  ) {
    const t = clock.seconds;
    this.engine = setup.replica?.engine ?? facts.engine ?? "postgres";
    this.heartbeatStopped = setup.replica?.heartbeatStopped ?? false;
    if (setup.primaryOutage) this.outages.push({ from: setup.primaryOutage.from, until: setup.primaryOutage.until ?? Number.POSITIVE_INFINITY });
    this.outageAnswers = setup.primaryOutage?.apis ?? "timeout";
    if (setup.primaryEndpointFlaps) this.flapPrimaryEndpoint(setup.primaryEndpointFlaps);
    this.alarmsFiring = (setup.alarmsFiring ?? []).map((alarm) => ({ ...alarm, until: alarm.until ?? Number.POSITIVE_INFINITY }));
    this.otherRunning = setup.otherRunningExecutions ?? {};
    this.describeLag = { rds: setup.describeLagSeconds?.rds ?? 0, autoScaling: setup.describeLagSeconds?.autoScaling ?? 0 };
    this.apiFaults = setup.apiFaults ?? [];
    this.answersLost = setup.answersLost ?? [];

    this.primaryDatabase = new SimulatedDatabase({
      identifier: targets.primary.databaseIdentifier,
      arn: targets.primary.databaseArn,
      region: targets.primaryRegion,
      address: facts.primaryDatabaseAddress ?? `${targets.primary.databaseIdentifier}.c0ffee000001.${targets.primaryRegion}.rds.amazonaws.com`,
    });
    const auroraTargets = auroraGlobalOf(targets);
    if (auroraTargets) {
      const cluster = (identifier: string, arn: string, region: string, hash: string, endpoint?: string, readerEndpoint?: string): SimulatedCluster => ({
        identifier,
        arn,
        region,
        endpoint: endpoint ?? `${identifier}.cluster-${hash}.${region}.rds.amazonaws.com`,
        readerEndpoint: readerEndpoint ?? `${identifier}.cluster-ro-${hash}.${region}.rds.amazonaws.com`,
      });
      this.aurora = new SimulatedGlobalDatabase(
        setup.aurora ?? {},
        {
          globalClusterIdentifier: auroraTargets.globalClusterIdentifier,
          dr: cluster(
            auroraTargets.drClusterIdentifier,
            auroraTargets.drClusterArn,
            targets.drRegion,
            "c0ffee000002",
            facts.drClusterEndpoint,
            facts.drClusterReaderEndpoint,
          ),
          primary: cluster(
            auroraTargets.primaryClusterIdentifier,
            auroraTargets.primaryClusterArn,
            targets.primaryRegion,
            "c0ffee000001",
            facts.primaryClusterEndpoint,
          ),
        },
        durations,
        { up: (at) => this.primaryRegionUp(at), outageStart: (at) => this.outageStart(at), upSince: (at) => this.primaryRegionUpSince(at) },
      );
      this.primaryDatabase = new SimulatedDatabase({
        identifier: targets.primary.databaseIdentifier,
        arn: targets.primary.databaseArn,
        region: targets.primaryRegion,
        address: this.aurora.primary.endpoint,
      });
    } else if (!setup.replica?.missing) {
      this.drDatabase = new SimulatedDatabase({
        identifier: targets.replica.identifier,
        arn: targets.replica.arn,
        region: targets.drRegion,
        address: facts.replicaAddress ?? `${targets.replica.identifier}.c0ffee000002.${targets.drRegion}.rds.amazonaws.com`,
        sourceArn: targets.primary.databaseArn,
        ...(setup.replica?.backingUpUntil !== undefined ? { backingUpUntil: setup.replica.backingUpUntil } : {}),
        ...(setup.replica?.promotionBreaks ? { promotionBreaks: setup.replica.promotionBreaks } : {}),
        ...(setup.replica?.busy ? { busy: setup.replica.busy } : {}),
        ...(setup.replica?.sourceUnlinkedAt ? { sourceUnlinkedAt: setup.replica.sourceUnlinkedAt } : {}),
      });
      this.replication.set(targets.replica.arn, {
        steadyLagSeconds: setup.replica?.steadyLagSeconds ?? 1,
        afterSourceLoss: setup.replica?.afterSourceLoss ?? "grows",
        ...(setup.replica?.stalledFrom !== undefined ? { stalledFrom: setup.replica.stalledFrom } : {}),
        ...(setup.replica?.stoppedFrom !== undefined ? { stoppedFrom: setup.replica.stoppedFrom } : {}),
      });
    }
    const globalCache = globalCacheOf(targets);
    if (globalCache) {
      this.cache = new SimulatedGlobalCache(globalCache, { dr: targets.drRegion, primary: targets.primaryRegion }, setup.cache ?? {}, durations, {
        up: (at) => this.primaryRegionUp(at),
        upSince: (at) => this.primaryRegionUpSince(at),
      });
    }
    this.drGroup = new SimulatedAutoScalingGroup(
      {
        name: targets.drAutoScalingGroup.name,
        region: targets.drRegion,
        capacity: setup.dr?.capacity ?? targets.drAutoScalingGroup.standby,
        ...(setup.dr?.launchesFailFrom !== undefined ? { launchesFailFrom: setup.dr.launchesFailFrom } : {}),
        ...(setup.dr?.newInstancesUnhealthyFrom !== undefined ? { newInstancesUnhealthyFrom: setup.dr.newInstancesUnhealthyFrom } : {}),
      },
      durations,
      t,
    );
    this.primaryGroup = new SimulatedAutoScalingGroup(
      { name: targets.primary.autoScalingGroupName, region: targets.primaryRegion, capacity: targets.primary.capacity },
      durations,
      t,
    );

    const loadBalancers = [
      { label: "primary-alb", zoneId: targets.primaryLoadBalancer.zoneId, dnsName: targets.primaryLoadBalancer.dnsName },
      { label: "dr-alb", zoneId: targets.drLoadBalancer.zoneId, dnsName: targets.drLoadBalancer.dnsName },
    ];
    const routing =
      facts.routing ??
      defaultRouting(targets, { intervalSeconds: durations.route53HealthCheckIntervalSeconds, failureThreshold: durations.route53FailureThreshold });
    this.healthChecks = new HealthChecks(
      routing,
      {
        endpointServing: (fqdn, at) => this.endpointServing(fqdn, at),
        alarmState: (name, region, at) => this.alarmStateIn(name, region, at),
        now: () => this.now,
      },
      durations.fencePropagationSeconds,
    );
    this.route53 = new SimulatedRoute53(loadBalancers, this.healthChecks.ids(), durations.route53PropagationSeconds);
    if (setup.route53PropagationStuckUntil !== undefined) this.route53.propagationStuckUntil = setup.route53PropagationStuckUntil;
    this.fenceStuckUntil = setup.fenceAlarmStuckUntil ?? Number.NEGATIVE_INFINITY;
    // The failover pair as synthesized: its aliases, health checks and EvaluateTargetHealth (components/failoverRouting.ts).
    this.route53.addZone(
      targets.dns.hostedZoneId,
      "public",
      routing.records.map((record) => ({
        Name: targets.dns.applicationName,
        Type: "A",
        SetIdentifier: record.role === "SECONDARY" ? (facts.secondarySetIdentifier ?? record.setIdentifier) : record.setIdentifier,
        Failover: record.role,
        ...(record.healthCheckId !== undefined ? { HealthCheckId: record.healthCheckId } : {}),
        AliasTarget: { HostedZoneId: record.alias.zoneId, DnsName: record.alias.dnsName, EvaluateTargetHealth: record.alias.evaluateTargetHealth },
      })),
    );
    const cname = (value: string): RecordSet => ({
      Name: targets.databaseName.fqdn,
      Type: "CNAME",
      Ttl: targets.databaseNameTtlSeconds,
      ResourceRecords: [{ Value: value }],
    });
    // The DR region's stable name as deployed: the replica's endpoint (instance mode; promotion keeps it), or the DR
    // cluster's writer endpoint (aurora-global, stacks/dr.ts; Aurora activates it when it promotes the cluster); a plan's value wins.
    const drName = facts.drDatabaseName ?? (this.aurora ? this.aurora.dr.endpoint : this.drDatabase?.address);
    this.route53.addZone(targets.databaseName.drZoneId, "dr-private", drName ? [cname(drName)] : []);
    this.route53.addZone(targets.databaseName.primaryZoneId, "primary-private", [cname(this.primaryDatabase.address)]);
    this.oldPrimaryDatabase = this.primaryDatabase;
  }

  // ---------------------------------------------------------------- the world over time

  get now(): number {
    return this.clock.seconds;
  }

  primaryRegionUp(t: number): boolean {
    return !this.outages.some((outage) => t >= outage.from && t < outage.until);
  }

  /** Since when the primary region has been up without a break at `t` (the end of its last outage, or -Infinity), or undefined while it is down. */
  private primaryRegionUpSince(t: number): number | undefined {
    if (!this.primaryRegionUp(t)) return undefined;
    return Math.max(Number.NEGATIVE_INFINITY, ...this.outages.filter((outage) => outage.until <= t).map((outage) => outage.until));
  }

  /** Start of the outage the primary region is in at `t`. */
  private outageStart(t: number): number | undefined {
    return this.outages.find((outage) => t >= outage.from && t < outage.until)?.from;
  }

  /** Whether `region` answers at `t`: every region but the primary is up; the primary is down during its outages. */
  regionUp(region: string, t: number): boolean {
    return region !== this.targets.primaryRegion || this.primaryRegionUp(t);
  }

  /** The region of Route 53's control plane for the targets' partition (`ROUTE53_CONTROL_PLANE_REGION`), or undefined when not modelled. */
  get route53ControlPlaneRegion(): string | undefined {
    return ROUTE53_CONTROL_PLANE_REGION[this.targets.partition];
  }

  /** The region an SDK integration call of `service` reaches: Route 53's control plane for `route53`, else the state machine's (the DR region). */
  private regionOfService(service: string): string | undefined {
    return service === "route53" ? this.route53ControlPlaneRegion : this.targets.drRegion;
  }

  /**
   * The primary ALB answers /health: the region is up, at least one target is healthy, and `/health` is
   * not in a down phase of `primaryEndpointFlaps`.
   */
  primaryServing(t: number): boolean {
    if (!this.primaryRegionUp(t) || this.primaryGroup.healthy(t) <= 0) return false;
    const flaps = this.flaps;
    if (!flaps || t < flaps.from || t >= flaps.until) return true;
    return (t - flaps.from) % (flaps.upSeconds + flaps.downSeconds) < flaps.upSeconds;
  }

  /** The DR ALB answers /health: at least one healthy target (the DR region never fails in the model). */
  drServing(t: number): boolean {
    return this.drGroup.healthy(t) > 0;
  }

  /** Whether the load balancer named `fqdn` answers a Route 53 endpoint check at `t`. @throws Error for an endpoint that is neither load balancer */
  private endpointServing(fqdn: string, t: number): boolean {
    const name = normalizeName(fqdn);
    if (name === normalizeName(this.targets.primaryLoadBalancer.dnsName)) return this.primaryServing(t);
    if (name === normalizeName(this.targets.drLoadBalancer.dnsName)) return this.drServing(t);
    throw new Error(`a Route 53 health check probes ${fqdn}, which is neither load balancer of the targets`);
  }

  /**
   * An alarm as Route 53's CLOUDWATCH_METRIC check reads it: the model's state in the DR region
   * (`alarmState`), INSUFFICIENT_DATA when its region does not answer (no data reaches Route 53) or the
   * model does not know the alarm.
   */
  private alarmStateIn(name: string, region: string, t: number): "OK" | "ALARM" | "INSUFFICIENT_DATA" {
    if (!this.regionUp(region, t) || region !== this.targets.drRegion) return "INSUFFICIENT_DATA";
    return this.alarmState(name, t) ?? "INSUFFICIENT_DATA";
  }

  /**
   * Route 53's view of an alias target's health (`EvaluateTargetHealth`): an ALB is healthy when its
   * target groups with targets each have a healthy one, and "a target group that has no registered
   * targets is considered unhealthy" (Route 53 API Reference, AliasTarget); an ALB of a region that
   * does not answer is unhealthy.
   */
  private aliasTargetHealthy(side: "primary" | "dr", t: number): boolean {
    return side === "primary" ? this.primaryRegionUp(t) && this.primaryGroup.healthy(t) > 0 : this.drServing(t);
  }

  /**
   * The fence alarm at `t`: INSUFFICIENT_DATA before any datapoint, then ALARM or OK after the newest
   * datapoint whose minute has ended (CloudWatch evaluates 60 s periods, about once a minute: CloudWatch
   * User Guide, "Evaluating an alarm"); missing data keeps the state (`treatMissingData: ignore`).
   */
  fenceAlarmState(t: number): "OK" | "ALARM" | "INSUFFICIENT_DATA" {
    const period = this.durations.metricPeriodSeconds;
    // A stuck evaluation sees only what it had evaluated before it got stuck.
    const seen = t < this.fenceStuckUntil ? Math.min(t, this.fenceData.length ? this.fenceData[0].at : t) : t;
    const evaluated = this.fenceData.filter((datum) => (Math.floor(datum.at / period) + 1) * period <= seen);
    const last = evaluated.at(-1);
    if (!last) return "INSUFFICIENT_DATA";
    return last.value === 1 ? "ALARM" : "OK";
  }

  /**
   * What a replica has replayed at `t`: commits up to `replayedUpTo` (seconds; the source's commits
   * reach it `steadyLagSeconds` late, and none after its source's region went down or replication
   * stalled), the newest commit among them (`lastCommit`: the app's writes while its source region's
   * group has instances, then the heartbeats, see `heartbeatsOn`), and the newest heartbeat among
   * them (`lastBeat`). Undefined when `database` is not a replica at `t`.
   */
  private replayed(
    database: SimulatedDatabase | undefined,
    t: number,
  ): { replayedUpTo: number; lastCommit: number; lastAppWrite: number; lastBeat?: number; replication: Replication; sourceLost: boolean } | undefined {
    if (!database || !database.isReplica(t)) return undefined;
    const replication = this.replication.get(database.arn) ?? { steadyLagSeconds: 1, afterSourceLoss: "grows" as const };
    const sourceInPrimary = database.source(t) === this.primaryDatabase.arn;
    const lost = sourceInPrimary ? this.outageStart(t) : undefined;
    const cutoff = Math.min(
      t,
      lost ?? Number.POSITIVE_INFINITY,
      replication.stalledFrom ?? Number.POSITIVE_INFINITY,
      replication.stoppedFrom ?? Number.POSITIVE_INFINITY,
    );
    const replayedUpTo = cutoff - replication.steadyLagSeconds;
    // The writers are the app instances of the source's region; they write until the last one is gone.
    const writers = sourceInPrimary ? this.primaryGroup : this.drGroup;
    const stopped = writers.writesStoppedAt(replayedUpTo);
    const lastBeat = this.heartbeatsOn() ? this.lastBeatAtOrBefore(replayedUpTo) : undefined;
    const lastCommit = stopped === undefined ? replayedUpTo : Math.max(stopped, lastBeat ?? Number.NEGATIVE_INFINITY);
    // The app's last write on the source: now, or when its last instance went, or when its region went down.
    const lastAppWrite = Math.min(writers.writesStoppedAt(t) ?? t, lost ?? Number.POSITIVE_INFINITY);
    return { replayedUpTo, lastCommit, lastAppWrite, ...(lastBeat !== undefined ? { lastBeat } : {}), replication, sourceLost: lost !== undefined };
  }

  /**
   * The newest heartbeat stamped at or before `t`: each minute's run beats every interval from the
   * minute's start until its window ends (recovery/heartbeat.ts), then pauses until the next run.
   */
  private lastBeatAtOrBefore(t: number): number {
    const minute = Math.floor(t / 60) * 60;
    const inMinute = Math.min(
      Math.floor((t - minute) / this.durations.heartbeatIntervalSeconds) * this.durations.heartbeatIntervalSeconds,
      HEARTBEAT_LAST_BEAT_OF_MINUTE,
    );
    return minute + inMinute;
  }

  /** The heartbeat runs on the writable database: deployed (`targets.heartbeat`) and not stopped by the scenario. */
  private heartbeatsOn(): boolean {
    return this.targets.heartbeat !== undefined && !this.heartbeatStopped;
  }

  /**
   * ReplicaLag of a replica at `t`, seconds, or undefined when it is not a replica (no metric). What
   * it reads depends on the engine (`facts.engine`):
   * - PostgreSQL: "currentTime - lastCommitedTransactionTimestamp", so with no transactions on the
   *   source it grows, and RDS "reports a replication lag of up to five minutes" (RDS User Guide,
   *   "Working with read replicas for Amazon RDS for PostgreSQL"); modeled as the age of the newest
   *   replayed commit, reset every 300 s on an idle source that still answers (growing without bound
   *   once the source is gone, unless `afterSourceLoss: frozen`). With the heartbeat it stays within
   *   steady lag + heartbeat interval.
   * - MySQL: Seconds_Behind_Source, the delay of the event the replica is applying: the steady lag
   *   while the app writes, 0 once the replica has applied everything it received (an idle source
   *   reads 0), and NULL when replication is not running, which RDS publishes as -1 (RDS User Guide,
   *   "Troubleshooting a MySQL read replica problem"; MySQL Reference Manual, SHOW REPLICA STATUS,
   *   Seconds_Behind_Source) — so once the source is gone the lag alarm reads OK; a stall is a replica
   *   falling behind (the lag grows).
   */
  replicaLag(database: SimulatedDatabase | undefined, t: number): number | undefined {
    const replayed = this.replayed(database, t);
    if (!replayed) return undefined;
    const { replication, sourceLost } = replayed;
    const steady = replication.steadyLagSeconds;
    const stalled = replication.stalledFrom !== undefined && t >= replication.stalledFrom;
    const stopped = replication.stoppedFrom !== undefined && t >= replication.stoppedFrom;
    if (this.engine === "mysql") {
      if (stopped) return -1;
      if (sourceLost) return replication.afterSourceLoss === "frozen" ? Math.round(steady) : -1;
      if (stalled) return Math.round(steady + (t - (replication.stalledFrom as number)));
      return t - replayed.lastCommit > steady ? 0 : Math.round(steady);
    }
    if (sourceLost && replication.afterSourceLoss === "frozen") return Math.round(steady);
    // An idle source that still answers: the age of the newest commit, reset every five minutes.
    const idle = replayed.replayedUpTo - replayed.lastCommit;
    if (idle > 0 && !sourceLost && !stalled && !stopped) return Math.round(steady + (idle % POSTGRES_IDLE_LAG_RESET_SECONDS));
    return Math.round(t - replayed.lastCommit);
  }

  /** Seconds of the app's writes on the source that the replica has not replayed at `t` (what a promotion now would lose), or undefined when it is not a replica. */
  unreplayedWriteSeconds(database: SimulatedDatabase | undefined, t: number): number | undefined {
    const replayed = this.replayed(database, t);
    return replayed && Math.max(0, Math.round(replayed.lastAppWrite - replayed.replayedUpTo));
  }

  /**
   * The replication heartbeat function of a region asked `replayedSince` (recovery/lambda/replicationHeartbeat.mjs):
   * the newest heartbeat its region's replica has replayed, and whether it was committed at least the
   * clock-skew margin after `since`.
   */
  /** The `since` of a replayedSince payload: an ISO time, or `withinSeconds` before `t`. @throws AwsError InvalidArguments otherwise. */
  private heartbeatSince(payload: Record<string, unknown>, t: number): number {
    if (payload.withinSeconds !== undefined) {
      const within = payload.withinSeconds;
      if (typeof within !== "number" || !Number.isInteger(within) || within < 1 || within > 3600 || payload.since !== undefined) {
        throw new AwsError("InvalidArguments", `withinSeconds must be a whole number of seconds from 1 to 3600, without since, got ${JSON.stringify(within)}`);
      }
      return t - within;
    }
    const since = typeof payload.since === "string" ? this.clock.secondsOf(payload.since) : Number.NaN;
    if (Number.isNaN(since)) throw new AwsError("InvalidArguments", `since must be an ISO 8601 time with a zone, got ${JSON.stringify(payload.since)}`);
    return since;
  }

  private heartbeatAnswer(database: SimulatedDatabase | undefined, since: number, t: number): { caughtUp: boolean; beatAt: string | null; since: string } {
    const lastBeat = this.replayed(database, t)?.lastBeat;
    const caughtUp = lastBeat !== undefined && lastBeat >= since + HEARTBEAT_CLOCK_SKEW_MARGIN_SECONDS;
    return { caughtUp, beatAt: lastBeat === undefined ? null : this.clock.iso(lastBeat), since: this.clock.iso(since) };
  }

  /** ReplicaLag datapoints (one per minute, readable once the minute is over) from `start` (rounded down to the minute) to `end`, newest first. */
  private lagDatapoints(database: SimulatedDatabase | undefined, start: number, end: number): { at: number; value: number }[] {
    const period = this.durations.metricPeriodSeconds;
    const points: { at: number; value: number }[] = [];
    for (let at = Math.floor(start / period) * period; at < end && at + period <= this.now; at += period) {
      const value = this.replicaLag(database, at);
      if (value !== undefined) points.push({ at, value });
    }
    return points.reverse();
  }

  /** State of an alarm at `t`, or undefined for an alarm the model does not know. */
  alarmState(name: string, t: number): "OK" | "ALARM" | "INSUFFICIENT_DATA" | undefined {
    const period = this.durations.metricPeriodSeconds;
    const lastPeriod = Math.floor(t / period) * period - period;
    if (this.alarmsFiring.some((alarm) => alarm.name === name && t >= alarm.from && t < alarm.until)) return "ALARM";
    if (name === this.targets.alarms.replicaLagOverRpo) {
      // Aurora-global: AuroraGlobalDBRPOLag of the DR cluster, published while it is a secondary.
      const lag = this.aurora ? this.aurora.drLag(lastPeriod) : this.replicaLag(this.drDatabase, lastPeriod);
      if (lag === undefined) return "INSUFFICIENT_DATA";
      return lag > this.targets.rpoSeconds ? "ALARM" : "OK";
    }
    if (name === this.targets.fence.alarmName) return this.fenceAlarmState(t);
    if (name === this.targets.alarms.replicationStopped) {
      // ReplicaLag Minimum below 0 for 5 periods of 60 s; no data is not breaching (components/recoveryAlarms.ts).
      const stopped = [0, 1, 2, 3, 4].every((back) => (this.replicaLag(this.drDatabase, lastPeriod - back * period) ?? 0) < 0);
      return stopped ? "ALARM" : "OK";
    }
    if (this.targets.alarms.drillAbort.includes(name)) {
      // UnHealthyHostCount > 0 for 2 periods of 60 s (components/recoveryAlarms.ts); other abort alarms fire only when a scenario says so.
      if (/unhealthy/i.test(name)) return this.drGroup.unhealthy(lastPeriod) > 0 && this.drGroup.unhealthy(lastPeriod - period) > 0 ? "ALARM" : "OK";
      return "OK";
    }
    return undefined;
  }

  // ---------------------------------------------------------------- operator actions between executions

  /** The operator rebuilds the primary stack as the new standby: its database becomes a replica of the promoted DR database. */
  reprotectPrimary(): void {
    const t = this.now;
    if (!this.drDatabase || this.drDatabase.isReplica(t)) throw new Error("reprotectPrimary: the DR database is not promoted");
    for (const outage of this.outages) if (outage.until > t) outage.until = t;
    this.primaryDatabase = new SimulatedDatabase({
      identifier: this.targets.primary.databaseIdentifier,
      arn: this.targets.primary.databaseArn,
      region: this.targets.primaryRegion,
      address: this.primaryDatabase.address,
      sourceArn: this.drDatabase.arn,
    });
    this.replication.set(this.primaryDatabase.arn, { steadyLagSeconds: 1, afterSourceLoss: "grows" });
    this.primaryGroup.update(t, this.targets.drAutoScalingGroup.standby);
  }

  /**
   * The primary load balancer's `/health` flaps (`WorldSetup.primaryEndpointFlaps`), from `from` (default
   * now) to `until`. @throws Error when a phase is not above 0 s or `until` is not after `from`.
   */
  flapPrimaryEndpoint(flaps: { from?: number; until: number; upSeconds: number; downSeconds: number }): void {
    const from = flaps.from ?? this.now;
    if (!(flaps.upSeconds > 0 && flaps.downSeconds > 0 && flaps.until > from)) {
      throw new Error(`primaryEndpointFlaps needs upSeconds and downSeconds above 0 and until after from, got ${JSON.stringify({ ...flaps, from })}`);
    }
    this.flaps = { ...flaps, from };
  }

  /** The primary region comes back (without its data being re-protected). */
  restorePrimaryRegion(): void {
    for (const outage of this.outages) if (outage.until > this.now) outage.until = this.now;
  }

  // ---------------------------------------------------------------- executions

  beginExecution(workflow: Workflow, name: string): ExecutionEntry {
    const stateMachineArn = this.stateMachineArns[workflow];
    const arn = stateMachineArn.replace(":stateMachine:", ":execution:") + `:${name}`;
    const entry: ExecutionEntry = { arn, stateMachineArn, name, startedAt: this.now, status: "RUNNING" };
    this.executions.push(entry);
    return entry;
  }

  endExecution(entry: ExecutionEntry, status: ExecutionEntry["status"]): void {
    entry.status = status;
  }

  // ---------------------------------------------------------------- the API

  /**
   * Performs the call of Task `state` (Resource and resolved Parameters) at the current simulated time;
   * answers after its latency. A call to a region that does not answer (`WorldSetup.primaryOutage`:
   * the primary region, and Route 53's control plane when it lives there) is not performed: it fails
   * after the Task's `timeoutSeconds` with States.Timeout, or at once as unavailable.
   */
  async invoke(state: string, resource: string, parameters: unknown, timeoutSeconds?: number): Promise<unknown> {
    const at = this.now;
    const input = (parameters ?? {}) as Record<string, unknown>;
    let api: string;
    let latency = this.durations.apiCallSeconds;
    let outcome: { ok: true; value: unknown } | { ok: false; error: Error };
    const sdk = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(resource);
    const taskTimeout = timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
    const region = sdk ? this.regionOfService(sdk[1]) : undefined;
    if (sdk && region !== undefined && !this.regionUp(region, at)) {
      api = `${sdk[1]}:${sdk[2]}`;
      const what = sdk[1] === "route53" ? `Route 53's control plane (${region})` : region;
      if (this.outageAnswers === "timeout") {
        latency = taskTimeout;
        outcome = {
          ok: false,
          error: new AwsError("States.Timeout", `${api}: no answer within the task's timeout: ${what} does not answer (the region is down)`),
        };
      } else {
        const prefix = SERVICE_ERROR_PREFIX[sdk[1]] ?? sdk[1];
        outcome = { ok: false, error: new AwsError(`${prefix}.${prefix}Exception`, `${api}: ${what} is unavailable (the region is down)`) };
      }
    } else if (sdk) {
      api = `${sdk[1]}:${sdk[2]}`;
      const apiName = api;
      outcome = this.attempt(() => {
        this.injectFault(sdk[1], apiName, at);
        return this.sdkCall(sdk[1], sdk[2], input);
      }, sdk[1]);
    } else if (/^arn:aws[a-z-]*:states:::lambda:invoke$/.test(resource)) {
      const payload = (input.Payload ?? {}) as Record<string, unknown>;
      api =
        input.FunctionName === regionalCacheOf(this.targets)?.warmUp.functionArn
          ? "lambda:cacheWarmUp"
          : payload.action === undefined
            ? `lambda:${String(payload.operation)}`
            : `lambda:heartbeat.${String(payload.action)}`;
      latency = this.durations.lambdaInvokeSeconds;
      const apiName = api;
      outcome = this.attempt(() => {
        this.injectFault("lambda", apiName, at);
        return this.lambdaCall(input.FunctionName, payload);
      }, "lambda");
      if (!outcome.ok && outcome.error.name === "TimeoutError") latency = this.durations.lambdaTimeoutSeconds;
    } else {
      api = resource;
      outcome = { ok: false, error: new SimulatorError(`resource ${resource} is not simulated`) };
    }
    // The call was performed (its effect stays); its answer is lost: the Task times out (`WorldSetup.answersLost`).
    const lostAnswer = this.answersLost.some(
      (item) =>
        item.api === api &&
        at >= item.from &&
        ("until" in item ? at < item.until : this.calls.filter((call) => call.api === api && call.at >= item.from).length < item.calls),
    );
    if (lostAnswer && !(!outcome.ok && (outcome.error instanceof SimulatorError || outcome.error.name === "States.Timeout"))) {
      const lambda = api.startsWith("lambda:");
      latency = lambda ? this.durations.lambdaTimeoutSeconds : (timeoutSeconds ?? SDK_TASK_TIMEOUT_SECONDS);
      outcome = {
        ok: false,
        error: new AwsError(
          lambda ? "TimeoutError" : "States.Timeout",
          `${api}: no answer within the task's timeout (the call was ${outcome.ok ? "accepted" : "refused"})`,
        ),
      };
    }
    this.calls.push({ at, state, api, ok: outcome.ok, ...(outcome.ok ? {} : { error: outcome.error.name }), mutating: MUTATING.has(api) });
    if (!outcome.ok && outcome.error instanceof SimulatorError) this.violations.push(`${state}: ${outcome.error.message}`);
    if (!outcome.ok && outcome.error instanceof AwsError && outcome.error.wrongTarget) {
      this.violations.push(`${state}: ${api} on a resource that is not a recovery target (${outcome.error.name}: ${outcome.error.message})`);
    }
    await this.clock.sleep(latency);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Runs a call, turning the model's faults into the errors Step Functions reports for `service`. */
  private attempt(call: () => unknown, service: string): { ok: true; value: unknown } | { ok: false; error: Error } {
    try {
      return { ok: true, value: call() };
    } catch (error) {
      if (error instanceof AwsError || error instanceof StatesRuntimeError || error instanceof SimulatorError) return { ok: false, error };
      const prefix = SERVICE_ERROR_PREFIX[service];
      if (error instanceof DatabaseFault) {
        // Lambda: the function rethrows the AWS SDK for JavaScript v3 error (`<Code>Fault`); SDK integrations: the Java SDK v2 name.
        const name =
          service === "lambda"
            ? `${error.code}Fault`
            : error.code === "DBInstanceNotFound"
              ? "Rds.DbInstanceNotFoundException"
              : "Rds.InvalidDbInstanceStateException";
        return { ok: false, error: new AwsError(name, error.message) };
      }
      if (error instanceof AuroraFault) {
        const sdkNames: Record<AuroraFault["code"], string> = {
          GlobalClusterNotFound: "Rds.GlobalClusterNotFoundException",
          InvalidGlobalClusterState: "Rds.InvalidGlobalClusterStateException",
          DBClusterNotFound: "Rds.DbClusterNotFoundException",
          InvalidDBClusterState: "Rds.InvalidDbClusterStateException",
        };
        return { ok: false, error: new AwsError(service === "lambda" ? `${error.code}Fault` : sdkNames[error.code], error.message) };
      }
      if (error instanceof CacheFault) return { ok: false, error: new AwsError(CACHE_FAULT_SDK_NAMES[error.code], error.message) };
      if (error instanceof AutoScalingFault) {
        // The function validates the sizes itself and throws InvalidArguments (recovery/lambda/primaryRegionOperations.mjs).
        return { ok: false, error: new AwsError(service === "lambda" ? "InvalidArguments" : "AutoScaling.AutoScalingException", error.message) };
      }
      if (error instanceof Route53Fault) return { ok: false, error: new AwsError(`${prefix}.${error.code}Exception`, error.message) };
      return { ok: false, error: new SimulatorError(`${service} call not handled by the simulator: ${(error as Error).message}`) };
    }
  }

  /** Throws the error of an injected fault (`WorldSetup.apiFaults`) whose window holds `t` for `api`. */
  private injectFault(service: string, api: string, t: number): void {
    const fault = this.apiFaults.find((item) => (item.api === api || item.api === `${service}:*`) && t >= item.from && t < item.until);
    if (!fault) return;
    const name = FAULT_ERRORS[fault.fault][service];
    if (!name) throw new SimulatorError(`fault ${fault.fault} is not an answer of ${service} (errors.ts FAULT_ERRORS)`);
    const messages: Record<ApiFault, string> = {
      throttling: "Rate exceeded",
      "prior-request-not-complete": "The request was rejected because Route 53 was still processing a prior request.",
      "resource-contention": "You already have a pending update to an Auto Scaling resource (for example, a group, instance, or load balancer).",
    };
    throw new AwsError(name, messages[fault.fault]);
  }

  private wrong(name: string, message: string): AwsError {
    return new AwsError(name, message, true);
  }

  private sdkCall(service: string, action: string, input: Record<string, unknown>): unknown {
    const t = this.now;
    const targets = this.targets;
    switch (`${service}:${action}`) {
      case "rds:describeDBInstances": {
        // RDS API Reference, DescribeDBInstances: `DBInstances`, one entry for an identifier; DBInstanceNotFound otherwise.
        const database = this.drDatabaseNamed(input.DbInstanceIdentifier);
        return { DbInstances: [this.describeDatabase(database, t)] };
      }
      case "rds:promoteReadReplica": {
        // RDS API Reference, PromoteReadReplica: answers the DBInstance; refusals in database.ts. RDS acts on the current
        // state; the answer, a Describe, may lag (database.ts `observed`).
        const database = this.drDatabaseNamed(input.DbInstanceIdentifier);
        const lost = this.unreplayedWriteSeconds(database, t);
        database.promote(t, this.durations);
        if (lost !== undefined) this.lagAtPromotion ??= lost;
        return { DbInstance: this.describeDatabase(database, t) };
      }
      case "rds:describeGlobalClusters":
        return { GlobalClusters: [this.describeGlobalCluster(input.GlobalClusterIdentifier, t)] };
      case "rds:describeDBClusters": {
        const aurora = this.auroraOrRefuse("describeDBClusters");
        if (input.DbClusterIdentifier !== aurora.dr.identifier) {
          throw this.wrong("Rds.DbClusterNotFoundException", `DBCluster ${String(input.DbClusterIdentifier)} not found.`);
        }
        if (aurora.setup.drClusterMissing) throw new AwsError("Rds.DbClusterNotFoundException", `DBCluster ${aurora.dr.identifier} not found.`);
        const cluster = aurora.dr;
        return {
          DbClusters: [
            {
              DbClusterIdentifier: cluster.identifier,
              DbClusterArn: cluster.arn,
              Status: aurora.clusterStatus(cluster, t),
              Engine: "aurora-postgresql",
              Endpoint: cluster.endpoint,
              ReaderEndpoint: cluster.readerEndpoint,
            },
          ],
        };
      }
      case "rds:failoverGlobalCluster":
      case "rds:switchoverGlobalCluster": {
        const aurora = this.auroraOrRefuse(action);
        this.checkGlobalIdentifier(input.GlobalClusterIdentifier);
        const target = input.TargetDbClusterIdentifier;
        // The target is named by ARN so that Aurora can locate it in its region (RDS API Reference, FailoverGlobalCluster).
        if (target !== aurora.dr.arn && target !== aurora.primary.arn) {
          throw this.wrong("Rds.DbClusterNotFoundException", `DBCluster ${String(target)} not found (give the target cluster's ARN).`);
        }
        const failover = action === "failoverGlobalCluster";
        if (failover && input.Switchover === true && input.AllowDataLoss === true) {
          throw new AwsError("Rds.InvalidParameterCombinationException", "AllowDataLoss and Switchover cannot both be set");
        }
        const kind = failover && input.AllowDataLoss === true ? "failover" : "switchover";
        const { answerLost } = aurora.startSwitch(t, kind, target, targets.drRegion);
        // Step Functions reports a call whose answer never came as States.Timeout (the Task's TimeoutSeconds).
        if (answerLost) throw new AwsError("States.Timeout", `${action}: no answer within the task's timeout (the call was accepted)`);
        return { GlobalCluster: this.describeGlobalCluster(input.GlobalClusterIdentifier, t) };
      }
      case "elasticache:describeReplicationGroups": {
        // ElastiCache API Reference, DescribeReplicationGroups: the named group; ReplicationGroupNotFoundFault otherwise.
        const cache = this.cacheOrRefuse(action);
        if (input.ReplicationGroupId !== cache.cache.drReplicationGroupId) {
          throw this.wrong(
            "ElastiCache.ReplicationGroupNotFoundException",
            `ReplicationGroup ${String(input.ReplicationGroupId)} not found in ${targets.drRegion}.`,
          );
        }
        return { ReplicationGroups: [cache.describe(cache.cache.drReplicationGroupId, t)] };
      }
      case "elasticache:failoverGlobalReplicationGroup": {
        // FailoverGlobalReplicationGroup: PrimaryRegion and PrimaryReplicationGroupId name the new primary (cache.ts).
        const cache = this.cacheOrRefuse(action);
        const member = String(input.PrimaryReplicationGroupId);
        if (member !== cache.cache.drReplicationGroupId && member !== cache.cache.primaryReplicationGroupId) {
          throw this.wrong("ElastiCache.InvalidParameterValueException", `${member} is not a member of the recovery targets' global datastore`);
        }
        cache.failover(t, input.GlobalReplicationGroupId, input.PrimaryRegion, member);
        return { GlobalReplicationGroup: { GlobalReplicationGroupId: cache.cache.globalReplicationGroupId, Status: "modifying" } };
      }
      case "elasticache:disassociateGlobalReplicationGroup": {
        const cache = this.cacheOrRefuse(action);
        if (input.ReplicationGroupId !== cache.cache.drReplicationGroupId) {
          throw this.wrong("ElastiCache.InvalidParameterValueException", `${String(input.ReplicationGroupId)} is not the DR member of the global datastore`);
        }
        cache.detach(t, input.GlobalReplicationGroupId, String(input.ReplicationGroupId), input.ReplicationGroupRegion);
        return { GlobalReplicationGroup: { GlobalReplicationGroupId: cache.cache.globalReplicationGroupId, Status: "modifying" } };
      }
      case "autoscaling:updateAutoScalingGroup": {
        // Amazon EC2 Auto Scaling API Reference, UpdateAutoScalingGroup: "Any properties that you don't specify are not changed";
        // an unknown group is a ValidationError, an error code the API model does not list (reported as the base exception).
        if (input.AutoScalingGroupName !== targets.drAutoScalingGroup.name) {
          throw this.wrong(
            "AutoScaling.AutoScalingException",
            `AutoScalingGroup name not found - AutoScalingGroup ${String(input.AutoScalingGroupName)} not found`,
          );
        }
        const current = this.drGroup.capacity;
        this.drGroup.update(t, {
          minSize: (input.MinSize as number | undefined) ?? current.minSize,
          desiredCapacity: (input.DesiredCapacity as number | undefined) ?? current.desiredCapacity,
          maxSize: (input.MaxSize as number | undefined) ?? current.maxSize,
        });
        return {};
      }
      case "autoscaling:describeAutoScalingGroups": {
        const names = Array.isArray(input.AutoScalingGroupNames) ? (input.AutoScalingGroupNames as unknown[]) : [];
        // "If you specify Auto Scaling group names, the output includes information for only the specified Auto Scaling groups"
        // (API Reference, DescribeAutoScalingGroups): an unknown name is left out, not refused. Recorded as a violation.
        for (const name of names)
          if (name !== targets.drAutoScalingGroup.name) this.violations.push(`describeAutoScalingGroups of ${String(name)}, not a recovery target`);
        return {
          AutoScalingGroups: names.includes(targets.drAutoScalingGroup.name)
            ? [this.drGroup.describe(t, targets.drAutoScalingGroup.arn, this.describeLag.autoScaling)]
            : [],
        };
      }
      case "elasticloadbalancingv2:describeTargetHealth": {
        // Elastic Load Balancing API Reference, DescribeTargetHealth: TargetHealthDescriptions with TargetHealth.State
        // (initial, healthy, unhealthy, ...); an unknown target group is TargetGroupNotFound.
        if (input.TargetGroupArn !== targets.drTargetGroupArn) {
          throw this.wrong("ElasticLoadBalancingV2.TargetGroupNotFoundException", `Target groups '${String(input.TargetGroupArn)}' not found`);
        }
        return { TargetHealthDescriptions: this.drGroup.targetHealthDescriptions(t, 8080) };
      }
      case "cloudwatch:describeAlarms": {
        // CloudWatch API Reference, DescribeAlarms: the named alarms (none for an unknown name), filtered by StateValue,
        // in MetricAlarms and CompositeAlarms.
        const names = Array.isArray(input.AlarmNames) ? (input.AlarmNames as unknown[]) : [];
        const alarms = names.flatMap((name) => {
          const state = typeof name === "string" ? this.alarmState(name, t) : undefined;
          if (!state) {
            this.violations.push(`describeAlarms of ${String(name)}, not an alarm of the targets`);
            return [];
          }
          return [
            {
              AlarmName: name,
              AlarmArn: `arn:${targets.partition}:cloudwatch:${targets.drRegion}:${targets.accountId}:alarm:${String(name)}`,
              StateValue: state,
            },
          ];
        });
        const filtered = typeof input.StateValue === "string" ? alarms.filter((alarm) => alarm.StateValue === input.StateValue) : alarms;
        return { MetricAlarms: filtered, CompositeAlarms: [] };
      }
      case "cloudwatch:getMetricData":
        return this.getMetricData(input);
      case "cloudwatch:putMetricData": {
        // CloudWatch API Reference, PutMetricData: the fence's datapoint (components/failoverRouting.ts), in the DR region.
        const fence = targets.fence;
        const data = Array.isArray(input.MetricData) ? (input.MetricData as Record<string, unknown>[]) : [];
        const datum = data[0];
        const ours =
          input.Namespace === fence.namespace &&
          data.length === 1 &&
          datum.MetricName === fence.metricName &&
          JSON.stringify(datum.Dimensions) === JSON.stringify(fence.dimensions) &&
          (datum.Value === 0 || datum.Value === 1);
        if (!ours) {
          this.violations.push(`putMetricData of ${JSON.stringify(input)}, not the fence's datapoint`);
          return {};
        }
        this.fenceData.push({ at: t, value: datum.Value as 0 | 1 });
        this.dnsChanges.push({ at: t, label: datum.Value === 1 ? "fence on" : "fence off" });
        return {};
      }
      case "route53:changeResourceRecordSets": {
        const zone = input.HostedZoneId;
        const known = [targets.dns.hostedZoneId, targets.databaseName.drZoneId, targets.databaseName.primaryZoneId];
        if (typeof zone !== "string" || !known.includes(zone))
          throw this.wrong("Route53.NoSuchHostedZoneException", `No hosted zone found with ID: ${String(zone)}`);
        const batch = (input.ChangeBatch ?? {}) as { Changes?: Change[]; Comment?: string };
        for (const change of batch.Changes ?? []) {
          const name = normalizeName(change.ResourceRecordSet?.Name ?? "");
          const allowed = zone === targets.dns.hostedZoneId ? [targets.dns.applicationName, targets.dns.drillPoolName] : [targets.databaseName.fqdn];
          if (!allowed.map(normalizeName).includes(name)) this.violations.push(`changeResourceRecordSets on ${name} in zone ${zone}, not a recovery record`);
        }
        // Route 53 API Reference, ChangeResourceRecordSets: the batch is applied atomically (route53.ts) and the answer's
        // ChangeInfo is PENDING until the change has propagated (GetChange, route53.ts).
        const change = this.route53.change(t, zone, batch.Changes ?? [], batch.Comment);
        if (zone === targets.dns.hostedZoneId) this.dnsChanges.push({ at: t, label: `${this.primaryRecordLabel()} (${this.dnsAnswerText(t)})` });
        return { ChangeInfo: { Id: change.id, Status: "PENDING", SubmittedAt: this.clock.iso(t), ...(batch.Comment ? { Comment: batch.Comment } : {}) } };
      }
      case "route53:getChange": {
        const change = this.route53.getChange(t, String(input.Id));
        return { ChangeInfo: { Id: change.id, Status: change.status, SubmittedAt: this.clock.iso(change.submittedAt) } };
      }
      case "sns:publish": {
        // Amazon SNS API Reference, Publish: Subject for email endpoints, no line breaks or control characters, short
        // (the simulator allows 100); Message "at most 256 KB in size (262,144 bytes, not 262,144 characters)"; NotFound for a topic.
        if (input.TopicArn !== targets.topicArn) throw this.wrong("Sns.NotFoundException", `Topic does not exist: ${String(input.TopicArn)}`);
        const subject = input.Subject;
        if (subject !== undefined && (typeof subject !== "string" || subject.length === 0 || subject.length > 100 || /[\r\n]/.test(subject))) {
          throw new AwsError("Sns.InvalidParameterException", "Invalid parameter: Subject");
        }
        if (typeof input.Message !== "string" || input.Message.length === 0 || Buffer.byteLength(input.Message) > 262144) {
          throw new AwsError("Sns.InvalidParameterException", "Invalid parameter: Message");
        }
        this.notifications.push({ at: t, subject: (subject as string | undefined) ?? "", message: input.Message });
        this.messageCounter += 1;
        return { MessageId: `00000000-0000-4000-8000-${String(this.messageCounter).padStart(12, "0")}` };
      }
      case "sfn:listExecutions": {
        // Step Functions API Reference, ListExecutions: StatusFilter, MaxResults (default 100 at most per page),
        // StateMachineDoesNotExist for an unknown state machine. An execution stopped by the operator is ABORTED.
        const arn = input.StateMachineArn;
        const workflow = (Object.entries(this.stateMachineArns) as [Workflow, string][]).find(([, value]) => value === arn)?.[0];
        if (!workflow) throw this.wrong("Sfn.StateMachineDoesNotExistException", `State Machine Does Not Exist: '${String(arn)}'`);
        const filter = input.StatusFilter;
        const own = this.executions.filter((entry) => entry.stateMachineArn === arn && (filter === undefined || entry.status === filter));
        const others = filter === undefined || filter === "RUNNING" ? (this.otherRunning[workflow] ?? 0) : 0;
        const executions = [
          ...own.map((entry) => ({
            ExecutionArn: entry.arn,
            StateMachineArn: arn,
            Name: entry.name,
            Status: entry.status,
            StartDate: this.clock.iso(entry.startedAt),
          })),
          ...Array.from({ length: others }, (_, index) => ({
            ExecutionArn: `${String(arn).replace(":stateMachine:", ":execution:")}:other-${index + 1}`,
            StateMachineArn: arn,
            Name: `other-${index + 1}`,
            Status: "RUNNING",
            StartDate: this.clock.iso(t - 120),
          })),
        ];
        const max = typeof input.MaxResults === "number" && input.MaxResults > 0 ? input.MaxResults : 100;
        return { Executions: executions.slice(0, max) };
      }
      default:
        throw new SimulatorError(`${service}:${action} is not simulated`);
    }
  }

  /** ReplicaLag of the DR replica when its promotion was first accepted. */
  private lagAtPromotion?: number;

  /** The global database, or a violation: an aurora call in instance mode targets nothing of the targets. */
  /** The global datastore, or a violation: a workflow without cache targets calls no ElastiCache API. */
  private cacheOrRefuse(action: string): SimulatedGlobalCache {
    if (!this.cache) throw new SimulatorError(`elasticache:${action} called, but the targets have no global datastore`);
    return this.cache;
  }

  private auroraOrRefuse(action: string): SimulatedGlobalDatabase {
    if (!this.aurora) throw this.wrong("Rds.GlobalClusterNotFoundException", `${action}: the targets have no Aurora global database (instance mode)`);
    return this.aurora;
  }

  private checkGlobalIdentifier(identifier: unknown): SimulatedGlobalDatabase {
    const aurora = this.auroraOrRefuse("global cluster call");
    if (identifier !== aurora.globalClusterIdentifier) throw this.wrong("Rds.GlobalClusterNotFoundException", `Global cluster ${String(identifier)} not found`);
    if (!aurora.exists) throw new AwsError("Rds.GlobalClusterNotFoundException", `Global cluster ${String(identifier)} not found`);
    return aurora;
  }

  /** DescribeGlobalClusters' GlobalCluster, in the casing of the Step Functions SDK integration. */
  private describeGlobalCluster(identifier: unknown, t: number): Record<string, unknown> {
    const aurora = this.checkGlobalIdentifier(identifier);
    const writer = aurora.writer(t);
    const members = [aurora.primary, aurora.dr]
      .filter((cluster) => aurora.isMember(cluster.arn))
      .map((cluster) => ({
        DbClusterArn: cluster.arn,
        IsWriter: cluster.arn === writer,
        Readers:
          cluster.arn === writer
            ? [aurora.primary, aurora.dr].filter((other) => other !== cluster && aurora.isMember(other.arn)).map((other) => other.arn)
            : [],
        SynchronizationStatus: aurora.synchronization(cluster.arn, t),
      }));
    const failoverState = aurora.failoverState(t);
    return {
      GlobalClusterIdentifier: aurora.globalClusterIdentifier,
      GlobalClusterArn: globalClusterArn(this.targets, auroraGlobalOf(this.targets)!),
      Status: aurora.status(t),
      Engine: "aurora-postgresql",
      GlobalClusterMembers: members,
      ...(failoverState ? { FailoverState: failoverState } : {}),
    };
  }

  private drDatabaseNamed(identifier: unknown): SimulatedDatabase {
    if (identifier !== this.targets.replica.identifier) {
      throw this.wrong("Rds.DbInstanceNotFoundException", `DBInstance ${String(identifier)} not found.`);
    }
    if (!this.drDatabase) throw new AwsError("Rds.DbInstanceNotFoundException", `DBInstance ${String(identifier)} not found.`);
    return this.drDatabase;
  }

  /**
   * DescribeDBInstances' DBInstance (RDS API Reference, DBInstance) in the casing of the Step Functions
   * SDK integration (recovery/checks.ts `describeDatabase`), as of the configured Describe lag; a
   * replica lists its source and a `read replication` StatusInfo (DBInstanceStatusInfo: StatusType
   * "read replication", Status `replicating`, ...).
   */
  private describeDatabase(database: SimulatedDatabase, t: number): Record<string, unknown> {
    const { status, source } = database.observed(t, this.describeLag.rds);
    return {
      DbInstanceIdentifier: database.identifier,
      DbInstanceArn: database.arn,
      DbInstanceStatus: status,
      Engine: "postgres",
      Endpoint: { Address: database.address, Port: 5432 },
      BackupRetentionPeriod: this.targets.replica.backupRetentionDays,
      MultiAZ: true,
      ...(source
        ? { ReadReplicaSourceDBInstanceIdentifier: source, StatusInfos: [{ StatusType: "read replication", Normal: true, Status: "replicating" }] }
        : {}),
    };
  }

  /**
   * CloudWatch API Reference, GetMetricData: MetricDataResults with Timestamps and Values, newest first
   * unless ScanBy is TimestampAscending; StartTime before EndTime (InvalidParameterValue otherwise). The
   * datapoints are the replica's ReplicaLag, published once a minute (durations.ts `metricPeriodSeconds`).
   */
  private getMetricData(input: Record<string, unknown>): unknown {
    const queries = Array.isArray(input.MetricDataQueries) ? (input.MetricDataQueries as Record<string, unknown>[]) : [];
    const start = typeof input.StartTime === "string" ? this.clock.secondsOf(input.StartTime) : Number.NaN;
    const end = typeof input.EndTime === "string" ? this.clock.secondsOf(input.EndTime) : Number.NaN;
    // Equal times are let through: offline, Pass states take no time, so `$$.State.EnteredTime` of a check can equal the
    // milestone it reads from; in AWS state transitions take milliseconds and EndTime is later.
    if (Number.isNaN(start) || Number.isNaN(end) || end < start) {
      throw new AwsError(
        "CloudWatch.InvalidParameterValueException",
        `The parameter StartTime must be less than the parameter EndTime (${String(input.StartTime)}, ${String(input.EndTime)})`,
      );
    }
    const results = queries.map((query) => {
      const stat = (query.MetricStat ?? {}) as {
        Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] };
        Stat?: string;
      };
      const dimension = stat.Metric?.Dimensions?.find((item) => item.Name === "DBInstanceIdentifier")?.Value;
      const ours = stat.Metric?.Namespace === "AWS/RDS" && stat.Metric?.MetricName === "ReplicaLag" && dimension === this.targets.replica.identifier;
      if (!ours) this.violations.push(`getMetricData of ${JSON.stringify(stat.Metric)}, not the replica's ReplicaLag`);
      const points = ours ? this.lagDatapoints(this.drDatabase, start, end) : [];
      if (input.ScanBy === "TimestampAscending") points.reverse();
      return {
        Id: query.Id,
        Label: stat.Metric?.MetricName ?? "",
        Timestamps: points.map((point) => this.clock.iso(point.at)),
        Values: points.map((point) => point.value),
        StatusCode: "Complete",
      };
    });
    return { MetricDataResults: results, Messages: [] };
  }

  /**
   * The primary-region operations function (recovery/primaryRegion.ts) through the optimized Lambda
   * integration: its answer is the `Payload` beside `ExecutedVersion` and `StatusCode` (Step Functions
   * Developer Guide, "Invoke an AWS Lambda function with Step Functions"); an unknown function is
   * ResourceNotFound (Lambda API Reference, Invoke). A region that does not answer makes the function
   * fail after its timeout.
   */
  private lambdaCall(functionName: unknown, payload: Record<string, unknown>): unknown {
    const warmUp = regionalCacheOf(this.targets)?.warmUp;
    if (warmUp && functionName === warmUp.functionArn) return this.warmUpCall(payload);
    if (this.targets.heartbeat && functionName === this.targets.heartbeat.drFunctionArn) return this.drHeartbeatCall(payload);
    const arn = this.targets.primaryRegionFunctionArn;
    const name = arn.split(":").pop();
    if (functionName !== arn && functionName !== name) throw this.wrong("Lambda.ResourceNotFoundException", `Function not found: ${String(functionName)}`);
    const t = this.now;
    const operation = payload.operation as PrimaryRegionOperation;
    if (!this.primaryRegionUp(t)) throw new AwsError("TimeoutError", `${this.targets.primaryRegion} did not answer ${String(operation)} (the region is down)`);
    const database = this.primaryDatabase;
    if (this.aurora && ["describeDatabase", "promoteDatabase", "replicaLagSeconds"].includes(operation)) {
      // The aurora-global function's role is not allowed these instance operations (recovery/permissions.ts).
      throw this.wrong("AccessDeniedException", `${operation} is an instance-mode operation; the aurora-global function may not perform it`);
    }
    switch (operation) {
      case "switchoverGlobalCluster": {
        const aurora = this.aurora;
        if (!aurora) throw new AwsError("MisconfiguredFunction", "environment variable GLOBAL_CLUSTER_IDENTIFIER is not set");
        aurora.startSwitch(t, "switchover", aurora.dr.arn, this.targets.primaryRegion);
        return this.lambdaAnswer({ switching: true });
      }
      case "describeDatabase": {
        const { status, source } = database.observed(t, this.describeLag.rds);
        return this.lambdaAnswer({ status, isReplica: source !== undefined, sourceArn: source ?? null, address: database.address });
      }
      case "promoteDatabase":
        database.promote(t, this.durations);
        return this.lambdaAnswer({ promoted: true });
      case "replicaLagSeconds": {
        const since = payload.since === undefined ? t - 300 : typeof payload.since === "string" ? this.clock.secondsOf(payload.since) : Number.NaN;
        if (Number.isNaN(since)) throw new AwsError("InvalidArguments", `since must be an ISO 8601 time with a zone, got ${JSON.stringify(payload.since)}`);
        const points = since >= t ? [] : this.lagDatapoints(database, since, t);
        return this.lambdaAnswer({ seconds: points.length > 0 ? points[0].value : null });
      }
      case "setCapacity":
        this.primaryGroup.update(t, {
          minSize: payload.minSize as number,
          desiredCapacity: payload.desiredCapacity as number,
          maxSize: payload.maxSize as number,
        });
        return this.lambdaAnswer({ ...this.primaryGroup.capacity });
      case "describeCapacity":
        return this.lambdaAnswer({
          inService: this.primaryGroup.inService(t),
          instances: this.primaryGroup.instanceCount(t),
          desiredCapacity: this.primaryGroup.desiredCapacity,
        });
      case "replayedSince": {
        const since = this.heartbeatSince(payload, t);
        if (!this.targets.heartbeat) throw new AwsError("MisconfiguredFunction", "environment variable PRIMARY_HEARTBEAT_FUNCTION_ARN is not set");
        return this.lambdaAnswer(this.heartbeatAnswer(database, since, t));
      }
      case "describeTargetHealth":
        return this.lambdaAnswer({ healthyTargets: this.primaryGroup.healthy(t) });
      default:
        throw new AwsError("InvalidArguments", `unknown operation ${JSON.stringify(operation)}`);
    }
  }

  /**
   * The DR region's replication heartbeat function, invoked by the planned switchover
   * (`{ action: "replayedSince", since }`). It reads the DR replica; the replica's credentials are
   * its source's secret, in the primary region, so it fails when that region does not answer.
   */
  private drHeartbeatCall(payload: Record<string, unknown>): unknown {
    const t = this.now;
    if (payload.action !== "replayedSince")
      throw new AwsError("InvalidArguments", `action must be beat or replayedSince, got ${JSON.stringify(payload.action)}`);
    const since = this.heartbeatSince(payload, t);
    if (this.drDatabase?.isReplica(t) && !this.primaryRegionUp(t)) {
      throw new AwsError("TimeoutError", `${this.targets.primaryRegion} did not answer GetSecretValue of the replica's source secret (the region is down)`);
    }
    return this.lambdaAnswer(this.heartbeatAnswer(this.drDatabase, since, t));
  }

  /**
   * The cache warm-up function (components/cache/warmUpFunction.ts, recovery/lambda/cacheWarmUp.mjs):
   * it requests each URL through the application's name; a URL loads the cache when DNS answers the
   * DR region and its load balancer has a healthy target, and fails otherwise.
   */
  private warmUpCall(payload: Record<string, unknown>): unknown {
    const t = this.now;
    const urls = Array.isArray(payload.urls) ? payload.urls.map(String) : [];
    const expected = regionalCacheOf(this.targets)?.warmUp.urls ?? [];
    if (urls.some((url) => !expected.includes(url))) this.violations.push(`cacheWarmUp of ${JSON.stringify(urls)}, not the targets' warm-up URLs`);
    const servedByDr = this.dnsAnswerText(t) === "dr" && this.drGroup.healthy(t) > 0;
    const warmed = servedByDr ? urls : [];
    this.warmedUrls += warmed.length;
    return this.lambdaAnswer({ requested: urls.length, warmed: warmed.length, failed: urls.filter((url) => !warmed.includes(url)) });
  }

  private lambdaAnswer(payload: unknown): unknown {
    return { ExecutedVersion: "$LATEST", Payload: payload, StatusCode: 200 };
  }

  // ---------------------------------------------------------------- what an operator sees

  /** The application name's answer: share of each side, percent. */
  dnsAnswer(t: number): Record<string, number> {
    const zone = this.targets.dns.hostedZoneId;
    const resolve = (name: string, depth: number): Record<string, number> => {
      if (depth > 4) return {};
      const records = this.route53.records(zone, name).filter((record) => record.Type === "A");
      const ofRecord = (record: RecordSet): Record<string, number> => {
        const target = record.AliasTarget;
        if (!target) return { other: 1 };
        if (target.HostedZoneId === zone) return resolve(target.DnsName, depth + 1);
        if (normalizeName(target.DnsName) === normalizeName(this.targets.primaryLoadBalancer.dnsName)) return { primary: 1 };
        if (normalizeName(target.DnsName) === normalizeName(this.targets.drLoadBalancer.dnsName)) return { dr: 1 };
        return { other: 1 };
      };
      // A record with a health check and EvaluateTargetHealth is healthy only while both pass (Route 53 Developer Guide,
      // "What happens when you associate a health check with an alias record?").
      const healthy = (record: RecordSet): boolean => {
        if (record.HealthCheckId && !this.healthChecks.healthy(record.HealthCheckId, t)) return false;
        if (!record.AliasTarget?.EvaluateTargetHealth) return true;
        const shares = ofRecord(record);
        return (shares.primary !== undefined && this.aliasTargetHealthy("primary", t)) || (shares.dr !== undefined && this.aliasTargetHealthy("dr", t));
      };
      const primary = records.find((record) => record.Failover === "PRIMARY");
      const secondary = records.find((record) => record.Failover === "SECONDARY");
      if (primary || secondary) {
        // Active-passive failover: "Route 53 includes only the healthy primary resources. If all the primary resources are
        // unhealthy, Route 53 begins to include only the healthy secondary resources" (Route 53 Developer Guide,
        // "Active-active and active-passive failover"); with both unhealthy the primary is answered (same guide, "How
        // Amazon Route 53 chooses records when health checking is configured").
        const chosen = primary && healthy(primary) ? primary : secondary && healthy(secondary) ? secondary : (primary ?? secondary)!;
        return ofRecord(chosen);
      }
      const weighted = records.filter((record) => record.Weight !== undefined);
      if (weighted.length > 0) {
        const total = weighted.reduce((sum, record) => sum + (record.Weight ?? 0), 0);
        const shares: Record<string, number> = {};
        for (const record of weighted) {
          for (const [side, share] of Object.entries(ofRecord(record))) shares[side] = (shares[side] ?? 0) + (share * (record.Weight ?? 0)) / (total || 1);
        }
        return shares;
      }
      return records.length > 0 ? ofRecord(records[0]) : {};
    };
    return resolve(this.targets.dns.applicationName, 0);
  }

  /** What the PRIMARY failover record aliases: `primary-alb`, `dr-alb`, `drill-pool`, `missing` or the alias's name. */
  primaryRecordLabel(): string {
    const targets = this.targets;
    const record = this.route53.records(targets.dns.hostedZoneId, targets.dns.applicationName).find((item) => item.Failover === "PRIMARY");
    const target = record?.AliasTarget;
    if (!target) return "missing";
    if (normalizeName(target.DnsName) === normalizeName(targets.primaryLoadBalancer.dnsName)) return "primary-alb";
    if (normalizeName(target.DnsName) === normalizeName(targets.drLoadBalancer.dnsName)) return "dr-alb";
    if (normalizeName(target.DnsName) === normalizeName(targets.dns.drillPoolName)) return "drill-pool";
    return normalizeName(target.DnsName);
  }

  /** The answer for the application name at `t` in words: `primary`, `dr`, `primary 95% / dr 5%` or `none`. */
  dnsAnswerText(t: number): string {
    const sides = Object.entries(this.dnsAnswer(t)).filter(([, share]) => share > 0);
    if (sides.length === 0) return "none";
    if (sides.length === 1) return sides[0][0];
    return sides.map(([side, share]) => `${side} ${Math.round(share * 100)}%`).join(" / ");
  }

  /**
   * Seconds from 0 to `end` during which the app's writes could land on the old primary database
   * (`CloudState.oldPrimaryWriteSeconds`), sampled each second: the DR database writable (instance: the
   * replica promoted; aurora-global: the DR cluster the writer), the old primary database still the one
   * in place and writable (instance: standalone, not rebuilt as a replica; aurora-global: its cluster a
   * writer too), its region up and its load balancer serving, and DNS answering the primary.
   */
  oldPrimaryWriteSeconds(end: number): number {
    const aurora = this.aurora;
    let seconds = 0;
    for (let t = 0; t < end; t += 1) {
      const drWritable = aurora ? aurora.role(aurora.dr, t) === "writer" : this.drDatabase !== undefined && !this.drDatabase.isReplica(t);
      if (!drWritable || !this.primaryServing(t)) continue;
      const oldWritable = aurora
        ? aurora.role(aurora.primary, t) === "writer"
        : this.primaryDatabase === this.oldPrimaryDatabase && !this.oldPrimaryDatabase.isReplica(t);
      if (oldWritable && (this.dnsAnswer(t).primary ?? 0) > 0) seconds += 1;
    }
    return seconds;
  }

  /** The parts of the final state that do not depend on the engine mode. */
  private snapshotCommon(
    t: number,
  ): Pick<CloudState, "at" | "primaryRecord" | "fence" | "dnsAnswer" | "drillPoolRecords" | "changes" | "oldPrimaryWriteSeconds" | "cache" | "violations"> {
    const fence = this.fenceAlarmState(t);
    return {
      at: t,
      primaryRecord: this.primaryRecordLabel(),
      fence: fence === "ALARM" ? "on" : fence === "OK" ? "off" : "never set",
      dnsAnswer: this.dnsAnswerText(t),
      drillPoolRecords: this.route53.records(this.targets.dns.hostedZoneId, this.targets.dns.drillPoolName).length,
      changes: this.calls.filter((call) => call.mutating && call.ok).length,
      oldPrimaryWriteSeconds: this.oldPrimaryWriteSeconds(t),
      cache: this.cacheSnapshot(t),
      violations: [...this.violations],
    };
  }

  /** `CloudState.cache` at `t`. */
  private cacheSnapshot(t: number): CloudState["cache"] {
    const cache = this.cache;
    const drRole = cache ? cache.role(cache.cache.drReplicationGroupId, t) : regionalCacheOf(this.targets) ? "regional" : "none";
    return {
      drRole,
      warmedUrls: this.warmedUrls,
      failoversToDr: cache?.accepted("failover", cache.cache.drReplicationGroupId) ?? 0,
      failoversToPrimary: cache?.accepted("failover", cache.cache.primaryReplicationGroupId) ?? 0,
      detaches: cache?.accepted("detach", cache.cache.drReplicationGroupId) ?? 0,
    };
  }

  /** The final state, as an operator would check it. */
  snapshot(): CloudState {
    const t = this.now;
    const targets = this.targets;
    const aurora = this.aurora;
    const databaseName = (zone: string): string => {
      const value = this.route53.records(zone, targets.databaseName.fqdn).find((record) => record.Type === "CNAME")?.ResourceRecords?.[0]?.Value;
      if (value === undefined) return "missing";
      if (aurora) {
        const labels: [string, string][] = [
          [aurora.dr.endpoint, "dr-writer-endpoint"],
          [aurora.dr.readerEndpoint, "dr-reader-endpoint"],
          [aurora.primary.endpoint, "primary-writer-endpoint"],
          [aurora.primary.readerEndpoint, "primary-reader-endpoint"],
        ];
        return labels.find(([address]) => normalizeName(address) === normalizeName(value))?.[1] ?? value;
      }
      if (this.drDatabase && normalizeName(value) === normalizeName(this.drDatabase.address)) return "dr-database";
      if (normalizeName(value) === normalizeName(this.primaryDatabase.address)) return "primary-database";
      return value;
    };
    const capacity = (group: SimulatedAutoScalingGroup, up: boolean) => ({
      ...group.capacity,
      inService: up ? group.inService(t) : 0,
      healthy: up ? group.healthy(t) : 0,
    });
    const dr = this.drDatabase;
    if (aurora) {
      const lost = aurora.dataLossOfFailover();
      return {
        ...this.snapshotCommon(t),
        drDatabaseName: databaseName(targets.databaseName.drZoneId),
        primaryDatabaseName: databaseName(targets.databaseName.primaryZoneId),
        drDatabase: aurora.setup.drClusterMissing
          ? { status: "missing", role: "missing" }
          : { status: aurora.clusterStatus(aurora.dr, t), role: aurora.role(aurora.dr, t) },
        primaryDatabase: { status: aurora.clusterStatus(aurora.primary, t), role: aurora.role(aurora.primary, t) },
        drCapacity: capacity(this.drGroup, true),
        primaryCapacity: capacity(this.primaryGroup, this.primaryRegionUp(t)),
        drPromotions: { requested: aurora.requested(aurora.dr.arn), accepted: aurora.accepted(aurora.dr.arn) },
        primaryPromotions: { requested: aurora.requested(aurora.primary.arn), accepted: aurora.accepted(aurora.primary.arn) },
        ...(lost !== undefined && aurora.accepted(aurora.dr.arn) > 0 ? { lagAtPromotionSeconds: lost } : {}),
      };
    }
    return {
      ...this.snapshotCommon(t),
      drDatabaseName: databaseName(targets.databaseName.drZoneId),
      primaryDatabaseName: databaseName(targets.databaseName.primaryZoneId),
      drDatabase: dr ? { status: dr.status(t), role: dr.isReplica(t) ? "replica" : "standalone" } : { status: "missing", role: "missing" },
      primaryDatabase: { status: this.primaryDatabase.status(t), role: this.primaryDatabase.isReplica(t) ? "replica" : "standalone" },
      drCapacity: capacity(this.drGroup, true),
      // Instances of a region that is down serve nothing.
      primaryCapacity: capacity(this.primaryGroup, this.primaryRegionUp(t)),
      drPromotions: { requested: dr?.promoteRequests.length ?? 0, accepted: dr?.acceptedPromotions ?? 0 },
      primaryPromotions: { requested: this.primaryDatabase.promoteRequests.length, accepted: this.primaryDatabase.acceptedPromotions },
      ...(this.lagAtPromotion !== undefined ? { lagAtPromotionSeconds: this.lagAtPromotion } : {}),
      changes: this.calls.filter((call) => call.mutating && call.ok).length,
      violations: [...this.violations],
    };
  }
}
