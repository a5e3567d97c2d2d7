/**
 * DR invariant 15 (this program's): the DR region's app runs from the DR region's own copies of
 * everything it needs, so it starts and serves with the primary region gone.
 * - Its image lives in the DR region. An AMI is a regional resource (EC2 User Guide, "Copy an Amazon
 *   EC2 AMI"): with an AMI ID of the primary (`app.image.amiId`), the DR launch template must use an
 *   `aws.ec2.AmiCopy` of the DR stack copying exactly that AMI from the primary region, encrypted with
 *   a DR-region key; never the primary's AMI ID itself. Whatever the image, the DR template's image is
 *   not the primary template's (an image resolved per region differs by region).
 * - Its secrets are replicated to the DR region: every app secret of the primary (the database
 *   credentials and `app.secrets`) has a replica in the DR region encrypted with a key of the DR
 *   region (Secrets Manager User Guide, "Replicate AWS Secrets Manager secrets across Regions").
 * - Its instances read only the DR region's copies: the DR instance role's app-access policy names
 *   secrets, keys and parameters of the DR region only (an IAM policy is global, so invariant 8,
 *   which judges regional resources, does not see it).
 * - Its configuration is in the DR region: the DR stack writes every parameter the primary writes,
 *   under the same names and with the same values.
 */
import { arnRegion, type InvariantResult, type PlanPair, resourcesOfType } from "./plan";
import type { PlannedResource } from "../synth/recordStack";

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const AMI_COPY = "aws:ec2/amiCopy:AmiCopy";
const SECRET = "aws:secretsmanager/secret:Secret";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const PARAMETER = "aws:ssm/parameter:Parameter";
const APP_SECRETS = "multi-region-dr:security:AppSecrets";
const APP_PARAMETERS = "multi-region-dr:app:AppParameters";
const APP_TIER = "multi-region-dr:compute:AppTier";

/** The primary's declared image (output `app.definition.image`), when the primary exports one. */
function primaryImage(pair: PlanPair): { kind: "demo" | "ssm-parameter" } | { kind: "ami"; amiId: string } | undefined {
  const app = pair.primary.outputs.app as { definition?: { image?: { kind: "demo" | "ssm-parameter" } | { kind: "ami"; amiId: string } } } | undefined;
  return app?.definition?.image;
}

/** Children (direct or deeper) of the components of `type`. */
function under(plan: PlanPair["dr"], type: string, childType: string): PlannedResource[] {
  const parents = new Set(resourcesOfType(plan, type).map((component) => component.urn));
  let grew = true;
  while (grew) {
    grew = false;
    for (const resource of plan.resources) {
      if (resource.parentUrn !== undefined && parents.has(resource.parentUrn) && !parents.has(resource.urn)) {
        parents.add(resource.urn);
        grew = true;
      }
    }
  }
  return plan.resources.filter((resource) => resource.type === childType && resource.parentUrn !== undefined && parents.has(resource.parentUrn));
}

/** What is wrong with an AMI copy that the DR app's image must be: the primary's AMI, from the primary region, encrypted with a key of `home`. */
export function amiCopyProblems(copy: Record<string, unknown>, amiId: string, primaryRegion: string, home: string): string[] {
  const problems: string[] = [];
  if (copy.sourceAmiId !== amiId) problems.push(`copies ${JSON.stringify(copy.sourceAmiId)}, not the primary's AMI ${amiId}`);
  if (copy.sourceAmiRegion !== primaryRegion)
    problems.push(`sourceAmiRegion is ${JSON.stringify(copy.sourceAmiRegion)}, not the primary region ${primaryRegion}`);
  if (copy.encrypted !== true) problems.push("encrypted is not true: encrypt the copy's snapshots with this region's key");
  if (typeof copy.kmsKeyId !== "string" || arnRegion(copy.kmsKeyId) !== home)
    problems.push(`kmsKeyId ${JSON.stringify(copy.kmsKeyId)} is not a key of ${home}`);
  return problems;
}

