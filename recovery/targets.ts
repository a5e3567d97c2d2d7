/**
 * What the recovery workflows act on: every identifier, ARN, name and number the failover, failback
 * and drill definitions embed. Plain data, resolved by the DR stack from its own resources and the
 * primary's outputs, so a definition is a pure function of its targets and can be executed offline
 * against the synthesized stacks.
 */

/** Auto Scaling Group sizes, instances. */
export interface Capacity {
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
}

/** One side's application load balancer as Route 53 aliases it. */
export interface LoadBalancerAlias {
  dnsName: string;
  /** The ALB's canonical hosted zone id, e.g. `Z1H1FL5HABSF5` (us-west-2). */
  zoneId: string;
}

export interface RecoveryTargets {
  /** `aws`, `aws-us-gov` or `aws-cn`. */
  partition: string;
  /** 12-digit account id. */
  accountId: string;
  /** Where the workflows run and fail over to, e.g. `us-west-2`. */
  drRegion: string;
  /** The region failed away from (and back to), e.g. `us-east-1`. */
  primaryRegion: string;
  /** Declared objectives, seconds. */
  rtoSeconds: number;
  rpoSeconds: number;

  /** The cross-region read replica in the DR region, promoted by failover. */
  replica: { identifier: string; arn: string; backupRetentionDays: number };
  /** The DR Auto Scaling Group: its standby capacity and the capacity failover scales it to (the primary's). */
  drAutoScalingGroup: { name: string; arn: string; standby: Capacity; recovery: Capacity };
  /** Target group of the DR ALB; failover waits until `recovery.desiredCapacity` targets pass `/health`. */
  drTargetGroupArn: string;
  drLoadBalancer: LoadBalancerAlias;
  primaryLoadBalancer: LoadBalancerAlias;

  /** The public failover pair. */
  dns: {
    /** Public hosted zone id. */
    hostedZoneId: string;
    /** Fully qualified application name, e.g. `app.dr.example.com`. */
    applicationName: string;
    /** Set identifier of the PRIMARY record, e.g. `primary-us-east-1`. */
    primarySetIdentifier: string;
    /** The PRIMARY record's health check (on the primary ALB). */
    healthCheckId: string;
    /** Name of the weighted pool a drill creates under the application name, e.g. `drill-pool.app.dr.example.com`. */
    drillPoolName: string;
  };
  /** The stable database names: the DR region's private zone and, for failback, the primary's. */
  databaseName: { fqdn: string; drZoneId: string; primaryZoneId: string };
  /** Time to live of the stable database CNAME, seconds. */
  databaseNameTtlSeconds: number;

  /** The primary region's side, reached only through the primary-region operations function. */
  primary: { databaseIdentifier: string; databaseArn: string; autoScalingGroupName: string; targetGroupArn: string; capacity: Capacity };
  /** ARN of the Lambda function that performs the fixed set of primary-region operations. */
  primaryRegionFunctionArn: string;

  /** Encrypted SNS topic in the DR region that every workflow notifies. */
  topicArn: string;
  /** CloudWatch alarms (DR region) the workflows read. */
  alarms: {
    /** ReplicaLag above the RPO: failover refuses to run unless forced while it is not OK. */
    replicaLagOverRpo: string;
    /** Alarms that abort a drill and roll its traffic back, e.g. DR 5xx or unhealthy targets. */
    drillAbort: string[];
  };
  /** Drill defaults: share of live traffic sent to the DR region, percent (1-50), and for how long, seconds. */
  drill: { trafficPercent: number; durationSeconds: number };
}

/** Route 53 alias target zone: an alias to another record in the same hosted zone uses the zone's own id. */
export function sameZoneAlias(targets: RecoveryTargets, name: string): { HostedZoneId: string; DnsName: string; EvaluateTargetHealth: boolean } {
  return { HostedZoneId: targets.dns.hostedZoneId, DnsName: name, EvaluateTargetHealth: true };
}
