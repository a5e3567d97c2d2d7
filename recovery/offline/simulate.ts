/**
 * Runs a scenario: builds the simulated world, runs its executions and operator actions in
 * simulated time, reads the final state once things have settled, measures the time to recovery
 * and judges everything against the scenario's expectation (an operator's: the outcome of each run
 * and the state of DNS, databases and capacity afterwards).
 */
import type { Definition } from "../asl";
import type { Workflow } from "../names";
import { type CacheTargets, engineModeOf, type EngineMode, type RecoveryTargets } from "../targets";
import { type CallRecord, type CloudState, type Notification, SimulatedCloud, type WorldSetup } from "./cloud";
import { DEFAULT_EPOCH, VirtualClock } from "./clock";
import { detectionSeconds, type Durations } from "./durations";
import { type ExecutionRecord, outcomeOf, runExecution } from "./run";
import type { RecoverySystem } from "./system";
import { clockTime, duration, executionTimeline, sortTimeline, type TimelineEntry } from "./timeline";

export type ScenarioStep =
  /** Start an execution `after` seconds after the previous step ended (default 0); the operator stops it `stopAfter` seconds after its start. */
  | { run: Workflow; input: Record<string, unknown>; after?: number; stopAfter?: number }
  /** An operator action between executions. */
  | { act: string; after?: number; apply: (cloud: SimulatedCloud) => void }
  /** Something the world does between executions (a region returns), shown as such in the timeline. */
  | { world: string; after?: number; apply: (cloud: SimulatedCloud) => void };

/** An expected value: exact, or a numeric range. */
export type Expected = string | number | { min?: number; max?: number };

/** The final state as flat, comparable values. */
export interface FinalView {
  primaryRecord: string;
  /** The fence: `on`, `off` or `never set`. */
  fence: string;
  dnsAnswer: string;
  drillPoolRecords: number;
  drDatabaseName: string;
  primaryDatabaseName: string;
  drDatabaseRole: string;
  drDatabaseStatus: string;
  primaryDatabaseRole: string;
  /** `min/desired/max`. */
  drCapacity: string;
  drHealthy: number;
  primaryCapacity: string;
  primaryHealthy: number;
  drPromotionsRequested: number;
  drPromotionsAccepted: number;
  primaryPromotionsAccepted: number;
  /** -1 when nothing was promoted. */
  lagAtPromotionSeconds: number;
  /** Seconds the app's writes could land on the old primary database while the DR database was writable (cloud.ts `oldPrimaryWriteSeconds`). */
  oldPrimaryWriteSeconds: number;
  /** The DR cache: `primary`, `secondary`, `standalone` (a global datastore member), `regional` or `none` (cloud.ts `CloudState.cache`). */
  drCacheRole: string;
  /** URLs the failover's warm-up loaded into a regional DR cache. */
  cacheWarmedUrls: number;
  /** Accepted FailoverGlobalReplicationGroup calls onto the DR member, onto the primary's (failback), and DisassociateGlobalReplicationGroup calls. */
  cacheFailoversToDr: number;
  cacheFailoversToPrimary: number;
  cacheDetaches: number;
}

export interface Expectation {
  /** Per run, in order: `SUCCEEDED` or the error name. */
  outcomes: string[];
  final?: Partial<Record<keyof FinalView, Expected>>;
  /** SNS subjects of the whole scenario, in order. */
  notifications?: string[];
  /** Each change of the public zone: `<PRIMARY alias> (<answer>)`. */
  dnsChanges?: string[];
  /** Successful changing calls during the last run (0: nothing was changed). */
  changesInLastRun?: number;
  /** Time to recovery within the targets' RTO. */
  withinRto?: boolean;
  /**
   * Calls no run may make, as prefixes of the call's api (`route53:` for Route 53's control plane,
   * `lambda:` for the primary-region operations function, whose calls are `lambda:<operation>`).
   */
  forbiddenCalls?: string[];
}