function imageProblems(pair: PlanPair): string[] {
  const { primary, dr } = pair;
  const problems: string[] = [];
  const primaryImages = new Set(under(primary, APP_TIER, LAUNCH_TEMPLATE).map((template) => String(template.inputs.imageId)));
  const image = primaryImage(pair);
  const copies = resourcesOfType(dr, AMI_COPY);
  for (const template of under(dr, APP_TIER, LAUNCH_TEMPLATE)) {
    const imageId = String(template.inputs.imageId);
    if (primaryImages.has(imageId))
      problems.push(`${template.name}: imageId ${imageId} is the primary launch template's image; the DR region needs an image of its own region`);
    if (image?.kind !== "ami") continue;
    if (imageId === image.amiId) {
      problems.push(
        `${template.name}: imageId is the primary's AMI ${image.amiId}, which does not exist in ${dr.region}; launch from an aws.ec2.AmiCopy of it in the DR region`,
      );
      continue;
    }
    const copy = copies.find((candidate) => candidate.outputs.id === imageId || candidate.id === imageId);
    if (!copy) {
      problems.push(`${template.name}: imageId ${imageId} is no aws.ec2.AmiCopy of the DR stack; copy the primary's AMI ${image.amiId} into ${dr.region}`);
      continue;
    }
    for (const problem of amiCopyProblems(copy.inputs, image.amiId, primary.region, dr.region)) problems.push(`${copy.name}: ${problem}`);
  }
  return problems;
}

function secretProblems(pair: PlanPair): string[] {
  const { primary, dr } = pair;
  const problems: string[] = [];
  for (const secret of under(primary, APP_SECRETS, SECRET)) {
    const replicas = (secret.inputs.replicas ?? []) as { region?: string; kmsKeyId?: string }[];
    const replica = replicas.find((candidate) => candidate.region === dr.region);
    if (!replica)
      problems.push(
        `${secret.name}: has no replica in ${dr.region}; the DR app could not read it with the primary region gone (set standbyRegion: ${dr.region})`,
      );
    else if (replica.kmsKeyId === undefined || arnRegion(replica.kmsKeyId) !== dr.region)
      problems.push(`${secret.name}: its ${dr.region} replica's key ${String(replica.kmsKeyId)} is not a key of ${dr.region}`);
  }
  for (const policy of under(dr, APP_TIER, ROLE_POLICY)) {
    const document = JSON.parse(String(policy.inputs.policy ?? "{}")) as { Statement?: { Resource?: string | string[] }[] };
    for (const statement of document.Statement ?? []) {
      for (const resource of ([] as string[]).concat(statement.Resource ?? [])) {
        const region = arnRegion(resource);
        if (region && region !== dr.region) problems.push(`${policy.name}: grants ${resource} of ${region}; the DR instances must read the DR region's copies`);
      }
    }
  }
  return problems;
}

function parameterProblems({ primary, dr }: PlanPair): string[] {
  const values = (plan: PlanPair["dr"]) =>
    new Map(under(plan, APP_PARAMETERS, PARAMETER).map((parameter) => [String(parameter.inputs.name), String(parameter.inputs.value)]));
  const drValues = values(dr);
  return [...values(primary)].flatMap(([name, value]) =>
    drValues.get(name) === value
      ? []
      : [`parameter ${name}: ${drValues.has(name) ? "has another value" : "is missing"} in ${dr.region}; the DR stack writes the primary's parameters`],
  );
}

export function checkAppCopies(pair: PlanPair): InvariantResult {
  return {
    id: 15,
    title:
      "The DR app runs from DR-region copies: its image copied to or resolved in the DR region, its secrets replicated there under a DR key and read there, its parameters written there (15)",
    violations: [...imageProblems(pair), ...secretProblems(pair), ...parameterProblems(pair)],
  };
}
