/**
 * How a load balancer behind the edge tells CloudFront's requests from everyone else's: two locks,
 * both needed (CloudFront Developer Guide, "Restrict access to Application Load Balancers"):
 * - the network: its app listener's port accepts only CloudFront's origin-facing servers, the AWS-managed
 *   prefix list `com.amazonaws.global.cloudfront.origin-facing` ("allow inbound traffic to your origin
 *   only from CloudFront's origin-facing servers", CloudFront Developer Guide, "Locations and IP address
 *   ranges of CloudFront edge servers");
 * - the distribution: any CloudFront distribution, any account, comes from those addresses, so the
 *   listener forwards only requests carrying a secret header that only this distribution adds (an origin
 *   custom header), and answers 403 to the rest.
 *
 * What must still reach the ALBs directly, without the header: Route 53's health checks of the failover
 * pair and the DR region's probe of the primary (components/primaryEndpointProbe.ts, a Lambda function
 * outside any VPC: its source addresses are not in any prefix list). They get the health path alone on
 * a listener of its own, {@link HEALTH_LISTENER}, open to the internet; the ALB's target health checks
 * go from the ALB to the instances and the monitoring cluster scrapes the instances, neither through a
 * listener, so neither changes.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { ORIGIN_VERIFY_HEADER } from "../../config/edge";

/** Name of CloudFront's origin-facing IPv4 prefix list (VPC User Guide, "AWS-managed prefix lists"). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

/**
 * The prefix list's weight against a security group's rules: 55 (VPC User Guide, "AWS-managed prefix
 * lists", table of weights: a reference counts as that many rules) out of 60 inbound rules per security
 * group by default (VPC User Guide, "Amazon VPC quotas", "Inbound or outbound rules per security group").
 * So the reference gets a security group of its own, one rule on one port, never beside other rules.
 */
export const CLOUDFRONT_PREFIX_LIST_WEIGHT = 55;

/** Default inbound rules per security group (VPC User Guide, "Amazon VPC quotas"). */
export const SECURITY_GROUP_INBOUND_RULES_QUOTA = 60;

/** The header carrying the origin-verify secret (config/edge.ts). */
export { ORIGIN_VERIFY_HEADER };

/**
 * The health listener of an ALB behind the edge: HTTP on 80, forwarding the app's health path only (GET
 * and HEAD), everything else 404. Route 53's health checks and the DR region's probe target it instead of
 * the app listener. Port 80 because the pack lets only 80 and 443 be open to the internet
 * (policy/policies/network.ts, `only-web-ports-from-internet`), and 443 is CloudFront's. Plain HTTP:
 * `/health` carries no secret and answers the region and role only (app/server.py); the checks judge
 * the status code (Route 53 Developer Guide, "How Amazon Route 53 determines whether a health check is
 * healthy"), which the same target group answers on either listener.
 */
export const HEALTH_LISTENER = { protocol: "HTTP", port: 80 } as const;

/** What an ALB behind the edge needs: the prefix list of its region and the secret. */
export interface CloudFrontOriginAccess {
  /** Id of the origin-facing prefix list in the ALB's region, e.g. `pl-3b927c52` ({@link cloudFrontPrefixListId}). */
  prefixListId: pulumi.Input<string>;
  /** The origin-verify secret: the value of {@link ORIGIN_VERIFY_HEADER} the listener forwards on (a Pulumi secret). */
  originVerifySecret: pulumi.Input<string>;
}

/**
 * The health listener alone, without the edge (`edge.cloudFront.healthListener`, config/edge.ts): port 80
 * forwards the health path and redirects the rest to HTTPS, 443 stays open, and the checks move to 80.
 */
export interface HealthListenerOnly {
  healthListenerOnly: true;
}

/** An ALB's part in the edge: behind it ({@link CloudFrontOriginAccess}), or only its health listener ({@link HealthListenerOnly}). */
export type EdgeOriginAccess = CloudFrontOriginAccess | HealthListenerOnly;

/** The CloudFront lock of `access`, or undefined when the ALB only serves the health listener (or no edge at all). */
export function cloudFrontLock(access: EdgeOriginAccess | undefined): CloudFrontOriginAccess | undefined {
  return access !== undefined && "prefixListId" in access ? access : undefined;
}

/**
 * The id of CloudFront's origin-facing prefix list as the region of `provider` names it (an AWS-managed
 * prefix list has an id per region: VPC User Guide, "Use an AWS-managed prefix list"; EC2
 * DescribeManagedPrefixLists by `prefix-list-name`). An invoke at every preview in that region.
 */
export function cloudFrontPrefixListId(provider: aws.Provider): pulumi.Output<string> {
  return aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }, { provider }).apply((list) => list.id);
}
