/**
 * The drill's scenarios: situations an operator meets, what they start, and what they expect at the
 * end, as an operator states it (the outcome of each execution, which region DNS serves, whether the
 * database was promoted, the capacities, the drill pool). Times are simulated seconds; 0 is the first
 * execution's start. Expectations are the correct operator expectations: a scenario that fails shows
 * a workflow (or simulator) that does not meet them.
 */
import type { EngineMode, RecoveryTargets } from "../targets";
import { AURORA_SCENARIOS } from "./auroraScenarios";
import { CACHE_SCENARIOS } from "./cacheScenarios";
import type { Scenario } from "./simulate";
import {
  FAILBACK_AFTER_FAILOVER,
  failedBackTo,
  failedOver,
  FAILOVER_FAILED,
  FAILOVER_OK,
  failoverThenFlappingReturn,
  PLANNED,
  primaryFailsAtDetection,
  size,
  UNPLANNED_ALARM,
  UNPLANNED_OPERATOR,
  usEast1Lost,
} from "./scenarioParts";

/** One failover run that succeeds: the DR region serves with its database promoted, `drPromotionsRequested` PromoteReadReplica calls made, the fence the only DNS change. */
function failoverSucceeded(targets: RecoveryTargets, drPromotionsRequested: number | { min: number }) {
  return {
    outcomes: ["SUCCEEDED"],
    final: { ...failedOver(targets), drPromotionsRequested },
    notifications: FAILOVER_OK,
    dnsChanges: ["fence on"],
  };
}

/** The DNS change of a drill's shift, e.g. `drill-pool (primary 95% / dr 5%)`. */
const drillShift = (targets: RecoveryTargets) => `drill-pool (primary ${100 - targets.drill.trafficPercent}% / dr ${targets.drill.trafficPercent}%)`;

