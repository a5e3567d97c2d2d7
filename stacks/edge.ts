/**
 * The edge's wiring (issue 22, item 1; docs/edge.md): what each stack adds when the primary's stack
 * file turns `edge.cloudFront` on. Two calls, one per stack, plus the ALB options of each region:
 *
 * - the primary stack: {@link primaryEdge} makes the origin-verify secret and the AppTier's `edge`
 *   option of the primary region, and returns the outputs the DR stack reads (`edge`, `edgeOriginVerifySecret`);
 * - the DR stack: {@link drEdgeAccess} gives the DR region's AppTier the same option from the primary's
 *   outputs, and {@link buildEdge} builds the distribution ({@link EdgeDistribution}), which the DR stack owns.
 *
 * Why the DR stack owns the distribution: it is the stack that knows both load balancers (the primary
 * cannot read the DR stack), and the one an operator deploys while the primary region is down. CloudFront's
 * and ACM-for-CloudFront's control planes are in us-east-1 (CloudFront's API endpoint,
 * cloudfront.amazonaws.com, is served from us-east-1: "Amazon CloudFront endpoints and quotas"; its
 * certificates must be in us-east-1), so with any primary region but us-east-1 the DR stack can still
 * change the distribution during a primary outage. When the primary region IS us-east-1, that control plane
 * fails with it: then nothing of the edge may need a change during the outage, and nothing does (reads fail
 * over per request in the origin group, writes follow the failover name's Route 53 records, both data
 * planes), and the outage mode drops the edge from the DR stack's program like its other resources there
 * (`RetainedInRegion`: retainOnDelete, they keep serving). During an outage of the DR region nothing needs
 * a change either: the primary origin answers, and the origin group only fails over to the DR ALB on errors.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type CloudFrontConfig, cloudFrontSchema, type EdgeConfig } from "../config/edge";
import { type PrimaryOutputs } from "../config/primaryContract";
import { failoverOriginNameOf } from "../components/edge/distribution";
import { EdgeDistribution } from "../components/edge/edgeDistribution";
import { CLOUDFRONT_CERTIFICATE_REGION } from "../components/edge/certificate";
import { cloudFrontPrefixListId, type EdgeOriginAccess } from "../components/edge/originAccess";
import { originVerifySecret } from "../components/edge/originSecret";
import { type RetainedInRegion } from "./regionalProvider";

/** The region of the edge's control planes (CloudFront, ACM for CloudFront, WAF scope CLOUDFRONT). */
export const EDGE_CONTROL_PLANE_REGION = CLOUDFRONT_CERTIFICATE_REGION;

/** What the primary stack exports of the edge, and the DR stack reads back (stacks/primaryOutputs.ts). */
export interface PrimaryEdgeOutputs {
  /** `edge.cloudFront` as resolved from the primary's stack file. */
  edge: CloudFrontConfig;
  /** The origin-verify secret (a Pulumi secret output); absent while the edge is off. */
  edgeOriginVerifySecret?: pulumi.Output<string>;
}

/**
 * The primary stack's part. Call it before `buildRegion` and pass `originAccess` to the primary's
 * AppTier (`edge`); spread `outputs` into the stack's outputs.
 * @param provider the primary region's provider (the prefix list is looked up there).
 */
export function primaryEdge(edge: EdgeConfig, provider: aws.Provider): { originAccess?: EdgeOriginAccess; outputs: PrimaryEdgeOutputs } {
  if (!edge.cloudFront.enabled) return { ...healthListenerOnly(edge.cloudFront), outputs: { edge: edge.cloudFront } };
  // No provider: random.RandomPassword is not an AWS resource.
  const secret = originVerifySecret("edge-origin-secret", edge.cloudFront.originSecretVersion);
  return {
    originAccess: { prefixListId: cloudFrontPrefixListId(provider), originVerifySecret: secret },
    outputs: { edge: edge.cloudFront, edgeOriginVerifySecret: secret },
  };
}

