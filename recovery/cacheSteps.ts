/**
 * The cache's part of the recovery workflows (targets `cache`, recovery/targets.ts): pure ASL builders
 * that recovery/failover.ts, failoverParts.ts and failback.ts add when the pair has a cache.
 *
 * Global datastore (ElastiCache User Guide, "Replication across AWS Regions using global datastores"):
 * - Failover, a branch of the `Recover` Parallel beside the database and the capacity (the cache and
 *   the database are independent: promoting one neither needs nor changes the other). It promotes the
 *   DR member with FailoverGlobalReplicationGroup, `PrimaryRegion` = the DR region and
 *   `PrimaryReplicationGroupId` = the DR group ("Used to failover the primary region to a secondary
 *   region. The secondary region will become primary, and all other clusters will become secondary",
 *   ElastiCache API Reference, FailoverGlobalReplicationGroup). The call is made where the workflow
 *   runs, the DR region (an SDK integration calls its own region). What AWS does not document: whether
 *   the failover succeeds while the primary region is unreachable. The API reference lists one state
 *   refusal, InvalidGlobalReplicationGroupState ("The Global datastore is not available or in
 *   primary-only state"), and making "all other clusters ... secondary" includes the old primary,
 *   which lives in the failed region. So the workflow assumes nothing: in `unplanned` mode a failover
 *   that is refused, fails, or does not make the DR group the available primary within
 *   `CACHE_POLLING.failover` is followed by DisassociateGlobalReplicationGroup of the DR group, called
 *   in the DR region with `ReplicationGroupRegion` = the DR region ("Remove a secondary cluster from the
 *   Global datastore ... The secondary cluster will no longer receive updates from the primary cluster,
 *   but will remain as a standalone cluster in that Amazon region", ElastiCache API Reference,
 *   DisassociateGlobalReplicationGroup): a standalone group takes writes. In `planned` mode the primary
 *   region answers, and a refused failover is reported, never answered by a detach (which would split
 *   a healthy pair). Either way the branch never fails the failover: the cache holds copies, the app
 *   runs on a cold or read-only cache, and DNS must not wait on it. It ends with `{ cache }`:
 *   `promoted` (the DR group is the global datastore's primary), `detached` (standalone: set the DR
 *   stack's `cache.detached: true` before its next deploy), or `not-promoted` (still a read-only
 *   secondary: see the notification). A re-run finds a group already primary or already standalone and
 *   only waits for it to be `available`.
 * - Failback, before the fence is released: the same call the other way (`PrimaryRegion` = the primary
 *   region, `PrimaryReplicationGroupId` = the primary group), from the DR region, then a wait until the
 *   DR group is a secondary again. A detached DR group cannot re-join ("We don't support adding an
 *   existing cluster as a secondary. The process of adding the cluster as a secondary wipes the data",
 *   ElastiCache User Guide, global datastores, "Prerequisites and limitations"): failback then tells
 *   the operator to flush the primary region's cache (it holds what it had before the outage) and to
 *   rebuild the DR secondary (`cache.detached: false`, a deploy replaces the group). Non-fatal too.
 *
 * Regional DR cache: after the DR targets are healthy, the failover invokes the warm-up function with
 * the URLs the app names (`cache.warmUp`); it requests each through the application's name, so a
 * read-through cache loads what those pages read. Non-fatal: a failed warm-up leaves a cold cache.
 *
 * Timing (no figure is documented for either call): ElastiCache describes a promotion as typically
 * under a minute ("Once initiated, the promotion typically completes in less than a minute", AWS
 * What's New, "Amazon ElastiCache for Redis announces Global Datastore", 2020-03-16); the bounds below
 * give it three minutes before the unplanned path detaches, and the detach five.
 */
import {
  milestone,
  notify,
  poll,
  type PollOptions,
  pollStart,
  sdkRetry,
  sdkTask,
  type State,
  THROTTLING_ERRORS,
  LAMBDA_INVOKE,
  LAMBDA_RETRY,
  type Definition,
} from "./asl";
import { assertCacheTargets, type GlobalCacheTargets, globalCacheOf, type RecoveryTargets, regionalCacheOf, type RegionalCacheTargets } from "./targets";

/** ElastiCache's throttling errors through the SDK integration (recovery/asl.ts THROTTLING_ERRORS explains both names). */
export const ELASTICACHE_THROTTLING_ERRORS = THROTTLING_ERRORS.elasticache;

