/**
 * Issue 19: policies that prove, at every preview, that the DR tier could take the traffic. Each is a
 * stack policy of the DR stack (its recovery manifest has role `dr`; on any other stack they find
 * nothing) and judges the resources the DR stack declares in its own region (`manifest.region`):
 *
 * - `dr-launch-template-regional-image`: the app's launch template launches an image of the DR region;
 * - `dr-asg-attached-to-target-group`: the DR Auto Scaling Group is registered with the target group
 *   the DR load balancer forwards to, and that target group has a group to take the traffic;
 * - `dr-load-balancer-internet-facing`: the DR load balancer is not internal;
 * - `dr-listener-health-check-match`: the DR load balancer listens as the primary's does (protocol and
 *   port from the manifest's primary outputs) and forwards to a target group on the app's port whose
 *   health check asks the app's `HEALTH_CHECK_PATH` (config/conventions.ts) the way the app answers it;
 * - `dr-app-config-in-region`: the DR app's configuration (the launch template's user data,
 *   components/userData.ts) names no endpoint, ARN or region of another region.
 *
 * "The DR load balancer" is every application load balancer the DR stack declares in its region
 * (components/appTier.ts declares one); `allowInternal` on `dr-load-balancer-internet-facing` exempts
 * by logical name one that is internal on purpose. Sources: design (components/appTier.ts,
 * DESIGN.md "AppTier"), WA REL13 (a DR region that can serve), ELB, EC2 and Auto Scaling guides as
 * cited next to each check.
 */
import type { PolicyResource } from "@pulumi/policy";
import { HEALTH_CHECK_PATH } from "../../config/conventions";
import { PROVIDER_REGIONS } from "../../config/names";
import type { RecoveryManifest } from "../../config/recoveryManifest";
import { arnRegion } from "../../invariants/plan";
import { forwardsOriginVerified, type RuleInputs } from "../../invariants/listenerRules";
import { arnsIn } from "../../invariants/regionIsolation";
import { asList, dependsOn, ofType, regionOf, schema, stackPolicy, TYPES, userDataText } from "./kit";
import { primaryAmiProblems } from "./appCopies";
import { declaredHealthPath, manifestOf } from "./manifest";

/** Resource types this module reads beyond the kit's. */
export const DR_TIER_TYPES = {
  autoScalingAttachment: "aws:autoscaling/attachment:Attachment",
  trafficSourceAttachment: "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
  amiCopy: "aws:ec2/amiCopy:AmiCopy",
  ami: "aws:ec2/ami:Ami",
  amiFromInstance: "aws:ec2/amiFromInstance:AmiFromInstance",
} as const;

/** The DR stack's manifest and region, or undefined on a stack that is not a DR stack with a valid manifest. */
export function drContextOf(resources: PolicyResource[]): { manifest: RecoveryManifest; region: string } | undefined {
  const manifest = manifestOf(resources)?.manifest;
  return manifest?.role === "dr" ? { manifest, region: manifest.region } : undefined;
}

/** The resource's region, the stack's (`fallback`) when neither it nor its provider names one. */
function regionOr(resource: PolicyResource, fallback: string): string {
  return regionOf(resource) ?? fallback;
}

/** The DR region's resources of one type. */
function inRegion(resources: PolicyResource[], type: string, region: string): PolicyResource[] {
  return ofType(resources, type).filter((resource) => regionOr(resource, region) === region);
}

/**
 * The DR load balancers: application load balancers in the DR region (`loadBalancerType` defaults
 * to `application`, provider docs for aws.lb.LoadBalancer).
 */
export function drLoadBalancers(resources: PolicyResource[], region: string): PolicyResource[] {
  return inRegion(resources, TYPES.loadBalancer, region).filter((lb) => (lb.props.loadBalancerType ?? "application") === "application");
}

/** True when `resource`'s `property` holds `target`'s ARN, or (the ARN unknown, as at a first preview) depends on it there. */
function references(resource: PolicyResource, property: string, value: unknown, target: PolicyResource): boolean {
  const arn = target.props.arn;
  if (typeof arn === "string" && arn !== "") return value === arn;
  return dependsOn(resource, target, property);
}

