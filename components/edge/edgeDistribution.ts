/**
 * EdgeDistribution: CloudFront in front of the DR pair (issue 22, item 1; docs/edge.md). Owned by the DR
 * stack, the one that knows both load balancers and can be deployed while the primary region is down.
 *
 * It builds, thinly, from the small functions of this folder:
 * - the viewer certificate in us-east-1 for the application name, DNS-validated (`certificate.ts`);
 * - optionally the WAF web ACL, scope CLOUDFRONT, in us-east-1 (`webAcl.ts`);
 * - the distribution: the failover name and the DR ALB as origins, the origin group for reads, the
 *   failover name alone for writes, the origin-verify secret on both (`distribution.ts`);
 * - the application name's A and AAAA aliases to it (`records.ts`), through {@link EdgeDistribution.addAliases},
 *   which the DR stack calls once the failover pair has left the application name (Route 53 refuses a
 *   simple record beside failover records of the same name and type: stacks/edge.ts `buildEdgeAliases`).
 *
 * Nothing of it changes at a failover or a failback: per request, the origin group moves reads to the DR
 * ALB on a 5xx or a connection failure, and the failover name moves with Route 53's health checks and the
 * fence (components/failoverRouting.ts), both data planes. So CloudFront's and ACM's control planes, in
 * us-east-1, are needed at deploy only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type CloudFrontConfig } from "../../config/edge";
import { viewerCertificate } from "./certificate";
import { distributionArgs, failoverOriginNameOf } from "./distribution";
import { edgeRecords } from "./records";
import { edgeWebAcl } from "./webAcl";

export interface EdgeDistributionArgs {
  /** The application name, e.g. `app.example.com`: the alias, the certificate's name, the Host both ALBs see. */
  applicationName: string;
  /** The public hosted zone of the application name. */
  hostedZoneId: pulumi.Input<string>;
  /** The DR ALB's DNS name (the origin group's second origin). */
  drAlbDnsName: pulumi.Input<string>;
  /** The origin-verify secret (the primary's output). */
  originVerifySecret: pulumi.Input<string>;
  /** `edge.cloudFront` as the primary resolved it. */
  cloudFront: CloudFrontConfig;
  /** Name of the web ACL when `cloudFront.waf.enabled`: 1-128 letters, digits, `-`, `_`. */
  webAclName: string;
}

export class EdgeDistribution extends pulumi.ComponentResource {
  readonly distributionId: pulumi.Output<string>;
  readonly distributionArn: pulumi.Output<string>;
  /** e.g. `d111111abcdef8.cloudfront.net`. */
  readonly domainName: pulumi.Output<string>;
  /** The name the primary origin resolves: where the failover pair's records must live (`origin.<application name>`). */
  readonly failoverOriginName: string;
  readonly certificateArn: pulumi.Output<string>;
  readonly webAclArn?: pulumi.Output<string>;
  /** The distribution itself: what the failover pair's replacement waits for (stacks/edge.ts `failoverRecordOptions`). */
  readonly distribution: aws.cloudfront.Distribution;
  private readonly aliasName: string;
  private readonly hostedZoneId: pulumi.Input<string>;
  private readonly applicationName: string;

  /** @throws RangeError when `cloudFront.enabled` is false (build nothing instead), or on a WAF setting AWS refuses. */
  constructor(name: string, args: EdgeDistributionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:edge:EdgeDistribution", name, {}, opts);
    if (!args.cloudFront.enabled) throw new RangeError(`EdgeDistribution ${name}: edge.cloudFront.enabled is false; do not build the edge`);
    const child = { parent: this };
    this.failoverOriginName = failoverOriginNameOf(args.applicationName);
    this.certificateArn = viewerCertificate(name, { domainName: args.applicationName, hostedZoneId: args.hostedZoneId }, child);
    this.webAclArn = args.cloudFront.waf.enabled
      ? edgeWebAcl(`${name}-waf`, { name: args.webAclName, rateLimitPer5Minutes: args.cloudFront.waf.rateLimitPer5Minutes }, child)
      : undefined;
    const distribution = new aws.cloudfront.Distribution(
      `${name}-distribution`,
      distributionArgs({
        applicationName: args.applicationName,
        failoverOriginName: this.failoverOriginName,
        drAlbDnsName: args.drAlbDnsName,
        originVerifySecret: args.originVerifySecret,
        certificateArn: this.certificateArn,
        ...(this.webAclArn ? { webAclArn: this.webAclArn } : {}),
        cloudFront: args.cloudFront,
      }),
      child,
    );
    this.distribution = distribution;
    this.aliasName = `${name}-alias`;
    this.hostedZoneId = args.hostedZoneId;
    this.applicationName = args.applicationName;
    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
    this.domainName = distribution.domainName;
    this.registerOutputs({
      distributionId: this.distributionId,
      distributionArn: this.distributionArn,
      domainName: this.domainName,
      certificateArn: this.certificateArn,
      webAclArn: this.webAclArn,
    });
  }

  /**
   * The application name's A and AAAA aliases to the distribution, children of this component (so its
   * options, such as the outage mode's retainOnDelete, apply to them too).
   * @param dependsOn what must be in place first: the failover pair, moved off the application name.
   * @returns the two records.
   */
  addAliases(dependsOn: pulumi.Input<pulumi.Resource>[]): aws.route53.Record[] {
    return edgeRecords(
      this.aliasName,
      { hostedZoneId: this.hostedZoneId, applicationName: this.applicationName, distributionDomainName: this.domainName },
      { parent: this, dependsOn },
    );
  }
}
