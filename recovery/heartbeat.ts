/**
 * The replication heartbeat's timing, shared by the component that deploys it
 * (components/replicationHeartbeat.ts), the workflows that read it and the offline simulator.
 */

/** Seconds between two heartbeats while the database is writable. */
export const HEARTBEAT_INTERVAL_SECONDS = 5;
/** Seconds one invocation keeps beating; the schedule starts one every 60 s, so runs never overlap. */
export const HEARTBEAT_WINDOW_SECONDS = 45;
/** The schedule (EventBridge User Guide, "Rate expressions"): once a minute. */
export const HEARTBEAT_SCHEDULE = "rate(1 minute)";
/**
 * A heartbeat proves catch-up when it was committed at least this long after the moment writes
 * stopped: that moment is read on Step Functions' clock, the heartbeat's time on the database
 * host's (recovery/lambda/replicationHeartbeat.mjs `CLOCK_SKEW_MARGIN_SECONDS`).
 */
export const HEARTBEAT_CLOCK_SKEW_MARGIN_SECONDS = 1;
