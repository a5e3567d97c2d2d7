/**
 * The replication heartbeat's timing, shared by the component that deploys it
 * (components/replicationHeartbeat.ts), the workflows that read it and the offline simulator.
 */

/** Seconds between two heartbeats while the database is writable. */
export const HEARTBEAT_INTERVAL_SECONDS = 5;
/**
 * Seconds one invocation keeps beating: the schedule starts one every 60 s, and the function's
 * timeout (58 s) ends it before the next, so beats pause for at most about 10 s a minute.
 */
export const HEARTBEAT_WINDOW_SECONDS = 55;
/** The function's timeout, seconds: under the schedule's 60 s. */
export const HEARTBEAT_FUNCTION_TIMEOUT_SECONDS = 58;
/** Beats are stamped at multiples of the interval within each run's window: the last of a minute at this second of it. */
export const HEARTBEAT_LAST_BEAT_OF_MINUTE = Math.floor((HEARTBEAT_WINDOW_SECONDS - 1) / HEARTBEAT_INTERVAL_SECONDS) * HEARTBEAT_INTERVAL_SECONDS;
/**
 * The readiness check before a planned switchover or failback stops any writes: the replica must
 * have replayed a heartbeat of the last this many seconds, or nothing is changed. Two minutes: a
 * replica that keeps up replays one within seconds; a broken heartbeat (no credentials, no route,
 * a disabled schedule) shows before the app goes down rather than after.
 */
export const HEARTBEAT_READY_SECONDS = 120;
/** The schedule (EventBridge User Guide, "Rate expressions"): once a minute. */
export const HEARTBEAT_SCHEDULE = "rate(1 minute)";
/**
 * A heartbeat proves catch-up when it was committed at least this long after the moment writes
 * stopped: that moment is read on Step Functions' clock, the heartbeat's time on the database
 * host's (recovery/lambda/replicationHeartbeat.mjs `CLOCK_SKEW_MARGIN_SECONDS`).
 */
export const HEARTBEAT_CLOCK_SKEW_MARGIN_SECONDS = 1;
/**
 * The least RPO an instance-mode pair with a read replica accepts, seconds: the lag alarm (threshold
 * = the RPO) reads the Maximum ReplicaLag of each minute, and on an idle PostgreSQL source that is
 * the time since the last replayed heartbeat, up to the beats' pause (about 10 s) plus the
 * replication delay. Below this the alarm would flap on an idle database and the failover's lag
 * guard refuse at random.
 */
export const HEARTBEAT_MIN_RPO_SECONDS = 30;
