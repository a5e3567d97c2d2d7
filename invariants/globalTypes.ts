/**
 * Resource types with no region, shared by DR invariant 8 (`regionIsolation.ts`) and the pack's
 * `dr-region-isolation` policy so both skip the same resources: IAM and Route 53 (global services whose
 * control planes live in us-east-1 and whose ARNs carry no region: `arn:aws:iam::<account>:role/...`,
 * `arn:aws:route53:::hostedzone/...`), and CloudFront (a distribution's ARN is
 * `arn:aws:cloudfront::<account>:distribution/<id>`; Service Authorization Reference, "Actions, resources,
 * and condition keys for Amazon CloudFront"). A CloudFront distribution names its certificate and web ACL
 * in us-east-1 by design (CloudFront Developer Guide, "Requirements for using SSL/TLS certificates with
 * CloudFront"; AWS WAF Developer Guide: a web ACL for CloudFront has scope CLOUDFRONT, managed in
 * us-east-1): those are no run-time dependency of a region. Pure.
 */

/** Type-token prefixes of global resource types (Pulumi `aws:<module>/...`). */
export const GLOBAL_TYPE_PREFIXES = ["aws:iam/", "aws:route53/", "aws:cloudfront/"] as const;

/** True when resources of `type` have no region (GLOBAL_TYPE_PREFIXES). */
export function isGlobalType(type: string): boolean {
  return GLOBAL_TYPE_PREFIXES.some((prefix) => type.startsWith(prefix));
}