/**
 * The AppTier option while the edge is off: the health listener alone with `healthListener`
 * (config/edge.ts; docs/edge.md "Turning it on for a live pair"), else nothing.
 */
function healthListenerOnly(cloudFront: Pick<CloudFrontConfig, "healthListener">): { originAccess?: EdgeOriginAccess } {
  return cloudFront.healthListener ? { originAccess: { healthListenerOnly: true } } : {};
}

/**
 * The primary's edge outputs as the DR stack uses them: the edge off for a primary deployed before the
 * edge existed, and the secret marked secret again (readPrimaryOutputs reads it as a plain value), so it
 * stays encrypted in the DR stack's state.
 */
export function edgeOutputsOf(primary: Pick<PrimaryOutputs, "edge" | "edgeOriginVerifySecret">): PrimaryEdgeOutputs {
  const edge = primary.edge ?? cloudFrontSchema.parse(undefined);
  return {
    edge,
    ...(primary.edgeOriginVerifySecret !== undefined ? { edgeOriginVerifySecret: pulumi.secret(primary.edgeOriginVerifySecret) } : {}),
  };
}

/**
 * The name the Route 53 failover pair lives at: the application name, or behind the edge the failover
 * name `origin.<application name>` (the distribution's primary origin; the application name is then the
 * distribution's alias). From the edge flag, not from {@link buildEdge}'s result: in the outage mode with
 * a us-east-1 primary buildEdge declares nothing, but the records must stay where the distribution points.
 */
export function failoverRecordName(primary: Pick<PrimaryOutputs, "edge" | "applicationName">): string {
  return primary.edge?.enabled === true ? failoverOriginNameOf(primary.applicationName) : primary.applicationName;
}

/** The failover pair's records' type token. */
export const FAILOVER_RECORD_TYPE = "aws:route53/record:Record";

/**
 * Options for the failover pair's component that let the edge be turned on in one `pulumi up`: its
 * records are deleted before their replacement is created (`deleteBeforeReplace`, Pulumi docs, "Resource
 * options: deleteBeforeReplace": "the resource is deleted before its replacement is created"). Turning
 * the edge on renames them (application name -> failover name), a replacement; created first, the new
 * ones would sit beside the old ones harmlessly, but the application name's simple aliases could not be
 * created while the old failover records are still there (Route 53: a name cannot mix routing policies
 * for one type, "Choosing a routing policy"), and Pulumi deletes replaced resources only at the end of the
 * update. Route 53 also refuses a second record with the same name, type and set identifier, so a
 * create-before-delete replacement of a failover record never works anyway (ChangeResourceRecordSets
 * CREATE: "returns an error if a resource record set already exists"). The aliases wait for the pair
 * ({@link buildEdgeAliases}), and the pair waits for the distribution (`dependsOn`), so the application
 * name is without an A record only between the pair's deletion and the aliases' creation (about two
 * Route 53 change propagations, docs/edge.md "Turning it on").
 */
export function failoverRecordOptions(edge: EdgeDistribution | undefined): pulumi.ComponentResourceOptions {
  // On each record, not the component: a component's dependsOn does not reach its children. The distribution, not the
  // edge component: the component's aliases wait for the pair, so waiting for them would be a cycle.
  const after = edge ? { dependsOn: [edge.distribution] } : {};
  const deleteFirst: pulumi.ResourceTransformation = (args) =>
    args.type === FAILOVER_RECORD_TYPE ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { deleteBeforeReplace: true, ...after }) } : undefined;
  return { transformations: [deleteFirst] };
}

/**
 * The application name's aliases to the distribution, after the failover pair (see {@link failoverRecordOptions}).
 * @returns the A and AAAA records, or none when the edge is not built.
 */
export function buildEdgeAliases(edge: EdgeDistribution | undefined, failoverPair: pulumi.Resource): aws.route53.Record[] {
  return edge ? edge.addAliases([failoverPair]) : [];
}

/**
 * The DR region's AppTier option, from the primary's outputs.
 * @param provider the DR region's provider.
 * @returns undefined while the edge is off.
 * @throws Error when the edge is on but the primary exported no secret (an inconsistent contract).
 */