/** The listeners of a load balancer (their `loadBalancerArn`). */
export function listenersOf(resources: PolicyResource[], lb: PolicyResource): PolicyResource[] {
  return ofType(resources, TYPES.listener).filter((listener) => references(listener, "loadBalancerArn", listener.props.loadBalancerArn, lb));
}

/**
 * The target-group ARNs a list of listener or rule actions forwards to: `forward` with `targetGroupArn`,
 * or with `forward.targetGroups[].arn` (weighted forward). A redirect or fixed response forwards nothing
 * (ELB User Guide, "Listeners for your Application Load Balancers", rule action types).
 */
function forwardArnsOf(actions: Record<string, any> | Record<string, any>[] | null | undefined): unknown[] {
  return asList<Record<string, any>>(actions)
    .filter((action) => action.type === "forward")
    .flatMap((action) => [
      ...(action.targetGroupArn !== undefined ? [action.targetGroupArn] : []),
      ...asList<Record<string, any>>(action.forward?.targetGroups).map((group) => group.arn),
    ]);
}

/** The target-group ARNs a listener's default actions forward to (`forwardArnsOf`). */
export function forwardedArns(listener: PolicyResource): unknown[] {
  return forwardArnsOf(listener.props.defaultActions);
}

/** The listener rules of a listener (their `listenerArn`). */
export function rulesOf(resources: PolicyResource[], listener: PolicyResource): PolicyResource[] {
  return ofType(resources, TYPES.listenerRule).filter((rule) => references(rule, "listenerArn", rule.props.listenerArn, listener));
}

/**
 * The target groups of this stack a listener forwards to: by its default actions, and by those of its
 * rules that `ruleCounts` accepts (every rule when omitted). Behind the edge a listener forwards by rules
 * alone (invariants/listenerRules.ts).
 */
export function forwardedTargetGroups(
  resources: PolicyResource[],
  listener: PolicyResource,
  ruleCounts: (rule: PolicyResource) => boolean = () => true,
): PolicyResource[] {
  const sources = [
    { resource: listener, property: "defaultActions", arns: forwardedArns(listener) },
    ...rulesOf(resources, listener)
      .filter(ruleCounts)
      .map((rule) => ({ resource: rule, property: "actions", arns: forwardArnsOf(rule.props.actions) })),
  ];
  return ofType(resources, TYPES.targetGroup).filter((group) =>
    sources.some(({ resource, property, arns }) => arns.some((arn) => references(resource, property, arn, group))),
  );
}

// ---------------------------------------------------------------------------------------------
// The image
// ---------------------------------------------------------------------------------------------

/** An AMI id: `ami-` and 8 or 17 hexadecimal digits (EC2 API Reference, RequestLaunchTemplateData ImageId). */
const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** A Systems Manager parameter in place of an AMI id, resolved by EC2 at launch (EC2 User Guide, "Use a Systems Manager parameter instead of an AMI ID"). */
const SSM_REFERENCE = "resolve:ssm:";

/** Where an image id is known to belong to another region: the id and a description of where it comes from. */
export interface ForeignImage {
  imageId: string;
  /** E.g. `the source of copy app-ami (us-east-1)`. */
  what: string;
  region: string;
}

/**
 * What is wrong with a launch template's `imageId` for a launch template in `region`, or undefined.
 *
 * It judges what can be judged offline and at preview:
 * - `resolve:ssm:<name>` (optionally `:<version>` or `:<label>`): EC2 resolves the parameter in the
 *   template's own region at each launch, so the image is the region's: fine.
 * - `resolve:ssm:<parameter ARN>`: the ARN names the parameter's region; one other than `region` fails
 *   (parameters are regional; EC2 accepts an ARN for a parameter shared from another account).
 * - an AMI id listed in `foreign`: an image this stack (or its primary's outputs) knows to be of
 *   another region: an AMI copy's source, an image or SSM parameter declared in another region.
 * - anything else that is neither an AMI id nor an SSM reference.
 * A literal AMI id otherwise is unknowable offline: AMI ids are regional (a copy to another region
 * gets a new id, EC2 CopyImage), but nothing in the plan says which region issued it.
 */