/**
 * ElastiCache's refusals of a global datastore change (ElastiCache API Reference,
 * FailoverGlobalReplicationGroup and DisassociateGlobalReplicationGroup, Errors), as the SDK
 * integration names them (the Java SDK v2 turns `...Fault` and bare codes into `...Exception`, as
 * `Rds.DbInstanceNotFoundException`, recovery/asl.ts). Never retried: the state they report does not
 * pass by itself within a retry's seconds, and the workflow looks before deciding.
 */
export const ELASTICACHE_REFUSALS = [
  "ElastiCache.InvalidGlobalReplicationGroupStateException",
  "ElastiCache.GlobalReplicationGroupNotFoundException",
  "ElastiCache.InvalidParameterValueException",
  "ElastiCache.InvalidParameterCombinationException",
] as const;

/** An ElastiCache SDK integration Task: `sdkTask` (timeout, throttling and transient retries); its refusals are not retried. */
export function elastiCacheTask(action: string, parameters: Record<string, unknown>, rest: State): State {
  return { ...sdkTask("elasticache", action, parameters, rest), Retry: sdkRetry("elasticache", { ErrorEquals: [...ELASTICACHE_REFUSALS], MaxAttempts: 0 }) };
}

/**
 * `poll` whose check errors land at `$.cacheError` (not `$.failure`, which the workflows' failure
 * paths read: a cache error never fails a workflow) and go to `onError`.
 */