export function drEdgeAccess(primary: PrimaryEdgeOutputs, provider: aws.Provider): EdgeOriginAccess | undefined {
  if (!primary.edge.enabled) return healthListenerOnly(primary.edge).originAccess;
  if (primary.edgeOriginVerifySecret === undefined)
    throw new Error("the primary's edge is on but it exported no edgeOriginVerifySecret: deploy the primary stack first");
  return { prefixListId: cloudFrontPrefixListId(provider), originVerifySecret: primary.edgeOriginVerifySecret };
}

export interface BuildEdgeArgs {
  primary: PrimaryEdgeOutputs;
  /** The application name (the primary's `applicationName`). */
  applicationName: string;
  /** The public hosted zone (the primary's `hostedZoneId`). */
  hostedZoneId: pulumi.Input<string>;
  /** The DR ALB's DNS name. */
  drAlbDnsName: pulumi.Input<string>;
  /** The primary's region: us-east-1 there makes the edge a primary-region resource for the outage mode. */
  primaryRegion: string;
  /** `outage.primaryRegionDown`. */
  outage: boolean;
  /** The DR stack's RetainedInRegion (protect: true), or undefined in the teardown mode. */
  retained?: RetainedInRegion;
  /** `resourcePrefix(stackName, "edge")`: the web ACL's name. */
  namePrefix: string;
  /** The DR stack's component options (its regional provider). */
  opts: pulumi.ComponentResourceOptions;
}

/**
 * The DR stack's part: the distribution, its certificate and web ACL. Call it after the DR region's
 * AppTier and before the FailoverRouting, which lives at {@link failoverRecordName} with
 * {@link failoverRecordOptions}; then {@link buildEdgeAliases}.
 *
 * What is retained, and when: only with a us-east-1 primary (the outage mode drops the edge then, and a
 * dropped resource must already carry `retainOnDelete` in the state, or its deletion would call
 * us-east-1's control planes), only in the protected mode (`retained`), and only while
 * `edge.cloudFront.retainInOutage` is true (default). Pulumi never deletes a retained resource, turning
 * the edge off included (`pulumi destroy --target` too: pulumi/pulumi pkg/resource/deploy/step.go
 * DeleteStep.Apply skips the provider's Delete for `RetainOnDelete`), so turning it off starts with one
 * deploy of both stacks with `retainInOutage: false`, which clears the option in the state and changes
 * nothing in the cloud (docs/edge.md, "Turning it off").
 * @returns the component, or undefined when the edge is off, or in the outage mode when the primary region
 *   is us-east-1 (the edge's control plane is down: the edge is not declared, and keeps serving).
 */
export function buildEdge(args: BuildEdgeArgs): EdgeDistribution | undefined {
  if (!args.primary.edge.enabled || args.primary.edgeOriginVerifySecret === undefined) return undefined;
  const controlPlaneInPrimaryRegion = args.primaryRegion === EDGE_CONTROL_PLANE_REGION;
  if (args.outage && controlPlaneInPrimaryRegion) return undefined;
  // A certificate validation is no AWS resource (its delete calls nothing) and cannot be imported, so it is not retained:
  // the outage mode drops it, and the way back re-creates it against the certificate, already issued.
  const retain =
    controlPlaneInPrimaryRegion && args.retained && args.primary.edge.retainInOutage
      ? { transformations: [args.retained.transformation((resource) => resource.type !== "aws:acm/certificateValidation:CertificateValidation")] }
      : {};
  return new EdgeDistribution(
    "edge",
    {
      applicationName: args.applicationName,
      hostedZoneId: args.hostedZoneId,
      drAlbDnsName: args.drAlbDnsName,
      originVerifySecret: args.primary.edgeOriginVerifySecret,
      cloudFront: args.primary.edge,
      webAclName: args.namePrefix.slice(0, 128),
    },
    { ...args.opts, ...retain },
  );
}
