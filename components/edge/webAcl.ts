/**
 * The optional AWS WAF web ACL of the distribution (`edge.cloudFront.waf`): scope CLOUDFRONT, which
 * AWS WAF keeps in us-east-1 ("For CLOUDFRONT, you must create your WAFv2 resources in the US East (N.
 * Virginia) Region", AWS WAF API Reference, CreateWebACL `Scope`), default action allow, and three AWS
 * managed rule groups in their own actions (AWS WAF Developer Guide, "AWS Managed Rules rule groups
 * list"): the core rule set (AWSManagedRulesCommonRuleSet, 700 WCU), known bad inputs
 * (AWSManagedRulesKnownBadInputsRuleSet, 200 WCU) and the Amazon IP reputation list
 * (AWSManagedRulesAmazonIpReputationList, 25 WCU); plus, unless 0, a rate-based rule blocking one IP
 * above `rateLimitPer5Minutes` (2 WCU). 927 WCU, under the 1,500 a web ACL includes in its base price
 * (AWS WAF pricing). None of these groups is a paid one (Bot Control, fraud control).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_CERTIFICATE_REGION } from "./certificate";

/** The AWS managed rule groups, in evaluation order. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] as const;

export interface EdgeWebAclArgs {
  /** Name of the web ACL and prefix of its metrics: 1-128 letters, digits, `-` and `_` (CreateWebACL `Name`). */
  name: string;
  /** Requests per IP per 5 minutes before a block; 0 for no rate-based rule (else 10-2,000,000,000). */
  rateLimitPer5Minutes: number;
}

/** CloudWatch metrics and sampled requests on, for every rule and the ACL. */
const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * Builds the web ACL in us-east-1 under `opts`.
 * @returns its ARN, which a distribution takes as `webAclId` (WAFv2: the ARN, CloudFront API Reference, DistributionConfig `WebACLId`).
 * @throws RangeError on a name AWS WAF refuses or a rate limit outside its range.
 */
export function edgeWebAcl(name: string, args: EdgeWebAclArgs, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  if (!/^[\w-]{1,128}$/.test(args.name))
    throw new RangeError(`edgeWebAcl ${name}: name must be 1-128 letters, digits, - and _, got ${JSON.stringify(args.name)}`);
  const limit = args.rateLimitPer5Minutes;
  if (!Number.isInteger(limit) || (limit !== 0 && (limit < 10 || limit > 2_000_000_000)))
    throw new RangeError(`edgeWebAcl ${name}: rateLimitPer5Minutes must be 0 or 10-2000000000, got ${limit}`);
  const managed = MANAGED_RULE_GROUPS.map((group, index) => ({
    name: group,
    priority: index,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
    visibilityConfig: visibility(`${args.name}-${group}`),
  }));
  const rateLimit =
    limit === 0
      ? []
      : [
          {
            name: "rate-limit-per-ip",
            priority: MANAGED_RULE_GROUPS.length,
            action: { block: {} },
            statement: { rateBasedStatement: { limit, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
            visibilityConfig: visibility(`${args.name}-rate-limit`),
          },
        ];
  const acl = new aws.wafv2.WebAcl(
    name,
    {
      name: args.name,
      scope: "CLOUDFRONT",
      region: CLOUDFRONT_CERTIFICATE_REGION,
      description: "CloudFront in front of the DR pair: AWS managed rules and a per-IP rate limit",
      defaultAction: { allow: {} },
      rules: [...managed, ...rateLimit],
      visibilityConfig: visibility(args.name),
    },
    opts,
  );
  return acl.arn;
}