export const SCENARIOS: Scenario[] = [
  {
    name: "unplanned-failover",
    title: "Clean unplanned failover",
    story:
      "The primary region stops serving; Route 53's health check notices and the alarm starts the failover (trigger alarm). Expected: the replica is promoted, the DR group scales to the primary's capacity, DNS serves the DR region, within the RTO; the execution then holds its slot for the cool-down.",
    world: primaryFailsAtDetection,
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    measures: "failover",
    expect: (targets) => ({ ...failoverSucceeded(targets, 1), withinRto: true }),
  },
  {
    name: "unplanned-failover-late-start",
    title: "Unplanned failover started five minutes after the failure",
    story:
      "KNOWN LIMITATION (docs/runbook.md, Failover): the primary fails with the replica 1 s behind; the operator starts the failover five minutes later. Once its source is gone the replica's ReplicaLag grows with the time since the last replayed transaction (modeled as PostgreSQL computes it; not verified in an account), so the lag alarm reads over the RPO although the data at risk is the 1 s it lagged at the failure. Expected today: refused with ReplicaLagOverRpo and nothing changed; the operator checks the lag alarm's history and re-runs with force.",
    world: () => ({ primaryOutage: { from: -300 }, replica: { steadyLagSeconds: 1, afterSourceLoss: "grows" } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: () => ({ outcomes: ["ReplicaLagOverRpo"], final: { drDatabaseRole: "replica", drPromotionsRequested: 0, primaryRecord: "primary-alb" } }),
  },
  {
    name: "planned-switchover",
    title: "Planned switchover",
    story:
      "The primary is healthy; the operator switches over (mode planned). Expected: writes stop in the primary (its group to 0, then its instances drain and terminate), the replica replays a heartbeat committed after the last one is gone (on PostgreSQL its ReplicaLag never reads 0: the heartbeat commits every 5 s) and is promoted with no app write missing (data loss 0), DNS serves the DR region, within the RTO.",
    steps: [{ run: "failover", input: PLANNED }],
    measures: "failover",
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: { ...failedOver(targets), primaryCapacity: "0/0/0", lagAtPromotionSeconds: 0 },
      notifications: FAILOVER_OK,
      withinRto: true,
    }),
  },
  {
    name: "promotion-fails",
    title: "Promotion that fails",
    story:
      "The primary fails; RDS accepts the promotion but the replica turns `failed` two minutes later. Expected: PromotionFailed, the PRIMARY record is untouched (the workflow never repointed DNS), the stable database name unchanged, the failure notified.",
    world: (context) => ({ ...primaryFailsAtDetection(context), replica: { promotionBreaks: { afterSeconds: 120, status: "failed" } } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    measures: "failover",
    expect: () => ({
      outcomes: ["PromotionFailed"],
      final: { primaryRecord: "primary-alb", drDatabaseStatus: "failed", drDatabaseName: "dr-database", drPromotionsAccepted: 1, drillPoolRecords: 0 },
      notifications: FAILOVER_FAILED,
      dnsChanges: [],
    }),
  },
  {
    name: "promotion-retried-while-backing-up",
    title: "Promotion retried while the replica is backing-up",
    story:
      "The primary fails while the replica is in its automated backup (`backing-up` for 5 more minutes); RDS refuses PromoteReadReplica meanwhile. Expected: the promotion is retried every 60 s until RDS accepts it, then the failover completes as usual.",
    world: (context) => ({ ...primaryFailsAtDetection(context), replica: { backingUpUntil: context.durations.rdsBackupRemainingSeconds } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    measures: "failover",
    expect: (targets) => ({ outcomes: ["SUCCEEDED"], final: { ...failedOver(targets), drPromotionsRequested: { min: 2 } }, notifications: FAILOVER_OK }),
  },
  {
    name: "lag-over-rpo-refused",
    title: "Replica lag over the RPO: refused",
    story:
      "The replica lags five times the RPO behind when the primary fails. Expected: ReplicaLagOverRpo, nothing changed (no promotion, no scaling, no DNS change), the refusal notified.",
    world: (context) => ({ ...primaryFailsAtDetection(context), replica: { steadyLagSeconds: 5 * context.targets.rpoSeconds } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: (targets) => ({
      outcomes: ["ReplicaLagOverRpo"],
      final: { primaryRecord: "primary-alb", drDatabaseRole: "replica", drCapacity: size(targets.drAutoScalingGroup.standby), drPromotionsRequested: 0 },
      changesInLastRun: 0,
      notifications: ["Failover FAILED"],
    }),
  },
  {
    name: "lag-over-rpo-forced",
    title: "Replica lag over the RPO: forced",
    story:
      "Same lag; the operator accepts the data loss and forces the failover. Expected: it proceeds and completes; the data-loss window (lag at promotion) is at least that lag.",
    world: (context) => ({ ...primaryFailsAtDetection(context), replica: { steadyLagSeconds: 5 * context.targets.rpoSeconds } }),
    steps: [{ run: "failover", input: { mode: "unplanned", force: true, trigger: "operator" } }],
    measures: "failover",
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: { ...failedOver(targets), lagAtPromotionSeconds: { min: 5 * targets.rpoSeconds } },
      notifications: FAILOVER_OK,
    }),
  },
  {
    name: "capacity-not-ready",
    title: "Capacity that does not arrive",
    story:
      "The primary fails and the DR region has no capacity for new instances (launches fail). Expected: CapacityNotReady after the capacity bound; the database was promoted meanwhile (re-run to continue), DNS was not repointed, the DR group asked for 2 but runs its 1 standby instance.",
    world: (context) => ({ ...primaryFailsAtDetection(context), dr: { launchesFailFrom: 0 } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    measures: "failover",
    expect: (targets) => ({
      outcomes: ["CapacityNotReady"],
      final: {
        primaryRecord: "primary-alb",
        drDatabaseRole: "standalone",
        drCapacity: size(targets.drAutoScalingGroup.recovery),
        drHealthy: targets.drAutoScalingGroup.standby.desiredCapacity,
      },
      notifications: FAILOVER_FAILED,
      dnsChanges: [],
    }),
  },
  {
    name: "health-not-recovered",
    title: "Health that never recovers",
    story:
      "The primary fails; the new DR instances never pass /health. Expected: HealthNotRecovered after the health bound, with DNS already serving the DR region and the database promoted (as the error says), the failure notified.",
    world: (context) => ({ ...primaryFailsAtDetection(context), dr: { newInstancesUnhealthyFrom: 0 } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    measures: "failover",
    expect: (targets) => ({
      outcomes: ["HealthNotRecovered"],
      final: {
        primaryRecord: "primary-alb",
        fence: "on",
        drDatabaseRole: "standalone",
        drDatabaseName: "dr-database",
        drCapacity: size(targets.drAutoScalingGroup.recovery),
        drHealthy: targets.drAutoScalingGroup.standby.desiredCapacity,
      },
      notifications: FAILOVER_FAILED,
    }),
  },
  {
    name: "rerun-after-partial-failure",
    title: "Re-run after a partial failure",
    story:
      "The primary fails; CloudWatch does not evaluate the fence alarm for 20 minutes, so the first run ends FenceNotInEffect after promoting the database. Ten minutes later the operator re-runs it. Expected: the second run sees the database already promoted, does not call PromoteReadReplica again, and ends with DNS serving the DR region.",
    world: (context) => ({ ...primaryFailsAtDetection(context), fenceAlarmStuckUntil: 1200 }),
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { run: "failover", input: UNPLANNED_OPERATOR, after: 600 },
    ],
    measures: "failover",
    expect: (targets) => ({
      outcomes: ["FenceNotInEffect", "SUCCEEDED"],
      final: { ...failedOver(targets), drPromotionsRequested: 1 },
      notifications: [...FAILOVER_FAILED, ...FAILOVER_OK],
      dnsChanges: ["fence on", "fence on"],
    }),
  },
  {
    name: "rerun-while-promoting",
    title: "Re-run while a slow promotion is still running",
    story:
      "The primary fails; the replica is large and its promotion takes 40 minutes, longer than the 30-minute promotion bound, so the first run ends PromotionTimedOut ('re-run to continue'). The operator re-runs it a minute later, while RDS is still promoting (status modifying, then rebooting; the instance lists its source until the promotion completes, as modeled). Expected: the re-run cannot tell this promotion from another change of the replica, so it waits ('Replica settles') until the source link is gone, then completes the failover, with a single accepted PromoteReadReplica and no second request.",
    durations: { rdsPromotionSeconds: 2400 },
    world: primaryFailsAtDetection,
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { run: "failover", input: UNPLANNED_OPERATOR, after: 60 },
    ],
    measures: "failover",
    expect: (targets) => ({ outcomes: ["PromotionTimedOut", "SUCCEEDED"], final: { ...failedOver(targets), drPromotionsRequested: 1 } }),
  },
  {
    name: "promotion-during-storage-autoscaling",
    title: "Replica modifying for storage autoscaling when the primary fails",
    story:
      "Storage autoscaling started a storage modification on the replica two minutes before the primary failed: the replica is `modifying`, then `storage-optimization` (RDS User Guide, storage autoscaling and DB instance status), and lists its source throughout. Expected: it is not taken for a promoted replica; the failover waits while it is `modifying`, asks for the promotion until RDS accepts it (the simulator refuses PromoteReadReplica in any status but available) and completes with one accepted promotion.",
    world: (context) => ({
      ...primaryFailsAtDetection(context),
      replica: {
        busy: [
          {
            from: -120,
            phases: [
              { status: "modifying", seconds: 300 },
              { status: "storage-optimization", seconds: 240 },
            ],
            cause: "storage autoscaling",
          },
        ],
      },
    }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    measures: "failover",
    expect: (targets) => failoverSucceeded(targets, { min: 1 }),
  },
  {
    name: "rerun-while-promotion-starts",
    title: "Re-run at once while the promotion runs and DescribeDBInstances still shows the replica",
    story:
      "The primary fails; the operator starts the failover, stops it 20 s later (StopExecution) to start it again with force, and does so at once. RDS accepted the first run's PromoteReadReplica and is promoting; DescribeDBInstances lags 30 s behind (eventual consistency), so the re-run first sees an available replica. Expected: RDS refuses the re-run's PromoteReadReplica (a promotion runs); the re-run looks again, follows the running promotion instead of retrying blindly, and completes; one accepted promotion.",
    world: (context) => ({ ...primaryFailsAtDetection(context), describeLagSeconds: { rds: 30, autoScaling: 30 } }),
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR, stopAfter: 20 },
      { run: "failover", input: { mode: "unplanned", force: true, trigger: "operator" } },
    ],
    measures: "failover",
    expect: (targets) => ({
      outcomes: ["ABORTED", "SUCCEEDED"],
      final: { ...failedOver(targets) },
      notifications: ["Failover started", ...FAILOVER_OK],
      dnsChanges: ["fence on"],
    }),
  },
  {
    name: "promotion-answer-lost",
    title: "PromoteReadReplica accepted, its answer lost, DescribeDBInstances lagging",
    story:
      "The primary fails; the alarm starts the failover. RDS accepts the PromoteReadReplica call but no answer reaches Step Functions for 5 minutes (each attempt times out after the Task's 60 s, its retries too: RDS refuses them, a promotion runs, and those answers are lost as well), and DescribeDBInstances lags 5 minutes behind (eventual consistency; RDS states no bound), so the look after the failed call still shows an available replica that lists its source. Expected: a call that may have been accepted is not taken as failed on one look: the workflow waits, looks again, follows the running promotion and completes; one accepted promotion.",
    world: (context) => ({
      ...primaryFailsAtDetection(context),
      answersLost: [{ api: "rds:promoteReadReplica", from: 0, until: 300 }],
      describeLagSeconds: { rds: 300 },
    }),
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    measures: "failover",
    expect: (targets) => failoverSucceeded(targets, 4),
  },
  {
    name: "failover-throttled",
    title: "Failover through throttled APIs",
    story:
      "The primary fails while its region's outage makes the DR region busy: RDS throttles the replica's Describe and promotion calls for the first 40 s, Auto Scaling throttles for 40 s from the scale-out, and Route 53 answers PriorRequestNotComplete to the DNS changes until 07:50 (another change of the zone still processing; each documented: API References, Common Errors and ChangeResourceRecordSets; Route 53 Developer Guide, throttling). Expected: the calls are retried with back-off and the failover completes.",
    world: (context) => ({
      ...primaryFailsAtDetection(context),
      apiFaults: [
        { api: "rds:*", fault: "throttling", from: 0, until: 40 },
        { api: "autoscaling:*", fault: "throttling", from: 60, until: 100 },
        { api: "route53:changeResourceRecordSets", fault: "prior-request-not-complete", from: 0, until: 470 },
      ],
    }),
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    measures: "failover",
    expect: (targets) => failoverSucceeded(targets, 1),
  },
  {
    name: "switchover-no-catch-up",
    title: "Planned switchover where the replica never catches up",
    story:
      "The operator switches over; replication stalls as writes stop, so the replica never replays a heartbeat from after the stop. Expected: ReplicaCatchUpTimeout; the primary's capacity is restored and serves again, nothing was promoted, the DR group and DNS are as before.",
    world: () => ({ replica: { stalledFrom: 0 } }),
    steps: [{ run: "failover", input: PLANNED }],
    expect: (targets) => ({
      outcomes: ["ReplicaCatchUpTimeout"],
      final: {
        primaryCapacity: size(targets.primary.capacity),
        primaryHealthy: targets.primary.capacity.desiredCapacity,
        dnsAnswer: "primary",
        primaryRecord: "primary-alb",
        drDatabaseRole: "replica",
        drPromotionsRequested: 0,
        drCapacity: size(targets.drAutoScalingGroup.standby),
      },
      notifications: FAILOVER_FAILED,
      dnsChanges: [],
    }),
  },
  {
    name: "switchover-without-heartbeat",
    title: "Planned switchover with the heartbeat stopped (PostgreSQL)",
    story:
      'The replication heartbeat writes nothing (its function fails, or its schedule was disabled); the operator switches over. With no commit after the writes stop nothing could prove the replica has them all (its ReplicaLag grows on the idle source and never reads 0: RDS User Guide, "Working with read replicas for Amazon RDS for PostgreSQL"). Expected: the readiness check finds no recent heartbeat on the replica and refuses with HeartbeatNotReady before any write stops: nothing changed.',
    world: () => ({ replica: { heartbeatStopped: true } }),
    steps: [{ run: "failover", input: PLANNED }],
    expect: (targets) => ({
      outcomes: ["HeartbeatNotReady"],
      final: {
        primaryCapacity: size(targets.primary.capacity),
        primaryRecord: "primary-alb",
        drDatabaseRole: "replica",
        drPromotionsRequested: 0,
        drCapacity: size(targets.drAutoScalingGroup.standby),
      },
      changesInLastRun: 0,
      notifications: FAILOVER_FAILED,
      dnsChanges: [],
    }),
  },
  {
    name: "already-running",
    title: "Another execution already running",
    story: "A failover is already running when a second one is started (a second alarm). Expected: ExecutionAlreadyRunning, nothing changed, nothing notified.",
    world: (context) => ({ ...primaryFailsAtDetection(context), otherRunningExecutions: { failover: 1 } }),
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    expect: (targets) => ({
      outcomes: ["ExecutionAlreadyRunning"],
      final: { primaryRecord: "primary-alb", drDatabaseRole: "replica", drCapacity: size(targets.drAutoScalingGroup.standby) },
      changesInLastRun: 0,
      notifications: [],
    }),
  },
  {
    name: "failback-after-failover",
    title: "Failback after a failover, primary re-protected",
    story:
      "After an unplanned failover, the primary region returns and the operator rebuilds the primary stack as the new standby (its database a read replica of the DR database), then runs failback. Expected: the primary database is promoted, DNS serves the primary again, the DR group returns to standby, the primary group to its capacity.",
    world: primaryFailsAtDetection,
    steps: FAILBACK_AFTER_FAILOVER,
    measures: "failback",
    expect: (targets) => {
      const failedBack = failedBackTo(targets);
      return { ...failedBack, final: { ...failedBack.final, primaryHealthy: targets.primary.capacity.desiredCapacity }, withinRto: true };
    },
  },
  {
    name: "failback-promotion-answer-lost",
    title: "Failback: promoteDatabase accepted, its answers lost, the primary's Describe lagging",
    story:
      "Failback as in failback-after-failover, but no answer of the primary-region function's promoteDatabase reaches Step Functions (its first ten calls): RDS accepts the first call (its retries are refused, a promotion runs) and each attempt ends with the function's timeout; DescribeDBInstances in the primary region lags 3 minutes behind (eventual consistency), so the look after the failed call still shows an available replica. Expected: the workflow waits, looks again, follows the running promotion and completes; the DR writes are not restored beside a promoted primary database.",
    world: (context) => ({
      ...primaryFailsAtDetection(context),
      answersLost: [{ api: "lambda:promoteDatabase", from: 3600, calls: 10 }],
      describeLagSeconds: { rds: 180 },
    }),
    steps: FAILBACK_AFTER_FAILOVER,
    expect: failedBackTo,
  },
  {
    name: "failback-promotion-refused-after-lost-answer",
    title: "Failback: promoteDatabase accepted, its answer lost, the retry refused",
    story:
      "Failback as in failback-after-failover, but the answer of the first promoteDatabase call is lost (RDS accepted it; the Task ends with the function's timeout). The transient retry asks again and RDS refuses it (InvalidDBInstanceState: a promotion runs; RDS API Reference, PromoteReadReplica). Expected: the refusal is not retried blindly (every retry would be refused, and the failback end PromotionFailed with DR writes restored beside a promoted primary); the workflow waits, looks, follows the running promotion and completes.",
    world: (context) => ({ ...primaryFailsAtDetection(context), answersLost: [{ api: "lambda:promoteDatabase", from: 3600, calls: 1 }] }),
    steps: FAILBACK_AFTER_FAILOVER,
    expect: failedBackTo,
  },
  {
    name: "primary-returns-dr-empty",
    title: "The failed region comes back while the DR region has no healthy instance",
    story:
      "After an unplanned failover the primary region returns with its load balancer healthy and its old database writable; then the DR group is emptied (a bad deploy, an operator). Route 53 answers the PRIMARY record \"regardless of the health of the primary\" when the SECONDARY is unhealthy too (Route 53 API Reference, ResourceRecordSet Failover), and the failover changes no record. Expected: no answer sends users to the old primary: the SECONDARY's check (the DR endpoint OR the inverted fence, not the DR ALB's target health) keeps it healthy once fenced, so users get the DR region (failing) rather than the diverged database; no write reaches the old primary.",
    world: primaryFailsAtDetection,
    steps: [
      { run: "failover", input: UNPLANNED_ALARM },
      { world: "primary region back, its ALB healthy, its old database writable", after: 3600, apply: (cloud) => cloud.restorePrimaryRegion() },
      { act: "DR group emptied", after: 60, apply: (cloud) => cloud.drGroup.update(cloud.now, { minSize: 0, desiredCapacity: 0, maxSize: 0 }) },
    ],
    expect: () => ({
      outcomes: ["SUCCEEDED"],
      final: { fence: "on", primaryRecord: "primary-alb", dnsAnswer: "dr", drHealthy: 0, oldPrimaryWriteSeconds: 0 },
    }),
  },
  {
    name: "failback-not-reprotected",
    title: "Failback refused: primary not re-protected",
    story:
      "After an unplanned failover the primary region returns, but its stack was not rebuilt: its database is the old standalone one. The operator runs failback. Expected: PrimaryNotReprotected, nothing changed by the failback, DNS still serves the DR region.",
    world: primaryFailsAtDetection,
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { act: "primary region back, stack not rebuilt", after: 3600, apply: (cloud) => cloud.restorePrimaryRegion() },
      { run: "failback", input: { force: false }, after: 600 },
    ],
    expect: (targets) => ({
      outcomes: ["SUCCEEDED", "PrimaryNotReprotected"],
      final: {
        primaryRecord: "primary-alb",
        fence: "on",
        // The old primary answers /health again, but the fence keeps the PRIMARY record unhealthy.
        dnsAnswer: "dr",
        primaryDatabaseRole: "standalone",
        drCapacity: size(targets.drAutoScalingGroup.recovery),
        drDatabaseRole: "standalone",
      },
      changesInLastRun: 0,
      notifications: [...FAILOVER_OK, "Failback FAILED"],
    }),
  },
  {
    name: "us-east-1-lost-failover",
    title: "Unplanned failover with us-east-1 lost, Route 53's control plane with it",
    story:
      "The primary region is us-east-1 and it fails: every API there fails or times out, and so do Route 53's control plane (ChangeResourceRecordSets, GetChange) and us-east-1's CloudWatch and EventBridge; Route 53's health checkers and DNS answers keep working (Route 53 Developer Guide, \"Resilience in Amazon Route 53\"). The operator starts the failover from the DR region. Expected: it needs nothing of us-east-1 (no Route 53 call, no call through the primary-region function), promotes the replica, fences the primary through CloudWatch in the DR region, and succeeds within the RTO.",
    world: usEast1Lost,
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    measures: "failover",
    expect: (targets) => ({ ...failoverSucceeded(targets, 1), withinRto: true, forbiddenCalls: ["route53:", "lambda:"] }),
  },
  {
    name: "us-east-1-returns",
    title: "us-east-1 comes back after the failover: traffic stays in the DR region",
    story:
      "After the failover of us-east-1-lost-failover, the region returns an hour later with its load balancer healthy and its old database writable (never demoted), and stays up. Expected: the PRIMARY record's check stays unhealthy (the fence), DNS keeps answering the DR region, so no app write reaches the old primary (0 s measured); nothing changes until an operator fails back.",
    world: usEast1Lost,
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { world: "us-east-1 back: its ALB healthy, its old database writable (never demoted)", after: 3600, apply: (cloud) => cloud.restorePrimaryRegion() },
      { world: "an hour later", after: 3600, apply: () => undefined },
    ],
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: {
        ...failedOver(targets),
        primaryDatabaseRole: "standalone",
        primaryHealthy: targets.primary.capacity.desiredCapacity,
        oldPrimaryWriteSeconds: 0,
      },
      notifications: FAILOVER_OK,
      dnsChanges: ["fence on"],
    }),
  },
  {
    name: "us-east-1-returns-flapping",
    title: "us-east-1 comes back with its health flapping",
    story:
      "After the failover with us-east-1 lost, the region returns an hour later, but its app restarts in a loop for 30 minutes: the primary ALB's /health answers 40 s, then fails 40 s, so Route 53's endpoint check of the primary turns healthy and unhealthy again and again. Expected: DNS never answers the old primary (0 s of writes reach it), the fence holds; no other execution runs (no second failover, no failback) and nothing more is notified.",
    world: usEast1Lost,
    steps: failoverThenFlappingReturn,
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: { ...failedOver(targets), primaryDatabaseRole: "standalone", oldPrimaryWriteSeconds: 0 },
      notifications: FAILOVER_OK,
      dnsChanges: ["fence on"],
    }),
  },
  {
    name: "failback-after-us-east-1-returns",
    title: "Failback after us-east-1 returns, primary re-protected",
    story:
      "After the failover with us-east-1 lost, the region returns an hour later (its old database writable, no traffic); ten minutes later the operator rebuilds the primary stack as the new standby (its database a replica of the DR database) and fails back half an hour after that, with Route 53's control plane back. Expected: the failback releases the fence, serves the primary again and promotes its database; no write reached the old primary in between.",
    world: usEast1Lost,
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { world: "us-east-1 back: its ALB healthy, its old database writable (never demoted)", after: 3600, apply: (cloud) => cloud.restorePrimaryRegion() },
      {
        act: "primary stack rebuilt as the standby (database: read replica of the DR database)",
        after: 600,
        apply: (cloud) => cloud.reprotectPrimary(),
      },
      { run: "failback", input: { force: false }, after: 1800 },
    ],
    measures: "failback",
    expect: (targets) => {
      const failedBack = failedBackTo(targets);
      return { ...failedBack, final: { ...failedBack.final, oldPrimaryWriteSeconds: 0 }, withinRto: true };
    },
  },
  {
    name: "drill-passes",
    title: "Drill passes",
    story:
      "A drill on a healthy pair: a share of live traffic goes to the DR region through the weighted pool for the drill's duration, then is rolled back. Expected: success; the PRIMARY record aliases the primary ALB again, the pool records are gone, nothing promoted or scaled.",
    steps: [{ run: "drill", input: {} }],
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: {
        primaryRecord: "primary-alb",
        dnsAnswer: "primary",
        drillPoolRecords: 0,
        drDatabaseRole: "replica",
        drCapacity: size(targets.drAutoScalingGroup.standby),
      },
      notifications: ["DR drill started", "DR drill passed"],
      dnsChanges: [drillShift(targets), "primary-alb (primary)"],
    }),
  },
  {
    name: "drill-aborted",
    title: "Drill aborted by an alarm",
    story:
      "During a drill the DR 5xx alarm fires three minutes in. Expected: DrillAborted, traffic rolled back (PRIMARY aliases the primary ALB, pool gone), the abort notified.",
    world: ({ targets }) => ({
      alarmsFiring: [{ name: targets.alarms.drillAbort.find((name) => !/unhealthy/i.test(name)) ?? targets.alarms.drillAbort[0], from: 180, until: 900 }],
    }),
    steps: [{ run: "drill", input: {} }],
    expect: (targets) => ({
      outcomes: ["DrillAborted"],
      final: { primaryRecord: "primary-alb", dnsAnswer: "primary", drillPoolRecords: 0, drDatabaseRole: "replica" },
      notifications: ["DR drill started", "DR drill FAILED"],
      dnsChanges: [drillShift(targets), "primary-alb (primary)"],
    }),
  },
  {
    name: "drill-not-ready",
    title: "Drill refused when not ready",
    story: "The replica lags three times the RPO when a drill is started. Expected: NotReady, no traffic shifted, nothing changed.",
    world: ({ targets }) => ({ replica: { steadyLagSeconds: 3 * targets.rpoSeconds } }),
    steps: [{ run: "drill", input: {} }],
    expect: () => ({
      outcomes: ["NotReady"],
      final: { primaryRecord: "primary-alb", drillPoolRecords: 0 },
      changesInLastRun: 0,
      notifications: ["DR drill FAILED"],
      dnsChanges: [],
    }),
  },
];

