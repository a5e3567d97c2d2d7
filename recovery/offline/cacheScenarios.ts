/**
 * The offline drill's cache scenarios (recovery/cacheSteps.ts): the failover with an ElastiCache
 * global datastore (graceful promotion, the primary region gone, a failover that stalls or that AWS
 * completes anyway, a refused one), the failback that switches the global datastore back, and a
 * regional DR cache warmed up. They run on instance-mode targets with a cache (from the plan when the
 * pair has one, else system.ts `deriveCacheTargets`). The database, DNS and capacity expectations are
 * those of the instance scenarios: the cache never changes them.
 */
import type { RecoveryTargets } from "../targets";
import { CACHE_POLLING } from "../cacheSteps";
import type { Scenario } from "./simulate";
import {
  FAILBACK_AFTER_FAILOVER,
  failedBackTo,
  failedOver,
  FAILOVER_OK,
  PLANNED,
  primaryFailsAtDetection,
  UNPLANNED_ALARM,
  UNPLANNED_OPERATOR,
  usEast1Lost,
} from "./scenarioParts";

/** A failover that succeeded for the database, DNS and capacity (scenarios.ts), with the cache's expectations. */
function failoverWithCache(targets: RecoveryTargets, cache: Record<string, string | number>, notifications: string[] = FAILOVER_OK) {
  return {
    outcomes: ["SUCCEEDED"],
    final: { ...failedOver(targets), drPromotionsRequested: 1, ...cache },
    notifications,
    dnsChanges: ["fence on"],
  };
}

/** The notifications of a failover whose cache was detached. */
const DETACHED = ["Failover started", "Failover: cache detached", "Failover complete"];

