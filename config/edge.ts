/**
 * `edge.cloudFront`: a CloudFront distribution in front of the pair (issue 22, item 1), as a zod
 * fragment the stack schema adds under the key `edge` of the PRIMARY's stack file.
 *
 * Which stack file carries it, and why: the primary's. Both load balancers follow it (each accepts
 * only CloudFront once it is on, through an origin-verify secret the primary generates), and the DR
 * stack, which owns the distribution (docs/edge.md, "Who owns the distribution"), reads it from the
 * primary's outputs, as it reads the app's definition: one source, so the two ALBs and the
 * distribution can never disagree. The primary cannot read the DR stack (the DR stack reads the
 * primary), so a setting kept in the DR stack's file could not lock the primary's ALB.
 *
 * Cross-field rules (a listener with a certificate on each side) are {@link edgeProblems} and
 * {@link drEdgeProblems}, run with the stack's other cross-field checks (config/load.ts), so a bad
 * setting is a ConfigError naming the key before any resource exists.
 */
import { z } from "zod";
import { type ConfigProblem } from "./errors";
import { PROJECT_NAME } from "./conventions";

/**
 * The header CloudFront adds to every request to either origin, carrying the origin-verify secret
 * (components/edge/originAccess.ts). An `X-` name CloudFront lets a distribution add (not one of the
 * headers it refuses as custom origin headers: CloudFront Developer Guide, "Custom headers that
 * CloudFront can't add to origin requests"). Pure data here, so the policy pack reads it without the provider.
 */
export const ORIGIN_VERIFY_HEADER = "X-Origin-Verify";

/**
 * The one region CloudFront reads ACM certificates from ("To use an ACM certificate with CloudFront,
 * make sure you request (or import) the certificate in the US East (N. Virginia) Region", CloudFront
 * Developer Guide, "Requirements for using SSL/TLS certificates with CloudFront"); also where AWS WAF
 * keeps web ACLs of scope CLOUDFRONT and where CloudFront's control plane is.
 */
export const CLOUDFRONT_CERTIFICATE_REGION = "us-east-1";

/** Price classes of a distribution (CloudFront API Reference, DistributionConfig `PriceClass`). */
export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;

/**
 * The demo app's one write path (app/server.py: `POST /write`). Writes must go to the origin that
 * follows the Route 53 failover, not to the origin group: CloudFront fails over "only when the HTTP
 * method of the viewer request is GET, HEAD, or OPTIONS" (CloudFront Developer Guide, "Request and
 * response behavior for origin groups"), and a cache behavior that targets an origin group may not
 * allow POST, PUT, PATCH or DELETE (the API's InvalidArgument "Origin groups cannot include POST,
 * PUT, PATCH, or DELETE for a cached behavior").
 */
export const DEMO_WRITE_PATHS = ["/write"] as const;

/**
 * CloudFront's cache behaviors per distribution: 75 by default (Amazon CloudFront endpoints and
 * quotas, "Cache behaviors per distribution"); the program keeps its write paths well under it.
 */
export const MAX_WRITE_PATHS = 20;

/**
 * A cache behavior's path pattern: 1-255 characters of `A-Z a-z 0-9 _ - . * $ / ~ " ' @ : +`, `&`
 * as `&amp;` (CloudFront Developer Guide, "Path pattern"); this program also wants the leading `/`
 * of a path (a pattern without it matches the same, but reads like a relative path).
 */
