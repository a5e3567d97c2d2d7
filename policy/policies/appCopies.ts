/**
 * DR invariant 15 at every `pulumi preview` of the DR stack: the DR region's app runs from the DR
 * region's own copies (invariants/appCopies.ts judges the synthesized pair; these judge the DR stack
 * alone, with the primary's outputs from its recovery manifest, since a policy pack cannot see a
 * StackReference).
 * - {@link primaryAmiProblems}, part of `dr-launch-template-regional-image` (drTier.ts): the app's
 *   launch template never launches the image the primary's does (`app.launchImageId`, an AMI of the
 *   primary region, whatever its source); with an AMI ID of the primary (`app.image.amiId`), it takes
 *   its image from an `aws.ec2.AmiCopy` of this stack that copies exactly that AMI from the primary
 *   region, encrypted with a key of this region (EC2 User Guide, "Copy an Amazon EC2 AMI": an AMI is
 *   regional). During a preview the copy's id is unknown, so the template is matched to the copy by
 *   the dependency of its `imageId`.
 * - `dr-app-reads-own-region`: the app instances' role reads only this region's secrets, keys and
 *   parameters (an IAM policy is global, so `dr-region-isolation` does not judge it).
 */
import type { PolicyResource } from "@pulumi/policy";
import { amiCopyProblems } from "../../invariants/appCopies";
import { arnRegion } from "../../invariants/plan";
import { arnsIn } from "../../invariants/regionIsolation";
import type { RecoveryManifest } from "../../config/recoveryManifest";
import { dependsOn, ofType, regionOf, stackPolicy } from "./kit";
import { manifestOf } from "./manifest";

const APP_TIER = "multi-region-dr:compute:AppTier";
const AMI_COPY = "aws:ec2/amiCopy:AmiCopy";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

/** True when `resource` is inside an AppTier component. */
export function inAppTier(resource: PolicyResource): boolean {
  for (let parent = resource.parent; parent !== undefined; parent = parent.parent) if (parent.type === APP_TIER) return true;
  return false;
}

/**
 * What is wrong with a DR launch template's image given the primary's `app.image` (from the DR
 * stack's manifest): nothing unless the primary names an AMI ID; then the template must not launch
 * that ID and must take its image from one AMI copy of it in `home`.
 * @returns one message per problem, each naming the template or the copy.
 */
export function primaryAmiProblems(resources: PolicyResource[], template: PolicyResource, manifest: RecoveryManifest, home: string): string[] {
  // Whatever the image's source, the primary's resolved image is an AMI of the primary region: it does not exist here.
  const primaryImageId = manifest.primary?.app?.launchImageId;
  if (primaryImageId !== undefined && template.props.imageId === primaryImageId)
    return [
      `${template.name}: imageId ${primaryImageId} is the image the primary's launch template launches, an AMI of ${manifest.primary?.region}; resolve or copy the image in ${home}`,
    ];
  const image = manifest.primary?.app?.definition.image;
  if (image?.kind !== "ami" || manifest.primary === undefined) return [];
  if (template.props.imageId === image.amiId)
    return [`${template.name}: imageId is the primary's AMI ${image.amiId}, which does not exist in ${home}; launch from an aws.ec2.AmiCopy of it`];
  const sources = ofType(resources, AMI_COPY).filter(
    (copy) => dependsOn(template, copy, "imageId") || (copy.props.id !== undefined && copy.props.id === template.props.imageId),
  );
  if (sources.length !== 1)
    return [`${template.name}: imageId comes from no aws.ec2.AmiCopy of this stack; copy the primary's AMI ${image.amiId} into ${home}`];
  const [copy] = sources;
  return amiCopyProblems(copy.props, image.amiId, manifest.primary.region, regionOf(copy) ?? home).map((problem) => `${copy.name}: ${problem}`);
}

const drAppReadsOwnRegion = stackPolicy({
  name: "dr-app-reads-own-region",
  description: "DR invariant 15: the DR app instances' role reads only the DR region's copies of the app's secrets, their key and its parameters",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    if (manifest?.role !== "dr") return;
    for (const policy of ofType(resources, ROLE_POLICY).filter(inAppTier)) {
      for (const { arn } of arnsIn(policy.props.policy)) {
        const region = arnRegion(arn);
        if (region && region !== manifest.region)
          report(`${policy.name}: grants ${arn} of ${region}; the DR instances must read this region's copies`, policy.urn);
      }
    }
  },
});

export const appCopiesPolicies = [drAppReadsOwnRegion];