export function imageProblem(imageId: unknown, region: string, foreign: ForeignImage[] = []): string | undefined {
  if (imageId === undefined || imageId === null || imageId === "")
    // RunInstances: "An AMI ID is required to launch an instance and must be specified here or in a launch template" (EC2 API Reference).
    return "has no imageId: every instance the Auto Scaling Group launches from it needs an image of the DR region (RunInstances requires one)";
  if (typeof imageId !== "string") return `imageId ${JSON.stringify(imageId)} is not an AMI id or a resolve:ssm: reference`;
  if (imageId.startsWith(SSM_REFERENCE)) {
    const parameter = imageId.slice(SSM_REFERENCE.length);
    if (!parameter.startsWith("arn:")) return undefined;
    const parameterRegion = arnRegion(parameter);
    if (parameterRegion !== undefined && parameterRegion !== region)
      return `imageId ${imageId} names an SSM parameter of ${parameterRegion}: EC2 resolves images in ${region}; use the parameter's name so it resolves there`;
    return undefined;
  }
  if (!AMI_ID.test(imageId)) return `imageId ${JSON.stringify(imageId)} is not an AMI id (ami-<8 or 17 hex digits>) or a resolve:ssm: reference`;
  const known = foreign.find((image) => image.imageId === imageId);
  if (known)
    return `imageId ${imageId} is ${known.what}, an image of ${known.region}: AMIs are regional, so instances in ${region} cannot launch from it; resolve the image in ${region} (its SSM parameter through the DR provider) or copy it there`;
  return undefined;
}

/**
 * Images the stack itself shows to be of another region than `region`: the source of an AMI copy
 * from another region (`sourceAmiId`, `sourceAmiRegion`), and the ids (or SSM values) of images and
 * parameters it declares in another region.
 */
export function foreignImages(resources: PolicyResource[], region: string): ForeignImage[] {
  const images: ForeignImage[] = [];
  for (const copy of ofType(resources, DR_TIER_TYPES.amiCopy)) {
    const source = copy.props.sourceAmiRegion;
    if (typeof copy.props.sourceAmiId === "string" && typeof source === "string" && source !== region)
      images.push({ imageId: copy.props.sourceAmiId, what: `the source image of the copy ${copy.name}`, region: source });
  }
  for (const resource of resources) {
    const resourceRegion = regionOr(resource, region);
    if (resourceRegion === region) continue;
    const isImage = resource.type === DR_TIER_TYPES.ami || resource.type === DR_TIER_TYPES.amiFromInstance || resource.type === DR_TIER_TYPES.amiCopy;
    if (isImage && typeof resource.props.id === "string")
      images.push({ imageId: resource.props.id, what: `the image ${resource.name}`, region: resourceRegion });
    if (resource.type === TYPES.ssmParameter) {
      const value = resource.props.insecureValue ?? resource.props.value;
      if (typeof value === "string" && AMI_ID.test(value))
        images.push({ imageId: value, what: `the value of the SSM parameter ${resource.name}`, region: resourceRegion });
    }
  }
  return images;
}

/**
 * The launch templates that launch the DR app: those an Auto Scaling Group of the DR region launches
 * from (`launchTemplate` or a mixed instances policy), else every launch template with an image
 * (the EKS managed nodes' template names none: EKS picks the node AMI).
 */
function appLaunchTemplates(resources: PolicyResource[], region: string): PolicyResource[] {
  const templates = inRegion(resources, TYPES.launchTemplate, region);
  const groups = inRegion(resources, TYPES.autoScalingGroup, region);
  const launched = templates.filter((template) =>
    groups.some((group) => {
      const specs = [
        group.props.launchTemplate,
        group.props.mixedInstancesPolicy?.launchTemplate?.launchTemplateSpecification,
        ...asList<Record<string, any>>(group.props.mixedInstancesPolicy?.launchTemplate?.overrides).map((o) => o.launchTemplateSpecification),
      ].filter((spec): spec is Record<string, unknown> => spec !== undefined && spec !== null);
      return (
        specs.some(
          (spec) =>
            (spec.id !== undefined && spec.id === template.props.id) ||
            (spec.name !== undefined && spec.name === template.props.name) ||
            (spec.launchTemplateId !== undefined && spec.launchTemplateId === template.props.id) ||
            (spec.launchTemplateName !== undefined && spec.launchTemplateName === template.props.name),
        ) ||
        dependsOn(group, template, "launchTemplate") ||
        dependsOn(group, template, "mixedInstancesPolicy")
      );
    }),
  );
  return [...new Set([...launched, ...templates.filter((template) => template.props.imageId !== undefined)])];
}