/** Every scenario, both engine modes. */
export const ALL_SCENARIOS: Scenario[] = [...SCENARIOS, ...AURORA_SCENARIOS, ...CACHE_SCENARIOS];

/** The scenarios of an engine mode: SCENARIOS for instance targets, AURORA_SCENARIOS for aurora-global ones. */
/**
 * Scenarios of a MySQL pair (instance mode), run on definitions synthesized from a MySQL pair (the
 * `us-east-1-us-west-2-mysql` example: its failover has the replication-stopped guard). A MySQL
 * replica reads ReplicaLag -1 when it is not replicating (RDS User Guide, "Troubleshooting a MySQL
 * read replica problem"), which the lag alarm reads as OK.
 */
export const MYSQL_SCENARIOS: Scenario[] = [
  {
    name: "mysql-failover-at-detection",
    title: "MySQL: unplanned failover at detection",
    story:
      "The primary region fails; the health-check alarm starts the failover at once. The replica's ReplicaLag reads -1 from the failure (its source is unreachable), which the lag alarm reads as OK, and the replication-stopped alarm needs 5 minutes of -1. Expected: the failover completes; the data-loss window is the 1 s the replica lagged.",
    world: (context) => ({ ...primaryFailsAtDetection(context), replica: { steadyLagSeconds: 1, engine: "mysql" } }),
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    measures: "failover",
    expect: (targets) => ({ outcomes: ["SUCCEEDED"], final: { ...failedOver(targets), lagAtPromotionSeconds: { max: 1 } }, notifications: FAILOVER_OK }),
  },
  {
    name: "mysql-replication-stopped-refused",
    title: "MySQL: a replica that stopped replicating an hour before the failure is not promoted",
    story:
      "The replica's SQL thread stopped an hour ago (ReplicaLag -1 since: the lag alarm reads OK, the replication-stopped alarm is in ALARM); then the primary region fails. Expected: ReplicationStopped, nothing changed: promoting it would lose an hour of writes; an operator who accepts that forces it.",
    world: (context) => ({ ...primaryFailsAtDetection(context), replica: { steadyLagSeconds: 1, engine: "mysql", stoppedFrom: -3600 } }),
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    expect: (targets) => ({
      outcomes: ["ReplicationStopped"],
      final: { primaryRecord: "primary-alb", drDatabaseRole: "replica", drPromotionsRequested: 0, drCapacity: size(targets.drAutoScalingGroup.standby) },
      changesInLastRun: 0,
      // Refused before "Notify start", like ReplicaLagOverRpo.
      notifications: ["Failover FAILED"],
    }),
  },
  {
    name: "mysql-failover-late-start",
    title: "MySQL: unplanned failover started five minutes after the failure",
    story:
      "KNOWN LIMITATION (docs/runbook.md, Failover), MySQL's form of PostgreSQL's: the primary fails with the replica 1 s behind; the operator starts the failover five minutes later, when the replica has read -1 for 5 minutes and the replication-stopped alarm is in ALARM. Expected: refused with ReplicationStopped and nothing changed; the operator checks that the alarm went to ALARM after the primary's health-check alarm, and re-runs with force.",
    world: () => ({ primaryOutage: { from: -300 }, replica: { steadyLagSeconds: 1, engine: "mysql" } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: () => ({
      outcomes: ["ReplicationStopped"],
      final: { drDatabaseRole: "replica", drPromotionsRequested: 0, primaryRecord: "primary-alb" },
      changesInLastRun: 0,
    }),
  },
];

export function scenariosFor(mode: EngineMode): Scenario[] {
  return ALL_SCENARIOS.filter((scenario) => (scenario.engineMode ?? "instance") === mode && scenario.cache === undefined);
}

/** A scenario by name (either mode). @throws Error listing the names when unknown */
export function scenarioNamed(name: string): Scenario {
  const scenario = [...ALL_SCENARIOS, ...MYSQL_SCENARIOS].find((item) => item.name === name);
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${ALL_SCENARIOS.map((item) => item.name).join(", ")}`);
  return scenario;
}
