/**
 * The lists of valid AWS names the config is checked against, taken from the AWS provider itself
 * (@pulumi/aws 7.48 `Region`, `ec2.InstanceType`, `rds.InstanceType`) rather than hand-written
 * patterns, plus the few RDS-only DB instance classes the provider does not list.
 *
 * Imported from `@pulumi/aws/types/enums`, not `@pulumi/aws`: the enums module alone loads in about
 * 13 ms, the whole provider SDK in about 180 ms more on top of `@pulumi/pulumi` (measured with
 * `node -e "require(...)"` on @pulumi/aws 7.48), and config loading needs nothing else from it.
 */
import { ec2, rds, Region } from "@pulumi/aws/types/enums";

/**
 * Partitions other than the commercial `aws` one, by region-code prefix. Every region is in exactly
 * one partition, and cross-region features (S3 replication, RDS cross-region replicas, AWS Backup
 * copies) work only between regions of the same partition (AWS whitepaper "AWS Fault Isolation
 * Boundaries", "Partitions": https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html).
 * Longer prefixes first: `us-isob-` and `us-isof-` before `us-iso-`.
 */
export const NON_COMMERCIAL_PARTITIONS: readonly { readonly prefix: string; readonly partition: string }[] = [
  { prefix: "cn-", partition: "aws-cn" },
  { prefix: "us-gov-", partition: "aws-us-gov" },
  { prefix: "us-isob-", partition: "aws-iso-b" },
  { prefix: "us-isof-", partition: "aws-iso-f" },
  { prefix: "us-iso-", partition: "aws-iso" },
  { prefix: "eu-isoe-", partition: "aws-iso-e" },
  { prefix: "eusc-", partition: "aws-eusc" },
];

/** The partition of a region code: `aws` (commercial) unless it has a prefix of {@link NON_COMMERCIAL_PARTITIONS}. */
export function partitionOf(region: string): string {
  return NON_COMMERCIAL_PARTITIONS.find((entry) => region.startsWith(entry.prefix))?.partition ?? "aws";
}

/** Every region the AWS provider knows (`aws.Region`), of every partition. */
export const PROVIDER_REGIONS: ReadonlySet<string> = new Set(Object.values(Region));

/** The regions of the commercial `aws` partition that the provider knows: the regions this program deploys to. */
export const COMMERCIAL_REGIONS: readonly string[] = [...PROVIDER_REGIONS].filter((region) => partitionOf(region) === "aws").sort();

/** Every EC2 instance type the AWS provider knows (`aws.ec2.InstanceType`), current and previous generation. */
export const EC2_INSTANCE_TYPES: ReadonlySet<string> = new Set(Object.values(ec2.InstanceType));

/**
 * DB instance classes that are not an EC2 instance type with `db.` in front, each with its source:
 * - `db.serverless`: Aurora Serverless v2 (Aurora User Guide, "Supported DB engines for DB instance
 *   classes", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html).
 * - `db.x2g.*`: memory-optimized Graviton2 classes for RDS and Aurora MySQL/PostgreSQL; EC2 has only
 *   x2gd (RDS User Guide, "Supported DB engines for DB instance classes",
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html, and
 *   the Aurora page above).
 * Not listed on purpose: the RDS for Oracle classes `db.r5.<size>.tpc<n>.mem<n>x` (same RDS User Guide
 * page), because this program runs PostgreSQL and MySQL only.
 */
export const RDS_ONLY_INSTANCE_CLASSES: readonly string[] = [
  "db.serverless",
  ...["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"].map((size) => `db.x2g.${size}`),
];

/**
 * Every DB instance class this program accepts by name: an EC2 instance type with `db.` in front
 * (RDS classes are EC2 types: "db.r6g is a memory-optimized DB instance class type powered by AWS
 * Graviton2 processors", RDS User Guide, "DB instance classes"), the provider's own RDS list
 * (`aws.rds.InstanceType`, which stops at db.r6g/db.m6g, hence the EC2 list) and
 * {@link RDS_ONLY_INSTANCE_CLASSES}.
 */
export const DB_INSTANCE_CLASSES: ReadonlySet<string> = new Set([
  ...[...EC2_INSTANCE_TYPES].map((type) => `db.${type}`),
  ...Object.values(rds.InstanceType),
  ...RDS_ONLY_INSTANCE_CLASSES,
]);