/**
 * DR: the app's launch template in the DR region launches an image of that region.
 *
 * What it can see: the template's `imageId` as the preview resolves it, its property dependencies,
 * and the other resources of the stack. components/appTier.ts reads the AMI from the public SSM
 * parameter of Amazon Linux 2023 with `aws.ssm.getParameterOutput` under the DR provider, so the id
 * is the DR region's. What it cannot see: which provider an invoke ran under. An invoke is not a
 * resource: the plan keeps neither its provider nor a dependency on it (the Node SDK's invoke output
 * carries only its inputs' dependencies), so an AMI id read through the primary region's provider is
 * a plain `ami-...` like any other. It is caught only where the plan says where the id comes from: an
 * image, AMI copy source or SSM parameter value declared in another region, an image resource of
 * another region in the id's property dependencies, or a `resolve:ssm:` ARN of another region. The
 * safest form is `resolve:ssm:<public parameter name>`, which EC2 resolves in the template's region.
 */
const regionalImage = stackPolicy({
  name: "dr-launch-template-regional-image",
  description:
    "The DR app's launch template launches an image of the DR region: an SSM reference resolved there or this region's encrypted copy of the primary's AMI ID, never an image, copy source or parameter of another region (design, DR invariant 15, WA REL13)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const context = drContextOf(resources);
    if (!context) return;
    const foreign = foreignImages(resources, context.region);
    for (const template of appLaunchTemplates(resources, context.region)) {
      const problem = imageProblem(template.props.imageId, context.region, foreign);
      if (problem) report(`${template.name}: ${problem}`, template.urn);
      // With an AMI ID of the primary, the template must launch this region's copy of exactly that AMI (appCopies.ts).
      for (const copyProblem of primaryAmiProblems(resources, template, context.manifest, context.region)) report(copyProblem, template.urn);
      for (const source of template.propertyDependencies.imageId ?? []) {
        const sourceRegion = regionOf(source);
        if (sourceRegion !== undefined && sourceRegion !== context.region && !problem)
          report(
            `${template.name}: imageId comes from ${source.name} in ${sourceRegion}: AMIs are regional; resolve the image in ${context.region}`,
            template.urn,
          );
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// The Auto Scaling Group and the target group
// ---------------------------------------------------------------------------------------------

/**
 * The target-group identifiers an Auto Scaling Group is registered with: its `targetGroupArns`, its
 * `trafficSources` of type `elbv2` (the default when absent is taken as elbv2 only for an ARN), and
 * the standalone `aws.autoscaling.Attachment` (`lbTargetGroupArn`) and `TrafficSourceAttachment`
 * resources naming the group (Auto Scaling API, AttachLoadBalancerTargetGroups and
 * AttachTrafficSources; provider docs of aws.autoscaling.Group, "Auto Scaling Groups, Attachments
 * and Traffic Source Attachments").
 */
export function attachedTargetGroupArns(resources: PolicyResource[], group: PolicyResource): unknown[] {
  const namesGroup = (attachment: PolicyResource) =>
    (group.props.name !== undefined && attachment.props.autoscalingGroupName === group.props.name) || dependsOn(attachment, group, "autoscalingGroupName");
  const isTargetGroup = (source: Record<string, any> | undefined) =>
    source !== undefined && (source.type === "elbv2" || (source.type === undefined && String(source.identifier).includes(":targetgroup/")));
  return [
    ...asList(group.props.targetGroupArns),
    ...asList<Record<string, any>>(group.props.trafficSources)
      .filter(isTargetGroup)
      .map((source) => source.identifier),
    ...ofType(resources, DR_TIER_TYPES.autoScalingAttachment)
      .filter(namesGroup)
      .map((attachment) => attachment.props.lbTargetGroupArn)
      .filter((arn) => arn !== undefined),
    ...ofType(resources, DR_TIER_TYPES.trafficSourceAttachment)
      .filter(namesGroup)
      .map((attachment) => attachment.props.trafficSource as Record<string, any> | undefined)
      .filter(isTargetGroup)
      .map((source) => source!.identifier),
  ];
}

/** True when the group is registered with the target group (by ARN; by dependency while the ARN is unknown). */
function isAttached(resources: PolicyResource[], group: PolicyResource, targetGroup: PolicyResource): boolean {
  const arns = attachedTargetGroupArns(resources, group);
  const arn = targetGroup.props.arn;
  if (typeof arn === "string" && arn !== "") return arns.includes(arn);
  const attachments = [...ofType(resources, DR_TIER_TYPES.autoScalingAttachment), ...ofType(resources, DR_TIER_TYPES.trafficSourceAttachment)];
  return (
    dependsOn(group, targetGroup, "targetGroupArns") ||
    dependsOn(group, targetGroup, "trafficSources") ||
    attachments.some((attachment) => dependsOn(attachment, group) && dependsOn(attachment, targetGroup))
  );
}

/**
 * DR: the DR Auto Scaling Group is attached to the target group the DR load balancer forwards to.
 * Auto Scaling registers a group's instances only with the target groups attached to it; a group
 * attached to none runs instances that the load balancer never sends a request, and a forwarded-to
 * target group with no group has no targets (the ALB answers 503). A DR stack that declares no Auto
 * Scaling Group has nothing to attach and is not judged here (DR invariant 7 judges what it lacks).
 */
const asgAttached = stackPolicy({
  name: "dr-asg-attached-to-target-group",
  description:
    "The DR Auto Scaling Group is attached (targetGroupArns, traffic sources or an attachment) to the target group the DR load balancer forwards to (design, WA REL13)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const context = drContextOf(resources);
    if (!context) return;
    const groups = inRegion(resources, TYPES.autoScalingGroup, context.region);
    if (groups.length === 0) return;
    const served = new Map<string, PolicyResource>();
    for (const lb of drLoadBalancers(resources, context.region))
      for (const listener of listenersOf(resources, lb)) for (const group of forwardedTargetGroups(resources, listener)) served.set(group.urn, group);
    const targetGroups = [...served.values()];
    if (targetGroups.length === 0) return; // dr-listener-health-check-match reports a load balancer that forwards to nothing
    for (const group of groups) {
      if (!targetGroups.some((targetGroup) => isAttached(resources, group, targetGroup)))
        report(
          `${group.name}: is attached to no target group the DR load balancer forwards to (${targetGroups.map((targetGroup) => targetGroup.name).join(", ")}): its instances would never receive traffic after a failover; list the target group's ARN in targetGroupArns`,
          group.urn,
        );
    }
    for (const targetGroup of targetGroups) {
      if (!groups.some((group) => isAttached(resources, group, targetGroup)))
        report(
          `${targetGroup.name}: the DR load balancer forwards to it but no Auto Scaling Group of ${context.region} is attached to it: it has no targets and the ALB answers 503`,
          targetGroup.urn,
        );
    }
  },
});

// ---------------------------------------------------------------------------------------------
// The load balancer
// ---------------------------------------------------------------------------------------------

/**
 * DR: the DR load balancer is internet-facing. The DNS name of an internal load balancer resolves to
 * its nodes' private addresses only (ELB API Reference, CreateLoadBalancer `Scheme`), so the
 * SECONDARY record would send every user to an address they cannot reach.
 */
const internetFacing = stackPolicy<{ allowInternal: string[] }>({
  name: "dr-load-balancer-internet-facing",
  description:
    "The DR load balancer is internet-facing, not internal, so the SECONDARY record sends users to addresses they can reach (design, Route 53 failover)",
  enforcementLevel: "mandatory",
  config: {
    schema: { properties: { allowInternal: schema.strings("Logical names of DR-region load balancers that are internal on purpose (not the app's)", []) } },
    defaults: { allowInternal: [] },
  },
  check: (resources, config, report) => {
    const context = drContextOf(resources);
    if (!context) return;
    for (const lb of drLoadBalancers(resources, context.region)) {
      if (lb.props.internal === true && !config.allowInternal.includes(lb.name))
        report(
          `${lb.name}: internal is true: its DNS name resolves to private addresses only, so after a failover no user reaches the DR region; set internal false (components/appTier.ts)`,
          lb.urn,
        );
    }
  },
});

// ---------------------------------------------------------------------------------------------
// The listener and the target group's health check
// ---------------------------------------------------------------------------------------------

/** True when an ALB matcher (`200`, `200,202`, `200-299`) accepts `code` (ELB User Guide, target group health checks, Matcher: default 200). */
export function matcherAccepts(matcher: unknown, code: number): boolean {
  const text = matcher === undefined || matcher === null || matcher === "" ? "200" : String(matcher);
  return text.split(",").some((part) => {
    const [low, high] = part.trim().split("-").map(Number);
    return high === undefined ? low === code : low <= code && code <= high;
  });
}

/**
 * What is wrong with a DR target group against the app: its port, its protocol (the app serves plain
 * HTTP: app/server.py) and its health check (path `HEALTH_CHECK_PATH`, port `traffic-port` or the
 * app port, HTTP, a matcher accepting the 200 the app answers). ELB defaults when absent: path `/`,
 * port `traffic-port`, protocol HTTP, matcher 200 (ELB User Guide, "Health checks for Application Load
 * Balancer target groups").
 */
export function targetGroupProblems(props: Record<string, any>, appPort: number, healthPath = HEALTH_CHECK_PATH): string[] {
  const problems: string[] = [];
  if (Number(props.port) !== appPort) problems.push(`port is ${JSON.stringify(props.port)}, not the app's port ${appPort}: the instances listen on ${appPort}`);
  if ((props.protocol ?? "HTTP") !== "HTTP") problems.push(`protocol is ${JSON.stringify(props.protocol)}: the app serves plain HTTP on its port`);
  const check = (asList<Record<string, any>>(props.healthCheck)[0] ?? {}) as Record<string, any>;
  const path = check.path ?? "/";
  if (path !== healthPath) problems.push(`healthCheck.path is ${JSON.stringify(path)}, not the app's health path ${healthPath}`);
  const port = String(check.port ?? "traffic-port");
  if (port !== "traffic-port" && port !== String(appPort)) problems.push(`healthCheck.port is ${port}, not traffic-port or the app's port ${appPort}`);
  if ((check.protocol ?? "HTTP") !== "HTTP")
    problems.push(`healthCheck.protocol is ${JSON.stringify(check.protocol)}: the app answers ${healthPath} over plain HTTP`);
  if (!matcherAccepts(check.matcher, 200))
    problems.push(`healthCheck.matcher ${JSON.stringify(check.matcher)} does not accept 200, what a healthy app answers`);
  return problems;
}

/**
 * DR: the DR load balancer listens as the primary's does, and its target group matches the app. The
 * failover moves the app's name from the primary ALB to the DR ALB: users keep the URL, so the DR
 * ALB needs a listener of the primary's protocol and port (manifest `primary.listenerProtocol` and
 * `listenerPort`) that forwards to the app (an HTTP listener that redirects to HTTPS forwards
 * nothing; behind the edge, a listener answering 403 by default forwards by its rule on the
 * origin-verify header, which CloudFront adds to every request: invariants/listenerRules.ts), to a
 * target group on the app's port (manifest `primary.appPort`, the port both regions' instances listen on) whose health check asks the app's `HEALTH_CHECK_PATH`. A check of another path
 * or port marks every instance unhealthy: the ALB then fails open, and the Auto Scaling Group (ELB
 * health) replaces its instances in a loop.
 */
const listenerHealthCheck = stackPolicy<{ healthCheckPath: string }>({
  name: "dr-listener-health-check-match",
  description:
    "The DR load balancer has the primary's listener protocol and port, forwarding to a target group on the app's port with a health check of the app's health path (design, DR invariant 4)",
  enforcementLevel: "mandatory",
  config: {
    schema: { properties: { healthCheckPath: schema.string("Path the app answers health checks on", HEALTH_CHECK_PATH) } },
    defaults: { healthCheckPath: HEALTH_CHECK_PATH },
  },
  check: (resources, config, report) => {
    const context = drContextOf(resources);
    const primary = context?.manifest.primary;
    if (!context || !primary) return;
    for (const lb of drLoadBalancers(resources, context.region)) {
      const listeners = listenersOf(resources, lb);
      const matching = listeners.filter(
        (listener) => listener.props.protocol === primary.listenerProtocol && Number(listener.props.port) === primary.listenerPort,
      );
      // Behind the edge the app listener answers 403 by default and forwards what CloudFront sends, by its origin-verify rule.
      const serves = (rule: PolicyResource) => forwardsOriginVerified(rule.props as RuleInputs);
      const forwarding = matching.filter((listener) => forwardedTargetGroups(resources, listener, serves).length > 0);
      if (forwarding.length === 0) {
        const has = listeners.map((listener) => `${String(listener.props.protocol)} ${String(listener.props.port)}`).join(", ") || "none";
        report(
          `${lb.name}: no listener forwards ${primary.listenerProtocol} ${primary.listenerPort} to a target group of this stack, as the primary's does (listeners: ${has}): after a failover users' requests to the app's URL find nothing`,
          lb.urn,
        );
      }
      const groups = new Map<string, PolicyResource>();
      for (const listener of forwarding) for (const group of forwardedTargetGroups(resources, listener, serves)) groups.set(group.urn, group);
      for (const group of groups.values())
        for (const problem of targetGroupProblems(group.props, primary.appPort, declaredHealthPath(resources, config.healthCheckPath)))
          report(`${group.name}: ${problem}`, group.urn);
    }
  },
});

// ---------------------------------------------------------------------------------------------
// The app's configuration
// ---------------------------------------------------------------------------------------------

/**
 * A region code the AWS provider knows (config/names.ts `PROVIDER_REGIONS`), not inside a longer word
 * or number: `us-east-1` in `--region us-east-1`, `rds.us-east-1.amazonaws.com` or `s3-us-east-1`.
 * Longest codes first, so `us-gov-west-1` is not read as a shorter one.
 */
const REGION_CODE = new RegExp(`(?<![A-Za-z0-9])(?:${[...PROVIDER_REGIONS].sort((a, b) => b.length - a.length).join("|")})(?![A-Za-z0-9])`, "g");
/** A DNS host name: two or more labels. */
const HOST = /(?<![A-Za-z0-9.-])[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;

/** What of the primary the DR app's configuration must not name, from the manifest's primary outputs. */
export interface OtherRegionNames {
  /** The DR region. */
  region: string;
  /** The private zone of the stable names (`db.<zone>`), which failover repoints: region-agnostic by design. */
  stableZone?: string;
  /** The primary's bucket, whose name and ARN carry no region. */
  primaryBucketName?: string;
}

/**
 * What in a DR app's configuration text names another region: an ARN with another region (the
 * region field of `arn:partition:service:region:account:resource`), the primary's bucket (by name
 * or ARN: S3 names carry no region), a host with a label of another region (`*.us-east-1.*`, the
 * regional endpoints' form: AWS General Reference, "AWS service endpoints"), and any other mention of
 * another region's code (the app's `--region`, `AWS_REGION=`). Region codes are the AWS provider's
 * (config/names.ts `PROVIDER_REGIONS`). Hosts under the stable zone are exempt.
 * @returns one line per finding, without the resource name.
 */
export function otherRegionMentions(text: string, names: OtherRegionNames): string[] {
  const findings: string[] = [];
  const seen = new Set<string>();
  const add = (key: string, message: string) => {
    if (!seen.has(key)) {
      seen.add(key);
      findings.push(message);
    }
  };
  const covered: [number, number][] = [];
  for (const match of text.matchAll(/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[^"'\s,)\]]+/g)) {
    const [{ arn }] = arnsIn(match[0]);
    covered.push([match.index, match.index + match[0].length]);
    const region = arnRegion(arn);
    if (region && region !== names.region) add(arn, `names ${arn}, an ARN of ${region}`);
    else if (names.primaryBucketName && /^arn:aws[a-z-]*:s3:::/.test(arn) && arn.split(":::")[1]?.split("/")[0] === names.primaryBucketName)
      add(arn, `names ${arn}, the primary's bucket`);
  }
  const inCovered = (index: number) => covered.some(([start, end]) => index >= start && index < end);
  const zone = names.stableZone?.toLowerCase().replace(/\.$/, "");
  for (const match of text.matchAll(HOST)) {
    if (inCovered(match.index)) continue;
    const host = match[0].toLowerCase();
    if (zone && (host === zone || host.endsWith(`.${zone}`))) {
      covered.push([match.index, match.index + match[0].length]);
      continue;
    }
    const labels = host.split(".");
    const region = labels.flatMap((label) => [...label.matchAll(REGION_CODE)].map((found) => found[0])).find((code) => code !== names.region);
    if (region && region !== names.region) {
      covered.push([match.index, match.index + match[0].length]);
      add(host, `names ${host}, a host of ${region}`);
    } else if (names.primaryBucketName && labels[0] === names.primaryBucketName.toLowerCase() && labels.includes("s3")) {
      covered.push([match.index, match.index + match[0].length]);
      add(host, `names ${host}, the primary's bucket`);
    }
  }
  if (names.primaryBucketName) {
    const bucket = names.primaryBucketName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    for (const match of text.matchAll(new RegExp(`(?<![A-Za-z0-9.-])${bucket}(?![A-Za-z0-9.-])`, "g")))
      if (!inCovered(match.index)) add(`bucket:${names.primaryBucketName}`, `names ${names.primaryBucketName}, the primary's bucket`);
  }
  for (const match of text.matchAll(REGION_CODE)) {
    if (inCovered(match.index) || match[0] === names.region) continue;
    const line = text.slice(text.lastIndexOf("\n", match.index) + 1, text.indexOf("\n", match.index) === -1 ? undefined : text.indexOf("\n", match.index));
    const words = line.split(/\s+/);
    const at = words.findIndex((word) => word.includes(match[0]));
    const context = at > 0 && words[at - 1].startsWith("-") ? `${words[at - 1]} ${words[at]}` : words[at];
    add(`region:${match[0]}:${context}`, `names the region ${match[0]} (${context})`);
  }
  return findings;
}

/**
 * DR: the DR app's configuration names no endpoint of another region. components/userData.ts writes
 * the app's region (`--region`), its role and the stable database name (`--db-host db.<zone>`, which
 * failover repoints) into the launch template's user data. A DR instance configured with the
 * primary's region, an endpoint of it (an RDS or S3 host `*.<region>.*`) or an ARN of it works until
 * the outage and then fails with the primary region. Judged on every launch template of the DR region
 * with user data, decoded from base64 (and gzip).
 */
const appConfigInRegion = stackPolicy({
  name: "dr-app-config-in-region",
  description:
    "The DR app's user data names no region, host (*.<region>.*), ARN or bucket of another region; the stable database name is exempt (design, DR invariant 8)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const context = drContextOf(resources);
    if (!context) return;
    const names: OtherRegionNames = {
      region: context.region,
      stableZone: context.manifest.primary?.privateZoneName,
      primaryBucketName: context.manifest.primary?.bucketName,
    };
    for (const template of inRegion(resources, TYPES.launchTemplate, context.region)) {
      const text = userDataText(template.props.userData);
      if (text === "") continue;
      for (const finding of otherRegionMentions(text, names))
        report(
          `${template.name}: user data ${finding}: the DR app must use ${context.region}'s endpoints and the stable names, or it fails with the primary region`,
          template.urn,
        );
    }
  },
});

export const drTierPolicies = [regionalImage, asgAttached, internetFacing, listenerHealthCheck, appConfigInRegion];
