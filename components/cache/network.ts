/**
 * Where a region's cache lives in its network: an ElastiCache subnet group of the region's isolated
 * subnets (no route to the internet: the nodes need none, like the database), and a security group
 * that takes the engine port from the app's instances only. The app tier's instance security group
 * allows no traffic out but HTTPS and the database (components/appTier/securityGroups.ts), so the
 * cache adds the egress rule to its own group on each client's group, owned here: the app tier's file
 * stays unchanged and a stack without a cache has no such rule.
 *
 * Resource names: `<name>-subnets`, `<name>-sg`, `<name>-from-client-<i>`, `<name>-client-<i>-out`.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface CacheNetworkArgs {
  vpcId: pulumi.Input<string>;
  /** The region's isolated subnets (RegionalNetwork `isolatedSubnetIds`), one per availability zone. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups whose members use the cache (AppTier `instanceSecurityGroupId`); at least one. */
  clientSecurityGroupIds: pulumi.Input<string>[];
  /** The engine port, e.g. 6379 (config/cache.ts CACHE_PORT). */
  port: number;
}

/** What `cacheNetwork` built. */
export interface CacheNetwork {
  subnetGroup: aws.elasticache.SubnetGroup;
  securityGroup: aws.ec2.SecurityGroup;
}

/**
 * Builds the subnet group, the security group and the client rules under `parent` (module comment).
 * @throws RangeError when no client security group is given (nothing could reach the cache) or the port is not 1-65535.
 */
export function cacheNetwork(name: string, args: CacheNetworkArgs, parent: pulumi.Resource): CacheNetwork {
  if (args.clientSecurityGroupIds.length === 0) throw new RangeError(`${name}: clientSecurityGroupIds is empty; pass the app tier's instance security group`);
  if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) throw new RangeError(`${name}: port must be 1-65535, got ${args.port}`);
  const child = { parent };
  const subnetGroup = new aws.elasticache.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds, description: `${name}: isolated subnets` }, child);
  const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, { vpcId: args.vpcId, description: `${name}: engine port from the app tier only` }, child);
  args.clientSecurityGroupIds.forEach((clientId, index) => {
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-client-${index}`,
      {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: clientId,
        ipProtocol: "tcp",
        fromPort: args.port,
        toPort: args.port,
        description: "cache clients (the app tier)",
      },
      child,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-client-${index}-out`,
      {
        securityGroupId: clientId,
        referencedSecurityGroupId: securityGroup.id,
        ipProtocol: "tcp",
        fromPort: args.port,
        toPort: args.port,
        description: "to the cache",
      },
      child,
    );
  });
  return { subnetGroup, securityGroup };
}
