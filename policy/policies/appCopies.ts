/**
 * DR invariant 15 at every `pulumi preview` of the DR stack: the DR region's app runs from the DR
 * region's own copies (invariants/appCopies.ts judges the synthesized pair; this judges the DR stack
 * alone, with the primary's outputs from its recovery manifest, since a policy pack cannot see a
 * StackReference).
 * - The app's launch template never names the primary's AMI ID; with an AMI ID of the primary
 *   (`app.image.amiId`) its image comes from an `aws.ec2.AmiCopy` of this stack that copies that AMI
 *   from the primary region, encrypted with a key of this region (EC2 User Guide, "Copy an Amazon EC2
 *   AMI": an AMI is regional). During a preview the copy's id is unknown, so the template is matched
 *   to the copy by the dependency of its `imageId`.
 * - The app instances' role reads only this region's secrets, keys and parameters.
 */
import type { PolicyResource } from "@pulumi/policy";
import { arnsIn } from "../../invariants/regionIsolation";
import { amiCopyProblems } from "../../invariants/appCopies";
import { arnRegion } from "../../invariants/plan";
import { dependsOn, ofType, regionOf, stackPolicy, TYPES } from "./kit";
import { manifestOf } from "./manifest";

const APP_TIER = "multi-region-dr:compute:AppTier";
const AMI_COPY = "aws:ec2/amiCopy:AmiCopy";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

/** True when `resource` is inside an AppTier component. */
function inAppTier(resource: PolicyResource): boolean {
  for (let parent = resource.parent; parent !== undefined; parent = parent.parent) if (parent.type === APP_TIER) return true;
  return false;
}

const drAppOwnRegionCopies = stackPolicy({
  name: "dr-app-own-region-copies",
  description:
    "DR invariant 15: the DR app's launch template uses an image of the DR region (a DR-region, DR-key copy of the primary's AMI), and its instances read only the DR region's secrets and parameters",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    const image = manifest?.primary?.app?.definition.image;
    if (manifest?.role !== "dr" || manifest.primary === undefined) return;
    const home = manifest.region;
    const copies = ofType(resources, AMI_COPY);
    for (const template of ofType(resources, TYPES.launchTemplate).filter(inAppTier)) {
      if (image?.kind !== "ami") continue;
      if (template.props.imageId === image.amiId) {
        report(`${template.name}: imageId is the primary's AMI ${image.amiId}, which does not exist in ${home}; launch from an aws.ec2.AmiCopy of it`, template.urn);
        continue;
      }
      const sources = copies.filter((copy) => dependsOn(template, copy, "imageId"));
      if (sources.length !== 1) {
        report(`${template.name}: imageId comes from no aws.ec2.AmiCopy of this stack; copy the primary's AMI ${image.amiId} into ${home}`, template.urn);
        continue;
      }
      for (const problem of amiCopyProblems(sources[0].props, image.amiId, manifest.primary.region, regionOf(sources[0]) ?? home)) report(`${sources[0].name}: ${problem}`, sources[0].urn);
    }
    for (const policy of ofType(resources, ROLE_POLICY).filter(inAppTier)) {
      for (const { arn } of arnsIn(policy.props.policy)) {
        const region = arnRegion(arn);
        if (region && region !== home) report(`${policy.name}: grants ${arn} of ${region}; the DR instances must read this region's copies`, policy.urn);
      }
    }
  },
});

export const appCopiesPolicies = [drAppOwnRegionCopies];
