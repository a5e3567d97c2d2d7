/**
 * The offline drill's aurora-global scenarios: the same operator situations as scenarios.ts for an
 * Aurora global database (recovery/failover.ts, failback.ts and drill.ts in aurora-global mode), run on
 * aurora-global targets. The DR database's "role" in the final view is the DR cluster's role in the
 * global database (`writer`, `secondary`, `not-a-member`), its "promotions" the switches onto it, and
 * the lag at promotion the seconds of writes a switch onto it lost.
 */
import type { RecoveryTargets } from "../targets";
import type { Scenario } from "./simulate";
import {
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

/** What a completed aurora failover leaves: DNS on DR through the fence (no record changed), the DR cluster the writer, its writer endpoint behind the stable name since deploy time. */
const failedOver = (targets: RecoveryTargets) =>
  ({
    primaryRecord: "primary-alb",
    fence: "on",
    dnsAnswer: "dr",
    drDatabaseRole: "writer",
    drDatabaseStatus: "available",
    drDatabaseName: "dr-writer-endpoint",
    drCapacity: size(targets.drAutoScalingGroup.recovery),
    drHealthy: targets.drAutoScalingGroup.recovery.desiredCapacity,
    drPromotionsAccepted: 1,
    drillPoolRecords: 0,
  }) as const;

/** Nothing was switched or repointed: the primary serves, the DR cluster is still the secondary. */
const untouched = (targets: RecoveryTargets) =>
  ({
    primaryRecord: "primary-alb",
    drDatabaseRole: "secondary",
    drDatabaseName: "dr-writer-endpoint",
    drCapacity: size(targets.drAutoScalingGroup.standby),
    drPromotionsAccepted: 0,
  }) as const;

export const AURORA_SCENARIOS: Scenario[] = [
  {
    name: "aurora-unplanned-failover",
    engineMode: "aurora-global",
    title: "Aurora: clean unplanned failover (FailoverGlobalCluster, AllowDataLoss)",
    story:
      "The primary region stops serving; the alarm starts the failover. Expected: FailoverGlobalCluster with AllowDataLoss makes the DR cluster the writer (the writes lost are the lag at the failure, about 1 s), the DR region's stable name already points at its writer endpoint (from deploy time; Aurora activates it on promotion: no DNS change), the DR group scales, DNS serves the DR region, well within the RTO.",
    world: primaryFailsAtDetection,
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    measures: "failover",
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: { ...failedOver(targets), drPromotionsRequested: 1, lagAtPromotionSeconds: { max: 1 }, primaryDatabaseRole: "secondary" },
      notifications: FAILOVER_OK,
      dnsChanges: ["fence on"],
      withinRto: true,
    }),
  },
  {
    name: "aurora-planned-switchover",
    engineMode: "aurora-global",
    title: "Aurora: planned switchover (SwitchoverGlobalCluster in the primary region)",
    story:
      "The primary is healthy; the operator switches over (mode planned). Expected: the switchover is started in the primary region through the primary-region function, Aurora synchronizes the DR cluster then makes it the writer and the old primary a secondary (no data lost), DNS serves the DR region; the primary group is not scaled to 0 (Aurora fences the writes itself).",
    steps: [{ run: "failover", input: PLANNED }],
    measures: "failover",
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: { ...failedOver(targets), primaryDatabaseRole: "secondary", lagAtPromotionSeconds: 0, primaryCapacity: size(targets.primary.capacity) },
      notifications: FAILOVER_OK,
      withinRto: true,
    }),
  },
  {
    name: "aurora-lag-over-rpo-refused",
    engineMode: "aurora-global",
    title: "Aurora: replication lag over the RPO, refused",
    story: "The DR cluster lags five times the RPO when the primary fails. Expected: ReplicaLagOverRpo, nothing switched, scaled or repointed.",
    world: (context) => ({ ...primaryFailsAtDetection(context), aurora: { steadyLagSeconds: 5 * context.targets.rpoSeconds } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: (targets) => ({
      outcomes: ["ReplicaLagOverRpo"],
      final: { ...untouched(targets), drPromotionsRequested: 0 },
      changesInLastRun: 0,
      notifications: ["Failover FAILED"],
    }),
  },
  {
    name: "aurora-dr-not-member",
    engineMode: "aurora-global",
    title: "Aurora: DR cluster not a member of the global cluster, refused",
    story: "The DR cluster was detached from the global cluster. Expected: DrClusterNotMember before anything changes.",
    world: (context) => ({ ...primaryFailsAtDetection(context), aurora: { drNotMember: true } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: () => ({
      outcomes: ["DrClusterNotMember"],
      final: { primaryRecord: "primary-alb", drDatabaseRole: "not-a-member", drPromotionsRequested: 0 },
      changesInLastRun: 0,
      notifications: ["Failover FAILED"],
    }),
  },
  {
    name: "aurora-global-cluster-missing",
    engineMode: "aurora-global",
    title: "Aurora: global cluster missing, refused",
    story: "The global cluster does not exist (deleted, or the targets are wrong). Expected: GlobalClusterMissing, nothing changed.",
    world: () => ({ aurora: { globalClusterMissing: true } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: () => ({ outcomes: ["GlobalClusterMissing"], final: { primaryRecord: "primary-alb" }, changesInLastRun: 0, notifications: ["Failover FAILED"] }),
  },
  {
    name: "aurora-dr-cluster-not-ready",
    engineMode: "aurora-global",
    title: "Aurora: DR cluster not available, refused unless forced",
    story: "The DR cluster is in maintenance when the primary fails. Expected: DrClusterNotReady, nothing changed.",
    world: (context) => ({ ...primaryFailsAtDetection(context), aurora: { drClusterStatus: { status: "maintenance" } } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: (targets) => ({ outcomes: ["DrClusterNotReady"], final: { ...untouched(targets) }, changesInLastRun: 0 }),
  },
  {
    name: "aurora-failover-refused",
    engineMode: "aurora-global",
    title: "Aurora: FailoverGlobalCluster refused",
    story:
      "The primary fails; Aurora refuses the global failover (InvalidGlobalClusterState). Expected: GlobalFailoverFailed, DNS untouched (the DR group may have scaled meanwhile), the failure notified.",
    world: (context) => ({ ...primaryFailsAtDetection(context), aurora: { switchRefused: true } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: () => ({
      outcomes: ["GlobalFailoverFailed"],
      final: { primaryRecord: "primary-alb", drDatabaseRole: "secondary", drDatabaseName: "dr-writer-endpoint", drPromotionsAccepted: 0 },
      notifications: FAILOVER_FAILED,
      dnsChanges: [],
    }),
  },
  {
    name: "aurora-failover-answer-lost",
    engineMode: "aurora-global",
    title: "Aurora: FailoverGlobalCluster accepted but its answer lost",
    story:
      "The primary fails; Aurora accepts the global failover but the answer never arrives (the task times out), and the retry is refused because a failover already runs. Expected: the workflow looks at the global cluster, sees the failover running, follows it and completes, with a single accepted failover.",
    world: (context) => ({ ...primaryFailsAtDetection(context), aurora: { firstAnswerLost: true } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    measures: "failover",
    expect: (targets) => ({ outcomes: ["SUCCEEDED"], final: { ...failedOver(targets) }, notifications: FAILOVER_OK, withinRto: true }),
  },
  {
    name: "aurora-planned-in-outage",
    engineMode: "aurora-global",
    title: "Aurora: planned switchover while the primary region is down",
    story:
      "The operator asks for a planned switchover although the primary region is down: the switchover must be called there. Expected: SwitchoverFailed (the function times out), nothing switched, DNS untouched; the operator runs mode unplanned instead.",
    world: primaryFailsAtDetection,
    steps: [{ run: "failover", input: PLANNED }],
    expect: () => ({
      outcomes: ["SwitchoverFailed"],
      final: { primaryRecord: "primary-alb", drDatabaseRole: "secondary", drPromotionsRequested: 0 },
      notifications: FAILOVER_FAILED,
      dnsChanges: [],
    }),
  },
  {
    name: "aurora-switch-cancelled",
    engineMode: "aurora-global",
    title: "Aurora: failover cancelled by Aurora",
    story:
      "The primary fails; Aurora accepts the failover and cancels it 30 s later. Expected: SwitchCancelled, the DR cluster still a secondary, DNS untouched.",
    world: (context) => ({ ...primaryFailsAtDetection(context), aurora: { switchCancelsAfter: 30 } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: () => ({
      outcomes: ["SwitchCancelled"],
      final: { primaryRecord: "primary-alb", drDatabaseRole: "secondary", drPromotionsAccepted: 1 },
      notifications: FAILOVER_FAILED,
      dnsChanges: [],
    }),
  },
  {
    name: "aurora-switch-timeout-then-rerun",
    engineMode: "aurora-global",
    title: "Aurora: failover slower than the bound, then re-run",
    story:
      "The primary fails; the global failover takes 40 minutes, longer than the 30-minute bound: the first run ends SwitchTimedOut ('re-run to continue'). The operator re-runs it five minutes later, while Aurora is still failing over. Expected: the re-run waits for the running switch without calling FailoverGlobalCluster again, then completes.",
    durations: { auroraFailoverSeconds: 2400 },
    world: primaryFailsAtDetection,
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { run: "failover", input: UNPLANNED_OPERATOR, after: 300 },
    ],
    measures: "failover",
    expect: (targets) => ({ outcomes: ["SwitchTimedOut", "SUCCEEDED"], final: { ...failedOver(targets), drPromotionsRequested: 1 } }),
  },
  {
    name: "aurora-rerun-already-writer",
    engineMode: "aurora-global",
    title: "Aurora: re-run after a partial failure, DR cluster already the writer",
    story:
      "The primary fails; CloudWatch does not evaluate the fence alarm for 20 minutes, so the first run ends FenceNotInEffect after the switch. Ten minutes later the operator re-runs it. Expected: the re-run sees the DR cluster already the writer, does not switch again, and ends with DNS on DR.",
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
    name: "aurora-failback-after-failover",
    engineMode: "aurora-global",
    title: "Aurora: failback after an unplanned failover, old primary re-added by Aurora",
    story:
      "After an unplanned failover the primary region returns; Aurora re-adds the primary cluster as a secondary and rebuilds it (30 minutes). The operator then runs failback. Expected: a switchover (called in the DR region) makes the primary cluster the writer again with no data loss, DNS serves the primary, the DR region's stable name still points at the DR cluster's writer endpoint (no repoint), the DR group returns to standby. No stack rebuild.",
    world: primaryFailsAtDetection,
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { act: "primary region back (Aurora re-adds its cluster as a secondary)", after: 3600, apply: (cloud) => cloud.restorePrimaryRegion() },
      { run: "failback", input: { force: false }, after: 2400 },
    ],
    measures: "failback",
    expect: (targets) => ({
      outcomes: ["SUCCEEDED", "SUCCEEDED"],
      final: {
        primaryRecord: "primary-alb",
        dnsAnswer: "primary",
        primaryDatabaseRole: "writer",
        drDatabaseRole: "secondary",
        primaryDatabaseName: "primary-writer-endpoint",
        drDatabaseName: "dr-writer-endpoint",
        primaryPromotionsAccepted: 1,
        primaryCapacity: size(targets.primary.capacity),
        drCapacity: size(targets.drAutoScalingGroup.standby),
      },
      notifications: [...FAILOVER_OK, "Failback started", "Failback complete"],
      dnsChanges: ["fence on", "fence off", "primary-alb (primary)"],
      withinRto: true,
    }),
  },
  {
    name: "aurora-failback-before-rejoin",
    engineMode: "aurora-global",
    title: "Aurora: failback refused while the primary cluster is still being rebuilt",
    story:
      "After an unplanned failover the primary region returns; the operator runs failback ten minutes later, while Aurora still rebuilds the primary cluster (pending-resync). Expected: PrimaryClusterNotMember, nothing changed by the failback, DNS still on DR.",
    world: primaryFailsAtDetection,
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { act: "primary region back", after: 3600, apply: (cloud) => cloud.restorePrimaryRegion() },
      { run: "failback", input: { force: false }, after: 600 },
    ],
    expect: (targets) => ({
      outcomes: ["SUCCEEDED", "PrimaryClusterNotMember"],
      final: {
        primaryRecord: "primary-alb",
        fence: "on",
        drDatabaseRole: "writer",
        primaryDatabaseRole: "secondary",
        drCapacity: size(targets.drAutoScalingGroup.recovery),
      },
      changesInLastRun: 0,
      notifications: [...FAILOVER_OK, "Failback FAILED"],
    }),
  },
  {
    name: "aurora-failback-primary-detached",
    engineMode: "aurora-global",
    title: "Aurora: failback refused when the old primary never rejoins",
    story:
      "After the failover the old primary cluster is not re-added (as after a manual detach-and-promote). Expected: PrimaryClusterNotMember (add the primary region back first, docs/outage-runbook.md, Aurora global database), nothing changed by the failback.",
    world: (context) => ({ ...primaryFailsAtDetection(context), aurora: { primaryNeverRejoins: true } }),
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { act: "primary region back", after: 3600, apply: (cloud) => cloud.restorePrimaryRegion() },
      { run: "failback", input: { force: false }, after: 2400 },
    ],
    expect: () => ({
      outcomes: ["SUCCEEDED", "PrimaryClusterNotMember"],
      final: { primaryRecord: "primary-alb", fence: "on", dnsAnswer: "dr", drDatabaseRole: "writer", primaryDatabaseRole: "not-a-member" },
      changesInLastRun: 0,
    }),
  },
  {
    name: "aurora-us-east-1-lost-failover",
    engineMode: "aurora-global",
    title: "Aurora: unplanned failover with us-east-1 lost, Route 53's control plane with it",
    story:
      "The primary region is us-east-1 and it fails with Route 53's control plane. The operator starts the failover from the DR region. Expected: FailoverGlobalCluster (an RDS call in the DR region) makes the DR cluster the writer, whose writer endpoint the DR region's stable name has pointed at since deploy time, so no Route 53 change is needed; the fence moves traffic; no Route 53 call, no call through the primary-region function; within the RTO.",
    world: usEast1Lost,
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    measures: "failover",
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: { ...failedOver(targets), drPromotionsRequested: 1, lagAtPromotionSeconds: { max: 1 } },
      notifications: FAILOVER_OK,
      dnsChanges: ["fence on"],
      withinRto: true,
      forbiddenCalls: ["route53:", "lambda:"],
    }),
  },
  {
    name: "aurora-us-east-1-returns-flapping",
    engineMode: "aurora-global",
    title: "Aurora: us-east-1 comes back with its health flapping",
    story:
      "After the failover with us-east-1 lost, the region returns an hour later with its app restarting in a loop for 30 minutes (/health 40 s up, 40 s down); Aurora re-adds the old primary cluster as a secondary. Expected: DNS keeps answering the DR region through the fence, no write reaches the old primary, no other execution runs.",
    world: usEast1Lost,
    steps: failoverThenFlappingReturn,
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: { ...failedOver(targets), primaryDatabaseRole: "secondary", oldPrimaryWriteSeconds: 0 },
      notifications: FAILOVER_OK,
      dnsChanges: ["fence on"],
    }),
  },
  {
    name: "aurora-failback-after-us-east-1-returns",
    engineMode: "aurora-global",
    title: "Aurora: failback after us-east-1 returns",
    story:
      "After the failover with us-east-1 lost, the region returns an hour later; Aurora rebuilds the old primary cluster as a secondary (30 minutes); the operator fails back 40 minutes after the return. Expected: the switchover makes the primary cluster the writer again with no data loss, the failback releases the fence and serves the primary; no write reached the old primary meanwhile.",
    world: usEast1Lost,
    steps: [
      { run: "failover", input: UNPLANNED_OPERATOR },
      { world: "us-east-1 back (Aurora re-adds its cluster as a secondary)", after: 3600, apply: (cloud) => cloud.restorePrimaryRegion() },
      { run: "failback", input: { force: false }, after: 2400 },
    ],
    measures: "failback",
    expect: (targets) => ({
      outcomes: ["SUCCEEDED", "SUCCEEDED"],
      final: {
        primaryRecord: "primary-alb",
        fence: "off",
        dnsAnswer: "primary",
        primaryDatabaseRole: "writer",
        drDatabaseRole: "secondary",
        primaryPromotionsAccepted: 1,
        primaryCapacity: size(targets.primary.capacity),
        drCapacity: size(targets.drAutoScalingGroup.standby),
        oldPrimaryWriteSeconds: 0,
      },
      notifications: [...FAILOVER_OK, "Failback started", "Failback complete"],
      dnsChanges: ["fence on", "fence off", "primary-alb (primary)"],
      withinRto: true,
    }),
  },
  {
    name: "aurora-drill-passes",
    engineMode: "aurora-global",
    title: "Aurora: drill passes without touching the database",
    story: "A drill on a healthy pair in aurora-global mode. Expected: success, traffic rolled back, the DR cluster still the secondary, nothing switched.",
    steps: [{ run: "drill", input: {} }],
    expect: (targets) => ({
      outcomes: ["SUCCEEDED"],
      final: { ...untouched(targets), dnsAnswer: "primary", drillPoolRecords: 0, drPromotionsRequested: 0 },
      notifications: ["DR drill started", "DR drill passed"],
    }),
  },
];
