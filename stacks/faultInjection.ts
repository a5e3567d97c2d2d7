/**
 * The DR drill's FIS experiment templates, declared by the DR stack (issue 21, item 4).
 *
 * Why the DR stack: the drill is the DR stack's (its alarms are the stop conditions, its runbook
 * starts them), and so is everything the templates touch across the pair (the replication
 * configuration of the primary bucket, the alarms in the primary region). The connectivity fault
 * lives in the DR region; the two replication faults live in the primary region, through their own
 * provider of that region (`otherRegionProvider`, STS in the DR region), retained on delete like the
 * DR stack's other resources there (`RetainedInRegion`) and not declared at all in the outage mode
 * (`unreachableRegion`): a drill of a region that is down has nothing to drill.
 *
 * The call the DR stack makes (stacks/dr.ts, after `buildRecovery`, which creates the alarms):
 *
 *     const faults = config.faultInjection.enabled
 *       ? buildFaultInjection({
 *           config: resolved, stackName, drProvider: provider, primary,
 *           drKeyArn: region.key.keyArn, primaryKeyArn: <the DR stack's KMS key in the primary region>,
 *           drPrivateSubnetIds: region.network.privateSubnetIds, drBucketName: region.dataBucket.bucketName,
 *           alarms: <the RecoveryAlarms component>, retained, ...(outage ? { unreachableRegion: primary.region } : {}),
 *         })
 *       : undefined;
 *     // outputs: faultTemplates: faults?.templateIds
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ResolvedDrConfig } from "../config/drStrategy";
import { type FaultInjectionConfig } from "../config/faultInjection";
import { FaultExperiment } from "../components/faultInjection";
import { type FaultContext, type FaultName, FAULTS, faultOf, templateRegion } from "../recovery/faults/catalogue";
import { type PrimaryOutputs } from "./primaryOutputs";
import { inRegion, otherRegionProvider, resourcePrefix, type RetainedInRegion } from "./regionalProvider";

export interface FaultInjectionInputs {
  /** The DR stack's resolved config, with `faultInjection` (config/faultInjection.ts). */
  config: ResolvedDrConfig & { faultInjection: FaultInjectionConfig };
  stackName: string;
  /** The DR region's provider. */
  drProvider: aws.Provider;
  /** The primary's validated outputs: region, stack, bucket, global table. */
  primary: Pick<PrimaryOutputs, "region" | "bucketName" | "globalTableArn"> & { stack: string };
  /** KMS keys for the log groups, of the DR region and of the primary region (absent: no primary-region template). */
  drKeyArn: pulumi.Input<string>;
  primaryKeyArn?: pulumi.Input<string>;
  /** The DR VPC's private subnets: the connectivity fault's targets. */
  drPrivateSubnetIds: pulumi.Input<string[]>;
  /** The DR data bucket: the replication the S3 fault pauses goes to it. */
  drBucketName: pulumi.Input<string>;
  /** The stop conditions' alarms: the templates are created after them. */
  alarms?: pulumi.Resource;
  /** Marks what is placed in the primary region with `retainOnDelete` (the protected default). */
  retained?: RetainedInRegion;
  /** The primary region while it is down (the outage mode): no template there. */
  unreachableRegion?: string;
}

export interface FaultInjectionResources {
  /** Fault name -> template id and region: the stack output `faultTemplates` the runbook may read. */
  templateIds: pulumi.Output<Partial<Record<FaultName, { id: string; region: string }>>>;
  experiments: Partial<Record<FaultName, FaultExperiment>>;
}

/**
 * The faults this pair can run: the DynamoDB fault only with a global table; those of an unreachable
 * primary region, or without a key there, none.
 */
export function faultsFor(inputs: Pick<FaultInjectionInputs, "primary" | "primaryKeyArn" | "unreachableRegion">): FaultName[] {
  return FAULTS.filter((fault) => {
    if (fault === "dynamodb-replication-pause" && inputs.primary.globalTableArn === undefined) return false;
    if (faultOf(fault).side === "dr") return true;
    return inputs.primaryKeyArn !== undefined && inputs.unreachableRegion !== inputs.primary.region;
  });
}

/** Declares the templates of {@link faultsFor}. Call it only with `config.faultInjection.enabled`. */
export function buildFaultInjection(inputs: FaultInjectionInputs): FaultInjectionResources {
  const { config, stackName, primary } = inputs;
  const regions = { primary: primary.region, dr: config.region };
  const faults = faultsFor(inputs);
  const needsPrimary = faults.some((fault) => faultOf(fault).side === "primary");
  const primaryProvider = needsPrimary ? otherRegionProvider(`dr-faults-${primary.region}`, primary.region, config, stackName) : undefined;
  const experiments: Partial<Record<FaultName, FaultExperiment>> = {};
  for (const fault of faults) {
    const side = faultOf(fault).side;
    const provider = side === "dr" ? inputs.drProvider : (primaryProvider as aws.Provider);
    const region = templateRegion(fault, regions);
    const identity = aws.getCallerIdentityOutput({}, { provider });
    const partition = aws.getPartitionOutput({}, { provider });
    const context: pulumi.Output<FaultContext> = pulumi
      .all([identity.accountId, partition.partition, inputs.drPrivateSubnetIds, inputs.drBucketName])
      .apply(([accountId, partitionName, subnetIds, drBucketName]) => ({
        partition: partitionName,
        accountId,
        region,
        otherRegion: side === "dr" ? primary.region : config.region,
        prefix: resourcePrefix(stackName, "dr"),
        subnetIds,
        sourceBucketName: primary.bucketName,
        destinationBucketName: drBucketName,
        primaryStack: primary.stack,
        ...(primary.globalTableArn !== undefined ? { tableArn: primary.globalTableArn } : {}),
      }));
    // Every child of a primary-side template is in the primary region (the component's provider): all are retained.
    const retainedOpts = side === "primary" && inputs.retained ? { transformations: [inputs.retained.transformation()] } : {};
    experiments[fault] = new FaultExperiment(
      `dr-fault-${fault}`,
      {
        fault,
        context,
        durationMinutes: config.faultInjection.durationMinutes,
        kmsKeyArn: side === "dr" ? inputs.drKeyArn : (inputs.primaryKeyArn as pulumi.Input<string>),
        logRetentionDays: config.faultInjection.logRetentionDays,
      },
      { ...inRegion(provider), ...retainedOpts, ...(inputs.alarms ? { dependsOn: [inputs.alarms] } : {}) },
    );
  }
  const templateIds = pulumi
    .all(
      Object.entries(experiments).map(([fault, experiment]) =>
        experiment.templateId.apply((id) => [fault, { id, region: templateRegion(fault as FaultName, regions) }] as const),
      ),
    )
    .apply((entries) => Object.fromEntries(entries) as Partial<Record<FaultName, { id: string; region: string }>>);
  return { templateIds, experiments };
}
