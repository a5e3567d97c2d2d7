/**
 * The application name as an alias of the distribution: an A and an AAAA record (the distribution is
 * IPv6-enabled), simple routing, in the public zone. CloudFront's alias hosted zone id is Z2FDTNDATAQYW2
 * for every distribution ("Amazon CloudFront endpoints and quotas", Route 53 hosted zone ID; Route 53 API
 * Reference, AliasTarget `HostedZoneId`: "Specify Z2FDTNDATAQYW2"); an alias to a distribution cannot
 * evaluate target health (AliasTarget `EvaluateTargetHealth`: "you can't set EvaluateTargetHealth to
 * true when the alias target is a CloudFront distribution").
 *
 * The failover pair moves off the application name, to the failover name (`origin.<application name>`,
 * components/edge/distribution.ts): a name cannot hold both a simple alias and failover records of one
 * type (Route 53 Developer Guide, "Choosing a routing policy"; the API refuses the change batch).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** CloudFront's hosted zone id for alias records. */
export const CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2";

export interface EdgeRecordsArgs {
  hostedZoneId: pulumi.Input<string>;
  /** The application name, e.g. `app.example.com`. */
  applicationName: string;
  /** The distribution's domain name, e.g. `d111111abcdef8.cloudfront.net`. */
  distributionDomainName: pulumi.Input<string>;
}

/** Creates the A and AAAA aliases under `opts`; returns them. */
export function edgeRecords(name: string, args: EdgeRecordsArgs, opts: pulumi.CustomResourceOptions): aws.route53.Record[] {
  return (["A", "AAAA"] as const).map(
    (type) =>
      new aws.route53.Record(
        `${name}-${type.toLowerCase()}`,
        {
          zoneId: args.hostedZoneId,
          name: args.applicationName,
          type,
          aliases: [{ name: args.distributionDomainName, zoneId: CLOUDFRONT_HOSTED_ZONE_ID, evaluateTargetHealth: false }],
        },
        opts,
      ),
  );
}
