/**
 * Where the runbook sends ARC Region switch calls: always a REGIONAL data-plane endpoint, never the
 * control plane of the partition leader.
 *
 * Source: the botocore model `arc-region-switch` 2022-07-26, `endpoint-rule-set-1.json`. An operation
 * whose `staticContextParams.UseControlPlaneEndpoint` is true (CreatePlan, UpdatePlan, GetPlan,
 * ListPlans, ListRoute53HealthChecks, the tagging calls) goes to
 * `https://arc-region-switch-control-plane.{implicitGlobalRegion}.{dualStackDnsSuffix}`, signed for the
 * partition's implicit global region (us-east-1 in `aws`): an outage of us-east-1 takes it down. Every
 * other operation goes to `https://arc-region-switch.{Region}.{dualStackDnsSuffix}`, signed for that
 * region: those are the ones the runbook uses (`DATA_PLANE_OPERATIONS`), sent to the region being
 * activated, as the ARC Developer Guide asks ("Execute a Region switch plan to recover an application":
 * navigate to the Region that you want to activate; "Region switch is built on a Regional data plane").
 * The DNS suffixes and region patterns are botocore's `partitions.json` (`dualStackDnsSuffix`, `regionRegex`).
 */

/** Partitions by region pattern, with their dual-stack DNS suffix (botocore partitions.json). */
const PARTITIONS: readonly { partition: string; regionRegex: RegExp; dnsSuffix: string }[] = [
  { partition: "aws", regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, dnsSuffix: "api.aws" },
  { partition: "aws-cn", regionRegex: /^cn-\w+-\d+$/, dnsSuffix: "api.amazonwebservices.com.cn" },
  { partition: "aws-us-gov", regionRegex: /^us-gov-\w+-\d+$/, dnsSuffix: "api.aws" },
  { partition: "aws-eusc", regionRegex: /^eusc-(de)-\w+-\d+$/, dnsSuffix: "api.amazonwebservices.eu" },
  { partition: "aws-iso", regionRegex: /^us-iso-\w+-\d+$/, dnsSuffix: "api.aws.ic.gov" },
  { partition: "aws-iso-b", regionRegex: /^us-isob-\w+-\d+$/, dnsSuffix: "api.aws.scloud" },
  { partition: "aws-iso-e", regionRegex: /^eu-isoe-\w+-\d+$/, dnsSuffix: "api.cloud-aws.adc-e.uk" },
  { partition: "aws-iso-f", regionRegex: /^us-isof-\w+-\d+$/, dnsSuffix: "api.aws.hci.ic.gov" },
];

/**
 * The operations the runbook calls: all data-plane (no `UseControlPlaneEndpoint` in the model), so
 * all answered by the region they are sent to. GetPlan is deliberately absent (control plane):
 * GetPlanInRegion reads the plan from the region's own copy.
 */
export const DATA_PLANE_OPERATIONS = [
  "StartPlanExecution",
  "GetPlanExecution",
  "ListPlanExecutionEvents",
  "ListPlanExecutions",
  "ApprovePlanExecutionStep",
  "GetPlanInRegion",
  "GetPlanEvaluationStatus",
  "ListRoute53HealthChecksInRegion",
] as const;
export type DataPlaneOperation = (typeof DATA_PLANE_OPERATIONS)[number];

/** The service's signing name and JSON 1.0 target prefix (model `metadata.signingName`, `targetPrefix`). */
export const SIGNING_NAME = "arc-region-switch";
export const TARGET_PREFIX = "ArcRegionSwitch";

/**
 * The data-plane endpoint of `region`, e.g. `https://arc-region-switch.us-west-2.api.aws`.
 * @throws Error when `region` matches no partition (the rule set's aws.partition would fail too).
 */
export function dataPlaneEndpoint(region: string): string {
  const partition = PARTITIONS.find((candidate) => candidate.regionRegex.test(region));
  if (!partition) throw new Error(`${region} is not a region of a known AWS partition`);
  return `https://${SIGNING_NAME}.${region}.${partition.dnsSuffix}`;
}
