/**
 * How long the workflows wait for AWS, and why. Each bound is the documented or typical duration of
 * the operation with a wide margin: a bound that is too short fails a recovery that would have
 * worked, one that is too long only delays the notification of a real failure.
 * `intervalSeconds` x `maxAttempts` is the bound, in seconds.
 */
export const POLLING = {
  /**
   * RDS refuses PromoteReadReplica while the replica is `backing-up` (RDS User Guide, "Promoting a
   * read replica to be a standalone DB instance"); a backup of a small instance takes minutes.
   * Retried every 60 s for up to 30 minutes.
   */
  promotionStart: { IntervalSeconds: 60, MaxAttempts: 30 },
  /**
   * Promotion reboots the instance and "takes a few minutes, depending on the size of the read
   * replica" (same page). Polled every 30 s for up to 30 minutes.
   */
  promotion: { intervalSeconds: 30, maxAttempts: 60 },
  /**
   * After RDS refused PromoteReadReplica (`backing-up`, or a promotion already running) or the call
   * failed: wait, look again, maybe ask again. Every 60 s for up to 30 minutes, the bound of the retry
   * while backing-up (`promotionStart`).
   */
  promotionRetry: { IntervalSeconds: 60, MaxAttempts: 30 },
  /**
   * A replica that lists its source while `modifying` or `rebooting` (a promotion, or storage
   * autoscaling, a deploy, a parameter change: RDS User Guide, "DB instance status") is waited for
   * before anything changes ("Replica settles"). Polled every 30 s for up to 30 minutes, the promotion's own bound.
   */
  replicaBusy: { intervalSeconds: 30, maxAttempts: 60 },
  /**
   * New instances: EC2 launch (about a minute), the app's user data, then the ALB health check
   * (this program's target group: 2 healthy checks of 15 s). Polled every 15 s for up to 15 minutes.
   */
  capacity: { intervalSeconds: 15, maxAttempts: 60 },
  /**
   * Route 53: changes "generally propagate to all Route 53 name servers within 60 seconds"
   * (Route 53 API Reference, GetChange). Polled every 10 s for up to 5 minutes.
   */
  dnsChange: { intervalSeconds: 10, maxAttempts: 30 },
  /**
   * The fence alarm (components/failoverRouting.ts) reaching ALARM or OK after one datapoint: it
   * evaluates 60 s periods, and CloudWatch evaluates an alarm about once a minute (CloudWatch User
   * Guide, "Evaluating an alarm"). Polled every 15 s for up to 5 minutes.
   */
  fence: { intervalSeconds: 15, maxAttempts: 20 },
  /** Targets passing `/health` behind the DR ALB. Polled every 15 s for up to 10 minutes. */
  health: { intervalSeconds: 15, maxAttempts: 40 },
  /**
   * Writes stop when the old writer's Auto Scaling Group has no instance left: a scale-in drains each
   * from its target group (this program's deregistration delay: 30 s) and then terminates it (a
   * minute or two). Polled every 15 s for up to 10 minutes.
   */
  drain: { intervalSeconds: 15, maxAttempts: 40 },
  /**
   * Planned switchover or failback: the replication heartbeat commits every 5 s
   * (components/replicationHeartbeat.ts), so a replica that keeps up replays one from after the stop
   * within seconds; the wait covers a replica that is minutes behind. Polled every 15 s for up to 10 minutes.
   */
  catchUp: { intervalSeconds: 15, maxAttempts: 40 },
  /**
   * Aurora global database switchover or failover: "Typically, the chosen secondary cluster assumes
   * the primary role within a few minutes" (Aurora User Guide, "Using switchover or failover in Amazon
   * Aurora Global Database", managed failovers); a switchover first waits until the secondary is fully
   * synchronized, so it lasts longer the larger the lag (same page, switchovers). Polled every 15 s
   * for up to 30 minutes.
   */
  globalSwitch: { intervalSeconds: 15, maxAttempts: 120 },
  /**
   * The new writer cluster reports `available` once the switch has ended (RDS API Reference,
   * DescribeDBClusters, Status). Polled every 15 s for up to 10 minutes.
   */
  writerCluster: { intervalSeconds: 15, maxAttempts: 40 },
} as const;

/** Minimum delay between automatic failover executions, seconds, unless configured: 1 hour. */
export const DEFAULT_AUTOMATIC_COOLDOWN_SECONDS = 3600;
