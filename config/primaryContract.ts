/**
 * The contract between the two stacks, as data: every output the primary stack exports and the DR
 * stack reads through its StackReference, with its shape. Pure (zod only), so the policy pack can
 * validate the copy of this contract that the DR stack records in its recovery manifest.
 */
import { z } from "zod";
import { vpcCidrProblem } from "./rules";
import { STRATEGIES } from "./strategies";

const arn = (service: string, resource: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]*:\\d{12}:${resource}`), {
    error: `must be an ARN of ${service} ${resource.replace(/[\\^$]/g, "")}`,
  });
const positive = z.number().int().positive();

/** Every output the primary stack exports, with its shape. */
export const primaryOutputsSchema = z.object({
  role: z.literal("primary", { error: "must be primary: the referenced stack is not a primary stack" }),
  region: z.string().min(1),
  /** The primary's `standbyRegion`, when its stack file sets one. */
  standbyRegion: z.string().min(1).optional(),
  vpcCidrBlock: z.string().refine((cidr) => vpcCidrProblem(cidr) === undefined, { error: "must be the primary VPC's IPv4 CIDR block, /16 to /20" }),
  kmsKeyArn: arn("kms", "key/"),
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]+$/),
  applicationName: z.string().min(3),
  privateZoneName: z.string().min(3),
  appUrl: z.string().min(1),
  albArn: arn("elasticloadbalancing", "loadbalancer/app/"),
  albDnsName: z.string().min(1),
  albZoneId: z.string().regex(/^Z[A-Z0-9]+$/),
  listenerProtocol: z.enum(["HTTP", "HTTPS"]),
  listenerPort: z.union([z.literal(80), z.literal(443)]),
  appInstanceType: z.string().min(1),
  appMinSize: z.number().int().min(0),
  appDesiredCapacity: z.number().int().min(0),
  appMaxSize: positive,
  appPort: positive,
  autoScalingGroupName: z.string().min(1),
  targetGroupArn: arn("elasticloadbalancing", "targetgroup/"),
  databaseZoneId: z.string().regex(/^Z[A-Z0-9]+$/),
  dbArn: arn("rds", "db:"),
  dbIdentifier: z.string().min(1),
  dbEngine: z.enum(["postgres", "mysql"]),
  dbEngineVersion: z.string().min(1),
  dbInstanceClass: z.string().startsWith("db."),
  dbAllocatedStorageGib: positive,
  dbMaxAllocatedStorageGib: positive,
  dbBackupRetentionDays: z.number().int().min(1, { error: "must be at least 1: a cross-region replica needs backups on its source" }),
  dbPort: positive,
  bucketName: z.string().min(3),
  bucketArn: z.string().regex(/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket ARN (arn:aws:s3:::<bucket>)" }),
  strategy: z.enum(STRATEGIES, { error: `must be one of ${STRATEGIES.join(", ")}: redeploy the primary with this version of the program` }),
  rtoSeconds: positive,
  rpoSeconds: positive,
  objectRpoSeconds: positive,
});

/** The primary's outputs as the DR stack uses them. */
export type PrimaryOutputs = z.output<typeof primaryOutputsSchema>;
export const PRIMARY_OUTPUT_NAMES = Object.keys(primaryOutputsSchema.shape) as (keyof PrimaryOutputs)[];
