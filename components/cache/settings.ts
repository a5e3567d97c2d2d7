/**
 * What every cache replication group of the pair shares, primary, secondary or regional: Multi-AZ
 * with automatic failover, encryption in transit and at rest under its own region's customer-managed
 * key, the region's subnet group and security group, and no final snapshot (a cache is rebuilt from
 * the database, not restored). Global datastores "support encryption at rest, encryption in transit
 * and AUTH" and "AWS KMS keys" (ElastiCache User Guide, global datastores, "Prerequisites and
 * limitations"); a secondary's encryption settings must be the primary's, so both regions set both.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { kmsKeyRegion } from "../globalTable";
import type { CacheNetwork } from "./network";

/**
 * Why `kmsKeyArn` cannot encrypt a cache in `region`, or undefined when it can (an unknown Output
 * passes: the policy pack checks the plan). ElastiCache takes a key of the replication group's own
 * region (CreateReplicationGroup `KmsKeyId`, "The ID of the KMS key used to encrypt the disk in the
 * cluster"; a KMS key is regional, AWS KMS Developer Guide, "Multi-Region keys" aside).
 */
export function cacheKeyProblem(kmsKeyArn: pulumi.Input<string>, region: string): string | undefined {
  if (typeof kmsKeyArn !== "string") return undefined;
  const keyRegion = kmsKeyRegion(kmsKeyArn);
  if (keyRegion === undefined)
    return `kmsKeyArn "${kmsKeyArn}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); pass the region's RegionalKey keyArn`;
  if (keyRegion !== region)
    return `kmsKeyArn is a key of ${keyRegion}; a cache in ${region} is encrypted under a key of its own region (pass that region's RegionalKey)`;
  return undefined;
}

/** The replication group arguments every cache of the pair shares (module comment). */
export function sharedGroupArgs(
  description: string,
  network: CacheNetwork,
  kmsKeyArn: pulumi.Input<string>,
  port: number,
): Pick<
  aws.elasticache.ReplicationGroupArgs,
  | "description"
  | "port"
  | "subnetGroupName"
  | "securityGroupIds"
  | "automaticFailoverEnabled"
  | "multiAzEnabled"
  | "atRestEncryptionEnabled"
  | "kmsKeyId"
  | "transitEncryptionEnabled"
  | "applyImmediately"
> {
  return {
    description,
    port,
    subnetGroupName: network.subnetGroup.name,
    securityGroupIds: [network.securityGroup.id],
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    atRestEncryptionEnabled: true,
    kmsKeyId: kmsKeyArn,
    transitEncryptionEnabled: true,
    // Changes (replica counts) apply now, not in the next maintenance window: the pair's parity matters more.
    applyImmediately: true,
  };
}