const PATH_PATTERN = /^\/[A-Za-z0-9_\-.*$/~"'@:+]{0,254}$/;

const wafSchema = z
  .strictObject({
    /** AWS WAF web ACL (scope CLOUDFRONT, us-east-1) on the distribution. Default false. */
    enabled: z.boolean({ error: "must be true or false" }).default(false),
    /**
     * Requests one client IP may send in any 5-minute window before WAF blocks it (a rate-based
     * rule; AWS WAF Developer Guide, "Rate-based rule statement": a limit of 10 to 2,000,000,000).
     * Default 2000. Set 0 for no rate-based rule.
     */
    rateLimitPer5Minutes: z
      .number({ error: "must be a whole number of requests" })
      .int({ error: "must be a whole number of requests" })
      .refine((limit) => limit === 0 || (limit >= 10 && limit <= 2_000_000_000), {
        error: "must be 0 (no rate-based rule) or 10 to 2000000000 requests per 5 minutes (AWS WAF's limits)",
      })
      .default(2000),
  })
  .prefault({});

/** `edge.cloudFront` alone: the primary's output `edge` (config/primaryContract.ts) has this shape. */
export const cloudFrontSchema = z
  .strictObject({
    /**
     * Put a CloudFront distribution in front of the pair. Default false. On: both ALBs take the app's
     * traffic only from CloudFront (its origin-facing prefix list and a secret header), and the
     * application name becomes an alias of the distribution. Needs `app.certificateArn` in both stack
     * files (CloudFront reaches the ALBs over HTTPS).
     */
    enabled: z.boolean({ error: "must be true or false" }).default(false),
    /** Edge locations served: PriceClass_100 (default, cheapest: North America, Europe, Israel), PriceClass_200 or PriceClass_All. */
    priceClass: z.enum(PRICE_CLASSES, { error: `must be one of ${PRICE_CLASSES.join(", ")}` }).default("PriceClass_100"),
    /**
     * Path patterns of the app's writes (POST, PUT, PATCH, DELETE): each gets a cache behavior sending
     * every method to the origin that follows the Route 53 failover; every other path is read-only
     * through the origin group (GET, HEAD, OPTIONS), which fails over per request. Default `/write`,
     * the demo's. At most 20.
     */
    writePaths: z
      .array(
        z.string().regex(PATH_PATTERN, {
          error: "must be a CloudFront path pattern starting with /, such as /api/*: letters, digits and _ - . * $ / ~ \" ' @ : + (at most 255)",
        }),
      )
      .max(MAX_WRITE_PATHS, { error: `at most ${MAX_WRITE_PATHS} path patterns` })
      .refine((paths) => new Set(paths).size === paths.length, { error: "must not repeat a path pattern" })
      .default([...DEMO_WRITE_PATHS]),
    /**
     * Version of the origin-verify secret: change it (e.g. 1 -> 2) to rotate the secret; both stacks
     * must then be deployed, the primary first (docs/edge.md, "Rotating the secret"). Default 1.
     */
    originSecretVersion: z
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(1, { error: "must be at least 1" })
      .max(1_000_000, { error: "must be at most 1000000" })
      .default(1),
    /** AWS WAF on the distribution. */
    waf: wafSchema,
    /**
     * Serve the health path on each ALB's port 80 (the health listener, components/edge/originAccess.ts)
     * and point Route 53's health checks and the DR region's probe there, WITHOUT the edge: port 443 stays
     * open to the internet and forwards everything, and port 80 still redirects every other request to
     * HTTPS. The first step of turning the edge on for a live pair, and the step that keeps the checks
     * working while turning it off (docs/edge.md): the checks must already target port 80 when an ALB
     * closes 443 to all but CloudFront, or the primary looks down and Route 53 fails over. Implied by
     * `enabled: true`. Needs `app.certificateArn` (without HTTPS the checks are on port 80 already).
     * Default false.
     */
    healthListener: z.boolean({ error: "must be true or false" }).default(false),
    /**
     * With a us-east-1 primary the DR stack deploys the edge with `retainOnDelete`, so that the outage mode
     * (`outage.primaryRegionDown`) can drop it from the program without a call to us-east-1's control
     * planes (stacks/edge.ts `buildEdge`). Retained resources are never deleted by Pulumi, turning the
     * edge off included, so before turning it off set this false and deploy both stacks once (the edge
     * stays, only its retainOnDelete goes); an outage in that window cannot drop the edge, so keep it
     * short. No effect with a primary in another region (nothing is retained). Default true.
     */
    retainInOutage: z.boolean({ error: "must be true or false" }).default(true),
  })
  .prefault({})
  .superRefine((cloudFront, context) => {
    if (cloudFront.waf.enabled && !cloudFront.enabled) {
      context.addIssue({
        code: "custom",
        path: ["waf", "enabled"],
        input: true,
        message: "protects the CloudFront distribution, which is off; set edge.cloudFront.enabled: true, or remove waf.enabled",
      });
    }
  });

/**
 * The fragment: `edge: { cloudFront: {...} }` in the primary's stack file (the key `edge`). Defaults:
 * everything off.
 */
export const edgeSchema = z.strictObject({ cloudFront: cloudFrontSchema }).prefault({});

export type EdgeConfig = z.output<typeof edgeSchema>;
export type CloudFrontConfig = EdgeConfig["cloudFront"];

/**
 * The primary's cross-field rule: CloudFront reaches the ALBs over HTTPS only (the origin-verify
 * secret travels in a header and must not cross the internet in clear), so the edge needs the ALB's
 * HTTPS listener, which `app.certificateArn` turns on.
 * @returns one problem naming `app.certificateArn`, or none.
 */
export function edgeProblems(edge: EdgeConfig, app: { certificateArn?: string | undefined }): ConfigProblem[] {
  if (app.certificateArn !== undefined) return [];
  if (!edge.cloudFront.enabled && edge.cloudFront.healthListener) {
    return [
      {
        key: `${PROJECT_NAME}:edge.cloudFront.healthListener`,
        value: true,
        message:
          "moves Route 53's checks from the HTTPS listener to a health listener on port 80, but this ALB has no HTTPS listener (no app.certificateArn): " +
          "its checks are on port 80 already; remove it, or set app.certificateArn",
      },
    ];
  }
  if (!edge.cloudFront.enabled) return [];
  return [
    {
      key: `${PROJECT_NAME}:app.certificateArn`,
      value: undefined,
      message:
        "is required with edge.cloudFront.enabled: CloudFront reaches the load balancer over HTTPS only (its secret header must not travel in clear); " +
        "set an ACM certificate ARN of this region covering the application name, or turn the edge off",
    },
  ];
}

/**
 * The DR stack's rule against the primary's edge (read from the primary's outputs): the DR ALB is the
 * distribution's second origin, so it needs its own HTTPS listener too.
 * @returns one problem naming the DR stack's `app.certificateArn`, or none.
 */
export function drEdgeProblems(
  primaryEdge: Pick<CloudFrontConfig, "enabled"> & Partial<Pick<CloudFrontConfig, "healthListener">>,
  app: { certificateArn?: string | undefined },
): ConfigProblem[] {
  if (app.certificateArn !== undefined) return [];
  if (!primaryEdge.enabled && primaryEdge.healthListener === true) {
    return [
      {
        key: `${PROJECT_NAME}:app.certificateArn`,
        value: undefined,
        message:
          "is required in the DR stack's file while the primary has edge.cloudFront.healthListener: the DR ALB's checks move to a health listener on port 80 " +
          "beside its HTTPS listener; set an ACM certificate ARN of the DR region covering the application name",
      },
    ];
  }
  if (!primaryEdge.enabled) return [];
  return [
    {
      key: `${PROJECT_NAME}:app.certificateArn`,
      value: undefined,
      message:
        "is required in the DR stack's file while the primary has edge.cloudFront.enabled: the DR load balancer is the distribution's second origin, " +
        "reached over HTTPS only; set an ACM certificate ARN of the DR region covering the application name",
    },
  ];
}
