/**
 * What every cache replication group of the pair shares, primary, secondary or regional: Multi-AZ
 * with automatic failover, encryption at rest under its own region's customer-managed key, the region's
 * subnet group and security group, and no final snapshot (a cache is rebuilt from the database, not
 * restored). Global datastores "support encryption at rest, encryption in transit and AUTH" and "AWS KMS
 * keys" (ElastiCache User Guide, global datastores, "Prerequisites and limitations").
 *
 * The encryption FLAGS ({@link OWN_ENCRYPTION}) belong to a group of its own (the primary, a regional or
 * a detached cache) and never to a global datastore's secondary: the provider declares
 * `global_replication_group_id` ConflictsWith `transit_encryption_enabled`, `transit_encryption_mode` and
 * `at_rest_encryption_enabled` (with engine, engine_version, node_type, num_node_groups,
 * parameter_group_name, security_group_names, snapshot_arns, snapshot_name), a preview error
 * (hashicorp/terraform-provider-aws internal/service/elasticache/replication_group.go, schema); a member
 * inherits them from the global datastore's primary. Its `kmsKeyId` stays its own (the same schema has no
 * conflict on `kms_key_id`, and Create sends KmsKeyId for a member too: a KMS key is regional).
 *
 * `automaticFailoverEnabled` and `multiAzEnabled` stay on for a member as well. The provider sends neither
 * AutomaticFailoverEnabled nor CacheNodeType/Engine/TransitEncryptionEnabled for a member (Create's
 * `global_replication_group_id` branch), sends MultiAZEnabled when true, and reads both back from
 * DescribeReplicationGroups; both are `Optional` with `Default: false`, so a member that left them out
 * would show a diff against the inherited `true` at every preview and an update would ask ElastiCache to
 * turn them off. Declaring the inherited values keeps the plan empty (the provider's acceptance test
 * TestAccElastiCacheReplicationGroup_GlobalReplicationGroupID_full creates a secondary with both and
 * checks they equal the primary's; the secondary "inherits the Multi-AZ and automatic failover settings
 * from the primary cluster", ElastiCache User Guide, global datastores, "Prerequisites and limitations").
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
  "description" | "port" | "subnetGroupName" | "securityGroupIds" | "automaticFailoverEnabled" | "multiAzEnabled" | "kmsKeyId" | "applyImmediately"
> {
  return {
    description,
    port,
    subnetGroupName: network.subnetGroup.name,
    securityGroupIds: [network.securityGroup.id],
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    kmsKeyId: kmsKeyArn,
    // Changes (replica counts) apply now, not in the next maintenance window: the pair's parity matters more.
    applyImmediately: true,
  };
}

/**
 * Encryption in transit (TLS) and at rest, for a group of its own only (module comment: a global
 * datastore's secondary inherits both and the provider refuses them beside `globalReplicationGroupId`).
 */
export const OWN_ENCRYPTION = { atRestEncryptionEnabled: true, transitEncryptionEnabled: true } as const;