export const CACHE_SCENARIOS: Scenario[] = [
  {
    name: "cache-planned-switchover",
    cache: "global-datastore",
    title: "Cache: planned switchover promotes the DR member (FailoverGlobalReplicationGroup)",
    story:
      "The primary is healthy; the operator switches over. Expected: beside the database, FailoverGlobalReplicationGroup from the DR region makes the DR member the global datastore's primary (about a minute) and the primary region's member a secondary; no detach; the database, DNS and capacity as in planned-switchover, within the RTO.",
    steps: [{ run: "failover", input: PLANNED }],
    measures: "failover",
    expect: (targets) => ({
      ...failoverWithCache(targets, { drCacheRole: "primary", cacheFailoversToDr: 1, cacheDetaches: 0, primaryCapacity: "0/0/0", lagAtPromotionSeconds: 0 }),
      withinRto: true,
    }),
  },
  {
    name: "cache-unplanned-primary-gone",
    cache: "global-datastore",
    title: "Cache: primary region gone, the failover refused, the DR member detached",
    story:
      "The primary region fails; the alarm starts the failover. AWS does not document whether FailoverGlobalReplicationGroup works without the primary's region; here it is refused (InvalidGlobalReplicationGroupState, the datastore not available). Expected: the unplanned path detaches the DR member (DisassociateGlobalReplicationGroup from the DR region), which becomes a standalone, writable cache; the failover succeeds within the RTO and notifies that the cache was detached (set cache.detached: true).",
    world: primaryFailsAtDetection,
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    measures: "failover",
    expect: (targets) => ({
      ...failoverWithCache(targets, { drCacheRole: "standalone", cacheFailoversToDr: 0, cacheDetaches: 1 }, DETACHED),
      withinRto: true,
    }),
  },
  {
    name: "cache-us-east-1-lost",
    cache: "global-datastore",
    title: "Cache: us-east-1 lost with Route 53's control plane, the DR member detached",
    story:
      "As cache-unplanned-primary-gone, with the primary in us-east-1: Route 53's control plane is down too. Expected: no Route 53 call, no call to the primary-region function; the cache is detached in the DR region; within the RTO.",
    world: usEast1Lost,
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    measures: "failover",
    expect: (targets) => ({
      ...failoverWithCache(targets, { drCacheRole: "standalone", cacheDetaches: 1 }, DETACHED),
      withinRto: true,
      forbiddenCalls: ["route53:", "lambda:setCapacity", "lambda:describeCapacity"],
    }),
  },
  {
    name: "cache-failover-stalls",
    cache: "global-datastore",
    title: "Cache: the failover accepted but stalled on the lost region, then detached",
    story: `The primary region fails; ElastiCache accepts FailoverGlobalReplicationGroup but cannot complete it without the old primary. Expected: after ${CACHE_POLLING.failover.intervalSeconds * CACHE_POLLING.failover.maxAttempts} s the unplanned path detaches the DR member; the failover still ends within the RTO (the cache branch runs beside the database's promotion).`,
    world: (context) => ({ ...primaryFailsAtDetection(context), cache: { failoverWhilePrimaryDown: "stall" } }),
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    measures: "failover",
    expect: (targets) => ({
      ...failoverWithCache(targets, { drCacheRole: "standalone", cacheFailoversToDr: 1, cacheDetaches: 1 }, DETACHED),
      withinRto: true,
    }),
  },
  {
    name: "cache-failover-completes-without-primary",
    cache: "global-datastore",
    title: "Cache: AWS promotes the DR member although the primary region is gone",
    story:
      "The other reading of the documentation: FailoverGlobalReplicationGroup completes without the primary's region. Expected: the DR member is the primary, nothing is detached, no cache notification.",
    world: (context) => ({ ...primaryFailsAtDetection(context), cache: { failoverWhilePrimaryDown: "complete" } }),
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    measures: "failover",
    expect: (targets) => ({ ...failoverWithCache(targets, { drCacheRole: "primary", cacheFailoversToDr: 1, cacheDetaches: 0 }), withinRto: true }),
  },
  {
    name: "cache-planned-refused",
    cache: "global-datastore",
    title: "Cache: planned switchover, FailoverGlobalReplicationGroup refused",
    story:
      "The operator switches over; ElastiCache refuses the cache's failover. Expected: no detach in planned mode (the primary region answers: splitting a healthy pair would lose the cache's replication for nothing); the database failover completes and the operator is told the cache is still a read-only secondary, with the command to promote it.",
    world: () => ({ cache: { failoverRefused: true } }),
    steps: [{ run: "failover", input: PLANNED }],
    expect: (targets) => ({
      ...failoverWithCache(targets, { drCacheRole: "secondary", cacheFailoversToDr: 0, cacheDetaches: 0, primaryCapacity: "0/0/0" }, [
        "Failover started",
        "Failover: cache not promoted",
        "Failover complete",
      ]),
    }),
  },
  {
    name: "cache-rerun-after-detach",
    cache: "global-datastore",
    title: "Cache: re-run after an earlier detach",
    story:
      "The DR member is already standalone (an earlier run detached it). Expected: no ElastiCache change, the failover completes; the detach is notified again.",
    world: (context) => ({ ...primaryFailsAtDetection(context), cache: { drDetached: true } }),
    steps: [{ run: "failover", input: UNPLANNED_OPERATOR }],
    expect: (targets) => failoverWithCache(targets, { drCacheRole: "standalone", cacheFailoversToDr: 0, cacheDetaches: 0 }, DETACHED),
  },
  {
    name: "cache-failback-switches-back",
    cache: "global-datastore",
    title: "Cache: failback switches the global datastore back to the primary region",
    story:
      "An unplanned failover with AWS promoting the DR member, the primary region back and re-protected, then failback. Expected: before the fence is released, FailoverGlobalReplicationGroup makes the primary region's member the primary again and the DR member a secondary; the pair is back where it started.",
    world: (context) => ({ ...primaryFailsAtDetection(context), cache: { failoverWhilePrimaryDown: "complete" } }),
    steps: FAILBACK_AFTER_FAILOVER,
    measures: "failback",
    expect: (targets) => {
      const failedBack = failedBackTo(targets);
      return {
        ...failedBack,
        final: { ...failedBack.final, drCacheRole: "secondary", cacheFailoversToDr: 1, cacheFailoversToPrimary: 1, cacheDetaches: 0 },
        withinRto: true,
      };
    },
  },
  {
    name: "cache-failback-after-detach",
    cache: "global-datastore",
    title: "Cache: failback after the DR member was detached",
    story:
      "The failover detached the DR cache (the primary region gone); the region returns and failback runs. Expected: the database fails back as usual; the detached cache cannot re-join (ElastiCache adds no cluster with data as a secondary), so failback tells the operator to flush the primary region's cache and rebuild the DR secondary; nothing is called on the global datastore.",
    world: primaryFailsAtDetection,
    steps: FAILBACK_AFTER_FAILOVER,
    expect: (targets) => {
      const failedBack = failedBackTo(targets);
      return {
        ...failedBack,
        final: { ...failedBack.final, drCacheRole: "standalone", cacheFailoversToPrimary: 0, cacheDetaches: 1 },
        notifications: [...DETACHED, "Failback started", "Failback: cache detached", "Failback complete"],
      };
    },
  },
  {
    name: "cache-regional-warm-up",
    cache: "regional",
    title: "Cache: a regional DR cache warmed up once the DR region serves",
    story:
      "No global datastore: the DR region has a cache of its own. The primary fails; the failover promotes the database, fences the primary and, once the DR targets are healthy, invokes the warm-up function with the URLs the app names. Expected: every URL loads through the DR region; the failover completes within the RTO.",
    world: primaryFailsAtDetection,
    steps: [{ run: "failover", input: UNPLANNED_ALARM }],
    measures: "failover",
    expect: (targets) => ({
      ...failoverWithCache(targets, {
        drCacheRole: "regional",
        cacheWarmedUrls: targets.cache?.mode === "regional" ? targets.cache.warmUp.urls.length : -1,
      }),
      withinRto: true,
    }),
  },
];