export interface Scenario {
  name: string;
  /** The engine mode whose targets the scenario needs (default `instance`); see `scenariosFor`. */
  engineMode?: EngineMode;
  /** The cache the scenario needs in the targets (`targets.cache.mode`); unset: any (the cache scenarios set it). */
  cache?: CacheTargets["mode"];
  title: string;
  /** The situation and what the operator does, in words. */
  story: string;
  world?: (context: { durations: Durations; targets: RecoveryTargets }) => WorldSetup;
  durations?: Partial<Durations>;
  steps: ScenarioStep[];
  /** The recovery whose time is measured: the last run of this workflow that reached its milestones. */
  measures?: "failover" | "failback";
  /** The operator's expectation, for the system's targets (capacities and shares come from them). */
  expect: (targets: RecoveryTargets) => Expectation;
}

export interface Recovery {
  /** What the clock starts from: the primary's failure, or the first execution's start. */
  origin: number;
  originLabel: string;
  /** DNS serves the recovered side (the workflow saw the change INSYNC) and its targets are healthy, plus the alias TTL for resolvers. */
  recoveredAt?: number;
  seconds?: number;
  rtoSeconds: number;
  withinRto?: boolean;
  dnsAt?: number;
  healthyAt?: number;
}

export interface Check {
  what: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface ScenarioResult {
  name: string;
  title: string;
  story: string;
  passed: boolean;
  runs: ExecutionRecord[];
  final?: FinalView;
  notifications: Notification[];
  dnsChanges: string[];
  recovery?: Recovery;
  timeline: TimelineEntry[];
  checks: Check[];
  calls: CallRecord[];
  violations: string[];
  /** The simulation itself broke (invalid definition, deadlock): the scenario fails. */
  error?: string;
}

/** The final state is read this long after the last step, once launches and DNS changes have settled. */
export const SETTLE_SECONDS = 300;

/** Milestones (`$.timeline.<key>`) that mark a recovery: DNS serves the recovered side; its targets are healthy. */
const RECOVERY_MILESTONES: Record<"failover" | "failback", { dns: string; healthy: string }> = {
  failover: { dns: "dnsServesDr", healthy: "healthy" },
  failback: { dns: "dnsServesPrimary", healthy: "done" },
};

export function finalView(state: CloudState): FinalView {
  const capacity = (value: CloudState["drCapacity"]) => `${value.minSize}/${value.desiredCapacity}/${value.maxSize}`;
  return {
    primaryRecord: state.primaryRecord,
    fence: state.fence,
    dnsAnswer: state.dnsAnswer,
    drillPoolRecords: state.drillPoolRecords,
    drDatabaseName: state.drDatabaseName,
    primaryDatabaseName: state.primaryDatabaseName,
    drDatabaseRole: state.drDatabase.role,
    drDatabaseStatus: state.drDatabase.status,
    primaryDatabaseRole: state.primaryDatabase.role,
    drCapacity: capacity(state.drCapacity),
    drHealthy: state.drCapacity.healthy,
    primaryCapacity: capacity(state.primaryCapacity),
    primaryHealthy: state.primaryCapacity.healthy,
    drPromotionsRequested: state.drPromotions.requested,
    drPromotionsAccepted: state.drPromotions.accepted,
    primaryPromotionsAccepted: state.primaryPromotions.accepted,
    lagAtPromotionSeconds: state.lagAtPromotionSeconds ?? -1,
    oldPrimaryWriteSeconds: state.oldPrimaryWriteSeconds,
    drCacheRole: state.cache.drRole,
    cacheWarmedUrls: state.cache.warmedUrls,
    cacheFailoversToDr: state.cache.failoversToDr,
    cacheFailoversToPrimary: state.cache.failoversToPrimary,
    cacheDetaches: state.cache.detaches,
  };
}

function matches(expected: Expected, actual: string | number | undefined): boolean {
  if (typeof expected === "object") {
    return typeof actual === "number" && (expected.min === undefined || actual >= expected.min) && (expected.max === undefined || actual <= expected.max);
  }
  return expected === actual;
}

function show(value: Expected | undefined): string {
  if (value === undefined) return "-";
  if (typeof value === "object")
    return [value.min !== undefined ? `>= ${value.min}` : "", value.max !== undefined ? `<= ${value.max}` : ""].filter(Boolean).join(" and ");
  return String(value);
}

/** Name of the state of `definition` that records `$.timeline.<key>`. */
function milestoneState(definition: Definition, key: string): string | undefined {
  return Object.entries(definition.States).find(([, state]) => state.ResultPath === `$.timeline.${key}`)?.[0];
}

function measureRecovery(system: RecoverySystem, durations: Durations, scenario: Scenario, runs: ExecutionRecord[], world: WorldSetup): Recovery | undefined {
  if (!scenario.measures || runs.length === 0) return undefined;
  // A failover counts from the primary's failure when it happened before the first run, else from the first run's start
  // (re-runs included); a failback from the start of its first run.
  const outage = world.primaryOutage;
  const firstRun = runs.find((run) => run.workflow === scenario.measures);
  if (!firstRun) return undefined;
  const failure = scenario.measures === "failover" && outage && outage.from <= firstRun.startedAt;
  const recovery: Recovery = {
    origin: failure ? outage.from : firstRun.startedAt,
    originLabel: failure ? "the primary's failure" : `the start of the first ${scenario.measures} execution`,
    rtoSeconds: system.targets.rtoSeconds,
  };
  const keys = RECOVERY_MILESTONES[scenario.measures];
  const definition = system.definitions[scenario.measures];
  const dnsState = milestoneState(definition, keys.dns);
  const healthyState = milestoneState(definition, keys.healthy);
  for (const run of [...runs].reverse()) {
    if (run.workflow !== scenario.measures) continue;
    const entered = (state: string | undefined) => run.events.find((event) => event.type === "StateEntered" && event.state === state)?.at;
    const dnsAt = entered(dnsState);
    const healthyAt = entered(healthyState);
    if (dnsAt === undefined || healthyAt === undefined) continue;
    recovery.dnsAt = dnsAt;
    recovery.healthyAt = healthyAt;
    recovery.recoveredAt = Math.max(healthyAt, dnsAt + durations.aliasTtlSeconds);
    recovery.seconds = recovery.recoveredAt - recovery.origin;
    recovery.withinRto = recovery.seconds <= recovery.rtoSeconds;
    break;
  }
  return recovery;
}

/**
 * Runs `scenario` on `system` (its targets, definitions and physical parameters). Never throws once
 * started: a broken simulation is a failed scenario.
 * @throws Error at once when the scenario's engine mode is not the system's (an aurora scenario needs aurora-global targets),
 * or its cache is not the targets' (a cache scenario needs cache targets of its mode).
 */
export async function runScenario(system: RecoverySystem, scenario: Scenario, options: { epoch?: string } = {}): Promise<ScenarioResult> {
  const mode = scenario.engineMode ?? "instance";
  if (engineModeOf(system.targets) !== mode) {
    throw new Error(`scenario ${scenario.name} needs ${mode} targets, the system's are ${engineModeOf(system.targets)} (${system.source})`);
  }
  if (scenario.cache !== undefined && system.targets.cache?.mode !== scenario.cache) {
    throw new Error(
      `scenario ${scenario.name} needs a ${scenario.cache} cache in the targets, the system's is ${system.targets.cache?.mode ?? "none"} (${system.source})`,
    );
  }
  const durations: Durations = { ...system.durations, ...scenario.durations };
  const clock = new VirtualClock(options.epoch ?? DEFAULT_EPOCH);
  const world = scenario.world?.({ durations, targets: system.targets }) ?? {};
  const cloud = new SimulatedCloud(system.targets, durations, clock, system.stateMachineArns, world, system.facts);
  const runs: ExecutionRecord[] = [];
  const timeline: TimelineEntry[] = [];
  let error: string | undefined;
  if (world.primaryOutage) {
    const from = world.primaryOutage.from;
    const until = world.primaryOutage.until;
    const answers = world.primaryOutage.apis === "unavailable" ? "refused as unavailable" : "unanswered (Tasks time out)";
    timeline.push({
      at: from,
      ...(until !== undefined ? { until } : {}),
      kind: "world",
      label: `primary region ${system.targets.primaryRegion} fails: its APIs ${answers}, its load balancer silent`,
    });
    if (cloud.route53ControlPlaneRegion === system.targets.primaryRegion) {
      timeline.push({
        at: from,
        ...(until !== undefined ? { until } : {}),
        kind: "world",
        label: `Route 53's control plane (${system.targets.primaryRegion}) down with it: ChangeResourceRecordSets and GetChange ${answers}; health checks and DNS answers keep working`,
      });
    }
    if (until !== undefined) timeline.push({ at: until, kind: "world", label: `primary region ${system.targets.primaryRegion} back` });
    const detection = detectionSeconds(durations);
    timeline.push({
      at: from + detection,
      kind: "world",
      label: `Route 53 health check unhealthy (${durations.route53FailureThreshold} failed checks x ${durations.route53HealthCheckIntervalSeconds} s = ${detection} s)`,
    });
  }
  for (const period of world.replica?.busy ?? []) {
    let at = period.from;
    for (const phase of period.phases) {
      timeline.push({ at, until: at + phase.seconds, kind: "world", label: `replica ${phase.status} (${period.cause}), still a read replica` });
      at += phase.seconds;
    }
  }
  if (world.primaryEndpointFlaps) {
    const flaps = world.primaryEndpointFlaps;
    timeline.push({
      at: flaps.from,
      until: flaps.until,
      kind: "world",
      label: `the primary load balancer's /health flaps: ${flaps.upSeconds} s up, ${flaps.downSeconds} s down`,
    });
  }
  for (const fault of world.apiFaults ?? []) {
    timeline.push({ at: fault.from, until: fault.until, kind: "world", label: `${fault.api} answers ${fault.fault} until ${clockTime(fault.until).trim()}` });
  }
  for (const lost of world.answersLost ?? []) {
    if ("until" in lost) {
      timeline.push({ at: lost.from, until: lost.until, kind: "world", label: `${lost.api} performed, answers lost until ${clockTime(lost.until).trim()}` });
    } else {
      timeline.push({ at: lost.from, kind: "world", label: `${lost.api} performed, the answers of its next ${lost.calls} calls lost` });
    }
  }
  if (world.describeLagSeconds) {
    const lags = Object.entries(world.describeLagSeconds).map(([service, seconds]) => `${service} ${seconds} s`);
    timeline.push({ at: 0, kind: "world", label: `Describe calls lag behind changes: ${lags.join(", ")}` });
  }
  try {
    for (const step of scenario.steps) {
      if (step.after) clock.advanceTo(clock.seconds + step.after);
      if ("act" in step) {
        timeline.push({ at: clock.seconds, kind: "action", label: `operator: ${step.act}` });
        step.apply(cloud);
        continue;
      }
      if ("world" in step) {
        timeline.push({ at: clock.seconds, kind: "world", label: step.world });
        step.apply(cloud);
        continue;
      }
      const record = await runExecution(
        cloud,
        step.run,
        system.definitions[step.run],
        step.input,
        undefined,
        step.stopAfter !== undefined ? { stopAfterSeconds: step.stopAfter } : {},
      );
      runs.push(record);
      timeline.push(...executionTimeline(record, system.definitions[step.run], runs.length));
    }
  } catch (caught) {
    error = `${(caught as Error).name}: ${(caught as Error).message}`;
  }
  const lastRunStart = runs.at(-1)?.startedAt ?? 0;
  if (!error) clock.advanceTo(clock.seconds + SETTLE_SECONDS);
  const state = cloud.snapshot();
  const final = finalView(state);
  const recovery = error ? undefined : measureRecovery(system, durations, scenario, runs, world);
  for (const notification of cloud.notifications) timeline.push({ at: notification.at, kind: "notification", label: `SNS "${notification.subject}"` });
  if (recovery?.recoveredAt !== undefined && recovery.dnsAt !== undefined && recovery.seconds !== undefined) {
    timeline.push({
      at: recovery.dnsAt + durations.aliasTtlSeconds,
      kind: "recovery",
      label: `resolvers' cached answers expire (alias TTL ${durations.aliasTtlSeconds} s)`,
    });
    timeline.push({
      at: recovery.recoveredAt,
      kind: "recovery",
      label: `recovered: time to recovery ${duration(recovery.seconds)} from ${recovery.originLabel} (RTO ${duration(recovery.rtoSeconds)}: ${recovery.withinRto ? "within" : "OVER"})`,
    });
  }

  const checks: Check[] = [];
  const check = (what: string, expected: Expected | undefined, actual: string | number | undefined) => {
    if (expected === undefined) return;
    checks.push({ what, expected: show(expected), actual: actual === undefined ? "-" : String(actual), ok: matches(expected, actual) });
  };
  const expect = scenario.expect(system.targets);
  if (error) checks.push({ what: "simulation", expected: "runs", actual: error, ok: false });
  check("runs", String(expect.outcomes.length), String(runs.length));
  expect.outcomes.forEach((outcome, index) => check(`run ${index + 1} outcome`, outcome, runs[index] ? outcomeOf(runs[index]) : undefined));
  for (const [key, expected] of Object.entries(expect.final ?? {}) as [keyof FinalView, Expected][]) check(`final ${key}`, expected, final[key]);
  if (expect.notifications)
    check("notifications", expect.notifications.join(" | ") || "(none)", cloud.notifications.map((item) => item.subject).join(" | ") || "(none)");
  if (expect.dnsChanges) check("DNS changes", expect.dnsChanges.join(" | ") || "(none)", cloud.dnsChanges.map((item) => item.label).join(" | ") || "(none)");
  if (expect.changesInLastRun !== undefined) {
    check("changes during the last run", expect.changesInLastRun, cloud.calls.filter((call) => call.mutating && call.ok && call.at >= lastRunStart).length);
  }
  if (expect.forbiddenCalls) {
    const forbidden = expect.forbiddenCalls;
    const made = cloud.calls.filter((call) => forbidden.some((prefix) => call.api.startsWith(prefix))).map((call) => `${call.state} (${call.api})`);
    check(`calls to ${forbidden.join(", ")}`, "none", [...new Set(made)].join(", ") || "none");
  }
  if (expect.withinRto !== undefined)
    check("time to recovery within the RTO", String(expect.withinRto), recovery?.withinRto === undefined ? "not recovered" : String(recovery.withinRto));
  checks.push({
    what: "calls on the recovery targets only",
    expected: "no violation",
    actual: cloud.violations.join("; ") || "no violation",
    ok: cloud.violations.length === 0,
  });

  return {
    name: scenario.name,
    title: scenario.title,
    story: scenario.story,
    passed: checks.every((item) => item.ok),
    runs,
    final,
    notifications: [...cloud.notifications],
    dnsChanges: cloud.dnsChanges.map((item) => item.label),
    ...(recovery ? { recovery } : {}),
    timeline: sortTimeline(timeline),
    checks,
    calls: [...cloud.calls],
    violations: [...cloud.violations],
    ...(error ? { error } : {}),
  };
}

/** `mm:ss` of a recovery, for one-line summaries. */
export function recoverySummary(recovery: Recovery | undefined): string {
  if (!recovery) return "n/a";
  if (recovery.seconds === undefined) return "not recovered";
  return `${clockTime(recovery.seconds).trim()} (${Math.round(recovery.seconds)} s, RTO ${recovery.rtoSeconds} s: ${recovery.withinRto ? "within" : "OVER"})`;
}
