/**
 * Names of the recovery resources, known before deployment so that the runbook CLI, the roles and
 * the definitions can refer to them without reading stack outputs. All derive from the DR stack's
 * resource prefix (`resourcePrefix(stackName, "dr")`, e.g. `multi-region-dr-dr-dr`).
 */

/** The three workflows the DR stack deploys. */
export const WORKFLOWS = ["failover", "failback", "drill"] as const;
export type Workflow = (typeof WORKFLOWS)[number];

/** State machine name of a workflow: `<prefix>-<workflow>` (Step Functions allows 80 characters; the prefix has at most 60). */
export function stateMachineName(prefix: string, workflow: Workflow): string {
  return `${prefix}-${workflow}`;
}

/** `arn:<partition>:states:<region>:<account>:stateMachine:<name>`. */
export function stateMachineArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:states:${region}:${accountId}:stateMachine:${name}`;
}

/** Names of the alarms the workflows read and of the other named recovery resources. */
export function recoveryResourceNames(prefix: string) {
  return {
    topic: `${prefix}-recovery`,
    primaryRegionFunction: `${prefix}-primary-region-operations`,
    replicaLagOverRpoAlarm: `${prefix}-replica-lag-over-rpo`,
    /** MySQL replica whose replication is not running (ReplicaLag -1). */
    replicationStoppedAlarm: `${prefix}-replica-replication-stopped`,
    /** The replication heartbeat function of each region failing. */
    primaryHeartbeatErrorsAlarm: `${prefix}-primary-heartbeat-errors`,
    drHeartbeatErrorsAlarm: `${prefix}-dr-heartbeat-errors`,
    unhealthyTargetsAlarm: `${prefix}-unhealthy-targets`,
    targetErrorsAlarm: `${prefix}-target-5xx`,
    replicationLatencyAlarm: `${prefix}-s3-replication-latency`,
    replicationFailuresAlarm: `${prefix}-s3-replication-failures`,
    /** DynamoDB ReplicationLatency of the global table's DR replica over its threshold. */
    globalTableReplicationLatencyAlarm: `${prefix}-dynamodb-replication-latency`,
    primaryHealthCheckAlarm: `${prefix}-primary-health-check`,
    /** The fence: in ALARM while the failover holds traffic in the DR region (components/failoverRouting.ts). */
    fenceAlarm: `${prefix}-primary-fenced`,
    automaticFailoverRule: `${prefix}-automatic-failover`,
    /** The primary endpoint probe in the DR region (components/primaryEndpointProbe.ts): its function, its alarm (the automatic failover's signal), its errors alarm. */
    primaryEndpointProbeFunction: `${prefix}-primary-probe`,
    primaryEndpointProbeAlarm: `${prefix}-primary-endpoint-unhealthy`,
    primaryEndpointProbeErrorsAlarm: `${prefix}-primary-probe-errors`,
    /** The automatic failover's signal: the probe's alarm while the primary is not fenced (stacks/recovery.ts). */
    automaticFailoverSignalAlarm: `${prefix}-primary-lost-unfenced`,
  };
}