function cachePoll(options: Omit<PollOptions, "onError"> & { onError: string }): Record<string, State> {
  const { onError, ...rest } = options;
  const states = poll(rest);
  const check = `${options.name}: check`;
  states[check] = { ...states[check], Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.cacheError", Next: onError }] };
  return states;
}

/** Polling bounds of the cache steps, seconds (module comment, "Timing"). */
export const CACHE_POLLING = {
  /** The DR group becoming the available primary after FailoverGlobalReplicationGroup: every 15 s for 3 minutes. */
  failover: { intervalSeconds: 15, maxAttempts: 12 },
  /** The DR group standalone and available after DisassociateGlobalReplicationGroup: every 15 s for 5 minutes. */
  detach: { intervalSeconds: 15, maxAttempts: 20 },
  /** Failback: the DR group a secondary again: every 15 s for 10 minutes. */
  failback: { intervalSeconds: 15, maxAttempts: 40 },
} as const;

/** How the failover's cache branch ends (`$.recovery.cache`). */
export const CACHE_OUTCOMES = ["promoted", "detached", "not-promoted"] as const;
export type CacheOutcome = (typeof CACHE_OUTCOMES)[number];

/**
 * `elasticache:describeReplicationGroups` of one group; the group lands at `<ResultPath>.group`, in the
 * SDK integration's casing (the API's member names: `Status`, `GlobalReplicationGroupInfo` with
 * `GlobalReplicationGroupId` and `GlobalReplicationGroupMemberRole`; ElastiCache API Reference,
 * ReplicationGroup and GlobalReplicationGroupInfo). The whole group is kept: a standalone group has
 * no `GlobalReplicationGroupInfo`, which a ResultSelector path could not select.
 */
export function describeCacheGroup(replicationGroupId: string, rest: State = {}): State {
  return elastiCacheTask(
    "describeReplicationGroups",
    { ReplicationGroupId: replicationGroupId },
    { ResultSelector: { "group.$": "$.ReplicationGroups[0]" }, ...rest },
  );
}

/**
 * The first states of a cache branch: `<start>` clears `$.cacheError`, `<prefix>: look` reads the DR
 * member (`describeCacheGroup`) into `resultPath` (an error goes to `onError`), and `<prefix>: role?`
 * goes on by its role in the global datastore: primary, standalone (detached), or neither.
 */
function lookUpRole(
  replicationGroupId: string,
  branch: { prefix: string; start?: string; resultPath: string; onError: string; ifPrimary: string; ifStandalone: string; otherwise: string },
): Record<string, State> {
  const look = `${branch.prefix}: look`;
  const role = `${branch.prefix}: role?`;
  return {
    [branch.start ?? `${branch.prefix}: start`]: { Type: "Pass", Result: "none", ResultPath: "$.cacheError", Next: look },
    [look]: describeCacheGroup(replicationGroupId, {
      ResultPath: branch.resultPath,
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.cacheError", Next: branch.onError }],
      Next: role,
    }),
    [role]: {
      Type: "Choice",
      Choices: [
        { ...cacheRoleIs(branch.resultPath, "primary"), Next: branch.ifPrimary },
        { ...cacheStandalone(branch.resultPath), Next: branch.ifStandalone },
      ],
      Default: branch.otherwise,
    },
  };
}

/**
 * Choice rule: the group at `resultPath` has `role` in its global datastore. The API documents the
 * role as "primary or secondary" (GlobalReplicationGroupInfo.GlobalReplicationGroupMemberRole) and its
 * CLI examples print it upper case; both spellings match.
 */
export function cacheRoleIs(resultPath: string, role: "primary" | "secondary"): Record<string, unknown> {
  const variable = `${resultPath}.group.GlobalReplicationGroupInfo.GlobalReplicationGroupMemberRole`;
  return {
    And: [
      { Variable: variable, IsPresent: true },
      {
        Or: [
          { Variable: variable, StringEquals: role.toUpperCase() },
          { Variable: variable, StringEquals: role },
        ],
      },
    ],
  };
}

/** Choice rule: the group at `resultPath` belongs to no global datastore (standalone). */
export function cacheStandalone(resultPath: string): Record<string, unknown> {
  return { Not: { Variable: `${resultPath}.group.GlobalReplicationGroupInfo.GlobalReplicationGroupId`, IsPresent: true } };
}

/** Choice rule: the group at `resultPath` is `available` ("creating, available, modifying, deleting, create-failed, snapshotting", ReplicationGroup.Status). */
export function cacheAvailable(resultPath: string): Record<string, unknown> {
  return {
    And: [
      { Variable: `${resultPath}.group.Status`, IsPresent: true },
      { Variable: `${resultPath}.group.Status`, StringEquals: "available" },
    ],
  };
}

/** The Parallel branch of the failover that promotes or detaches the DR member of the global datastore (module comment). */
export function cacheFailoverBranch(targets: RecoveryTargets, cache: GlobalCacheTargets): Pick<Definition, "StartAt" | "States"> {
  const dr = cache.drReplicationGroupId;
  // Every outcome carries the last error seen (`none` without one): the branch's own state does not outlive the Parallel.
  const outcome = (value: CacheOutcome): State => ({ Type: "Pass", Parameters: { cache: value, "error.$": "$.cacheError" }, End: true });
  const unplannedOr = (unplanned: string, otherwise: string): State => ({
    Type: "Choice",
    Choices: [{ Variable: "$.mode", StringEquals: "unplanned", Next: unplanned }],
    Default: otherwise,
  });
  return {
    StartAt: "Cache: start",
    States: {
      // A re-run, or an earlier detach: follow, do not call again.
      ...lookUpRole(dr, {
        prefix: "Cache",
        resultPath: "$.cache",
        onError: "Cache: not promoted",
        ifPrimary: pollStart("Cache failover"),
        ifStandalone: pollStart("Cache detach"),
        otherwise: "Cache: fail over",
      }),
      "Cache: fail over": elastiCacheTask(
        "failoverGlobalReplicationGroup",
        { GlobalReplicationGroupId: cache.globalReplicationGroupId, PrimaryRegion: targets.drRegion, PrimaryReplicationGroupId: dr },
        {
          ResultPath: null,
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.cacheError", Next: "Cache: failover refused" }],
          Next: pollStart("Cache failover"),
        },
      ),
      // Refused or failed: with the primary region gone the failover may need it (module comment); detach instead.
      "Cache: failover refused": unplannedOr("Cache: detach", "Cache: final look"),
      ...cachePoll({
        name: "Cache failover",
        check: describeCacheGroup(dr),
        resultPath: "$.cache",
        done: [{ And: [cacheRoleIs("$.cache", "primary"), cacheAvailable("$.cache")] }],
        ...CACHE_POLLING.failover,
        next: "Cache: promoted",
        onTimeout: "Cache: failover stalled",
        onError: "Cache: final look",
      }),
      // Accepted but not done in time: in an outage it may wait for the lost region. Detach (unplanned) or report.
      "Cache: failover stalled": unplannedOr("Cache: detach", "Cache: final look"),
      "Cache: detach": elastiCacheTask(
        "disassociateGlobalReplicationGroup",
        { GlobalReplicationGroupId: cache.globalReplicationGroupId, ReplicationGroupId: dr, ReplicationGroupRegion: targets.drRegion },
        {
          ResultPath: null,
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.cacheError", Next: "Cache: final look" }],
          Next: pollStart("Cache detach"),
        },
      ),
      ...cachePoll({
        name: "Cache detach",
        check: describeCacheGroup(dr),
        resultPath: "$.cache",
        done: [{ And: [cacheStandalone("$.cache"), cacheAvailable("$.cache")] }],
        ...CACHE_POLLING.detach,
        next: "Cache: detached",
        onTimeout: "Cache: final look",
        onError: "Cache: final look",
      }),
      // Whatever failed, the group may have become writable meanwhile (a late failover, a detach whose answer was lost).
      "Cache: final look": describeCacheGroup(dr, {
        ResultPath: "$.cache",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.cacheError", Next: "Cache: not promoted" }],
        Next: "Cache: writable?",
      }),
      "Cache: writable?": {
        Type: "Choice",
        Choices: [
          { And: [cacheRoleIs("$.cache", "primary"), cacheAvailable("$.cache")], Next: "Cache: promoted" },
          { And: [cacheStandalone("$.cache"), cacheAvailable("$.cache")], Next: "Cache: detached" },
        ],
        Default: "Cache: not promoted",
      },
      "Cache: promoted": outcome("promoted"),
      "Cache: detached": outcome("detached"),
      "Cache: not promoted": outcome("not-promoted"),
    },
  };
}

/** The failover's Parallel branches for the cache: one for a global datastore, none otherwise (a regional cache is warmed up after health). */
export function cacheFailoverBranches(targets: RecoveryTargets): Pick<Definition, "StartAt" | "States">[] {
  assertCacheTargets(targets, "cacheFailoverBranches");
  const cache = globalCacheOf(targets);
  return cache ? [cacheFailoverBranch(targets, cache)] : [];
}

/** The `Recover` Parallel's ResultSelector entry for the cache branch (the third branch), or nothing without one. */
export function cacheResultSelector(targets: RecoveryTargets): Record<string, string> {
  return globalCacheOf(targets) ? { "cache.$": "$[2].cache", "cacheError.$": "$[2].error" } : {};
}

/**
 * The failover's cache states between "Healthy in DR" and `next` (the success notification): with a
 * global datastore, a notification when the cache was detached or not promoted (the operator has
 * something to do); with a regional cache, the warm-up. Entry state: the returned `start`, or `next`
 * when there is nothing to do.
 */
export function cacheAfterHealthStates(targets: RecoveryTargets, next: string): { start: string; states: Record<string, State> } {
  const global = globalCacheOf(targets);
  if (global) return { start: "Cache outcome?", states: cacheOutcomeStates(targets, global, next) };
  const regional = regionalCacheOf(targets);
  if (regional) return { start: "Warm up cache", states: warmUpStates(regional, next) };
  return { start: next, states: {} };
}

function cacheOutcomeStates(targets: RecoveryTargets, cache: GlobalCacheTargets, next: string): Record<string, State> {
  return {
    "Cache outcome?": {
      Type: "Choice",
      Choices: [
        { Variable: "$.recovery.cache", StringEquals: "detached", Next: "Notify cache detached" },
        { Variable: "$.recovery.cache", StringEquals: "not-promoted", Next: "Notify cache not promoted" },
      ],
      Default: next,
    },
    "Notify cache detached": notify(
      targets.topicArn,
      "Failover: cache detached",
      `States.Format('The DR cache ${cache.drReplicationGroupId} could not be promoted in the global datastore ${cache.globalReplicationGroupId} and was detached from it (DisassociateGlobalReplicationGroup): it is a standalone, writable cache in ${targets.drRegion} with the data it had replicated. Set cache.detached: true in the DR stack before its next deploy. Before failback, flush the cache in ${targets.primaryRegion} (it holds what it had before the outage). Execution {}', $$.Execution.Id)`,
      { Next: next },
    ),
    "Notify cache not promoted": notify(
      targets.topicArn,
      "Failover: cache not promoted",
      `States.Format('The DR cache ${cache.drReplicationGroupId} is still a read-only secondary of ${cache.globalReplicationGroupId} ({}): the app in ${targets.drRegion} reads it but its writes to it fail. Promote it by hand (aws elasticache failover-global-replication-group --region ${targets.drRegion} --global-replication-group-id ${cache.globalReplicationGroupId} --primary-region ${targets.drRegion} --primary-replication-group-id ${cache.drReplicationGroupId}), or in an outage detach it (aws elasticache disassociate-global-replication-group --region ${targets.drRegion} --global-replication-group-id ${cache.globalReplicationGroupId} --replication-group-id ${cache.drReplicationGroupId} --replication-group-region ${targets.drRegion}). Execution {}', States.JsonToString($.recovery.cacheError), $$.Execution.Id)`,
      { Next: next },
    ),
  };
}

/** Seconds the warm-up function may run (components/cache/warmUpFunction.ts): 20 URLs of up to 10 s each, in parallel, with room. */
export const WARM_UP_TIMEOUT_SECONDS = 60;

function warmUpStates(cache: RegionalCacheTargets, next: string): Record<string, State> {
  return {
    "Warm up cache": {
      Type: "Task",
      Resource: LAMBDA_INVOKE,
      Parameters: { FunctionName: cache.warmUp.functionArn, Payload: { urls: cache.warmUp.urls } },
      ResultSelector: { "answer.$": "$.Payload" },
      ResultPath: "$.warmUp",
      TimeoutSeconds: WARM_UP_TIMEOUT_SECONDS + 10,
      Retry: [LAMBDA_RETRY],
      // A cold cache is slower, not broken: the failover goes on.
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.warmUpError", Next: next }],
      Next: milestoneName,
    },
    [milestoneName]: milestone("cacheWarm", next),
  };
}

const milestoneName = "Cache warm";

/**
 * The failback's cache states, from `start` to `next` (the fence's release): switch the global
 * datastore's primary back to the primary region's group, or report a detached DR cache (module
 * comment). Without a global datastore: none (`start` is `next`).
 */
export function cacheFailbackStates(targets: RecoveryTargets, next: string): { start: string; states: Record<string, State> } {
  assertCacheTargets(targets, "cacheFailbackStates");
  const cache = globalCacheOf(targets);
  if (!cache) return { start: next, states: {} };
  const dr = cache.drReplicationGroupId;
  const report = (subject: string, message: string): State => notify(targets.topicArn, subject, message, { Next: next });
  return {
    start: "Cache failback",
    states: {
      // Already a secondary (a re-run, or the cache was never promoted): nothing to switch.
      ...lookUpRole(dr, {
        prefix: "Cache failback",
        start: "Cache failback",
        resultPath: "$.cacheBack",
        onError: "Cache failback failed",
        ifPrimary: "Cache failback: switch",
        ifStandalone: "Cache failback: detached",
        otherwise: next,
      }),
      "Cache failback: switch": elastiCacheTask(
        "failoverGlobalReplicationGroup",
        {
          GlobalReplicationGroupId: cache.globalReplicationGroupId,
          PrimaryRegion: targets.primaryRegion,
          PrimaryReplicationGroupId: cache.primaryReplicationGroupId,
        },
        {
          ResultPath: null,
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.cacheError", Next: "Cache failback failed" }],
          Next: pollStart("Cache switch back"),
        },
      ),
      ...cachePoll({
        name: "Cache switch back",
        check: describeCacheGroup(dr),
        resultPath: "$.cacheBack",
        done: [{ And: [cacheRoleIs("$.cacheBack", "secondary"), cacheAvailable("$.cacheBack")] }],
        ...CACHE_POLLING.failback,
        next: next,
        onTimeout: "Cache failback failed",
        onError: "Cache failback failed",
      }),
      "Cache failback failed": report(
        "Failback: cache not switched back",
        `States.Format('The global datastore ${cache.globalReplicationGroupId} still has its primary in ${targets.drRegion} ({}): switch it back by hand (aws elasticache failover-global-replication-group --region ${targets.drRegion} --global-replication-group-id ${cache.globalReplicationGroupId} --primary-region ${targets.primaryRegion} --primary-replication-group-id ${cache.primaryReplicationGroupId}); until then the app in ${targets.primaryRegion} reads a read-only cache. Execution {}', States.JsonToString($.cacheError), $$.Execution.Id)`,
      ),
      "Cache failback: detached": report(
        "Failback: cache detached",
        `States.Format('The DR cache ${dr} was detached from the global datastore during the failover and cannot re-join it (ElastiCache adds no cluster with data as a secondary). The cache in ${targets.primaryRegion} (${cache.primaryReplicationGroupId}) holds what it had before the outage: flush it before users reach it, then set cache.detached: false in the DR stack and deploy it to rebuild the DR secondary (empty, then replicated). Execution {}', $$.Execution.Id)`,
      ),
    },
  };
}
