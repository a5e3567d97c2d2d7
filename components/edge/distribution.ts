/**
 * The distribution's settings as a pure function of the pair ({@link distributionArgs}), so tests and
 * the policy pack read the same shape the program deploys.
 *
 * Two origins and one origin group:
 * - `primary`: the FAILOVER NAME (`origin.<application name>`, the Route 53 failover pair: PRIMARY ->
 *   primary ALB, SECONDARY -> DR ALB, components/failoverRouting.ts). It follows Route 53's health checks
 *   and the fence, with no distribution change;
 * - `dr`: the DR ALB's own DNS name;
 * - `pair`: the origin group, primary then dr, failing over on 500, 502, 503 and 504 and on connection
 *   failures (CloudFront Developer Guide, "Optimize high availability with CloudFront origin failover";
 *   "Request and response behavior for origin groups").
 * Reads (the default behavior: GET, HEAD, OPTIONS) go to the origin group and fail over per request.
 * Writes (`writePaths`, every method) go to `primary` alone: CloudFront does not fail POST, PUT and the
 * like over ("only when the HTTP method of the viewer request is GET, HEAD, or OPTIONS", same page), and a
 * behavior with an origin group may not allow them; so a write follows Route 53 and the fence, which send
 * it to the writable region only.
 *
 * Every request keeps the viewer's Host (the managed origin request policy AllViewer), so CloudFront
 * checks each ALB's certificate against the application name, which both certificates already cover (the
 * DR region's probe checks the same: components/primaryEndpointProbe.ts); nothing is cached (the managed
 * cache policy CachingDisabled): the app is dynamic and both regions must serve the same answer.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { type CloudFrontConfig, ORIGIN_VERIFY_HEADER } from "../../config/edge";

/** The status codes the origin group fails over on (the issue's; CloudFront accepts 400, 403, 404, 416, 500, 502, 503, 504: OriginGroupFailoverCriteria `StatusCodes`). */
export const FAILOVER_STATUS_CODES = [500, 502, 503, 504] as const;

/** The methods origin failover serves (CloudFront Developer Guide, "Request and response behavior for origin groups"). */
export const READ_METHODS = ["GET", "HEAD", "OPTIONS"] as const;
/** Every method CloudFront forwards (CloudFront API Reference, AllowedMethods: 2, 3 or 7 of them). */
export const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"] as const;
/** Cached methods: GET and HEAD (nothing is cached anyway: CachingDisabled). */
export const CACHED_METHODS = ["GET", "HEAD"] as const;

/**
 * AWS-managed policies, by id (CloudFront Developer Guide, "Use managed cache policies": CachingDisabled
 * 4135ea2d-6df8-44a3-9df3-4b5a84be39ad; "Use managed origin request policies": AllViewer
 * 216adef6-5c7f-47e4-b989-5492eafa07d3, every header, cookie and query string of the viewer, Host included).
 * Constants, not lookups: the DR stack makes no invoke in us-east-1 (the outage mode, DESIGN.md).
 */
export const MANAGED_POLICY_IDS = { cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", allViewer: "216adef6-5c7f-47e4-b989-5492eafa07d3" } as const;

/** Origin ids of the distribution. */
export const ORIGIN_IDS = { primary: "primary", dr: "dr", group: "pair" } as const;

/**
 * How CloudFront reaches an origin: HTTPS only on 443 with TLS 1.2; one attempt of up to 5 s to connect
 * before failing over, then the 30 s default read timeout. CloudFront tries an origin 1-3 times, 1-10 s
 * each (Amazon CloudFront endpoints and quotas, "Connection attempts per origin", "Connection timeout per
 * origin"); with origin failover it moves to the secondary after the attempts fail (CloudFront Developer
 * Guide, "Control origin timeouts and attempts": lower values fail over sooner). 2 x 5 s = 10 s at most
 * before a read reaches the DR region, instead of the default 3 x 10 s.
 */
export const ORIGIN_CONNECTION = { attempts: 2, timeoutSeconds: 5, readTimeoutSeconds: 30, keepaliveSeconds: 5 } as const;

/** The viewer side: redirect HTTP to HTTPS, SNI, TLS 1.2 or later (CloudFront Developer Guide, "Supported protocols and ciphers between viewers and CloudFront"). */
export const VIEWER_TLS = { viewerProtocolPolicy: "redirect-to-https", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" } as const;

export interface DistributionInputs {
  /** The application name viewers use, e.g. `app.example.com`: the distribution's alias. */
  applicationName: string;
  /** The failover name the primary origin resolves, e.g. `origin.app.example.com`. */
  failoverOriginName: string;
  /** The DR ALB's DNS name. */
  drAlbDnsName: pulumi.Input<string>;
  /** The origin-verify secret both origins send in ORIGIN_VERIFY_HEADER. */
  originVerifySecret: pulumi.Input<string>;
  /** The validated ACM certificate of us-east-1 covering the application name. */
  certificateArn: pulumi.Input<string>;
  /** The WAF web ACL's ARN (scope CLOUDFRONT); unset, none. */
  webAclArn?: pulumi.Input<string>;
  cloudFront: Pick<CloudFrontConfig, "priceClass" | "writePaths">;
}

/** A custom origin of the distribution, HTTPS only, with the secret header. */
function origin(originId: string, domainName: pulumi.Input<string>, secret: pulumi.Input<string>): aws.types.input.cloudfront.DistributionOrigin {
  return {
    originId,
    domainName,
    connectionAttempts: ORIGIN_CONNECTION.attempts,
    connectionTimeout: ORIGIN_CONNECTION.timeoutSeconds,
    customHeaders: [{ name: ORIGIN_VERIFY_HEADER, value: secret }],
    customOriginConfig: {
      httpPort: 80,
      httpsPort: 443,
      originProtocolPolicy: "https-only",
      originSslProtocols: ["TLSv1.2"],
      originReadTimeout: ORIGIN_CONNECTION.readTimeoutSeconds,
      originKeepaliveTimeout: ORIGIN_CONNECTION.keepaliveSeconds,
    },
  };
}

/** What every behavior shares: nothing cached, the viewer's request forwarded whole, HTTPS to viewers. */
const behaviorCommon = {
  cachePolicyId: MANAGED_POLICY_IDS.cachingDisabled,
  originRequestPolicyId: MANAGED_POLICY_IDS.allViewer,
  viewerProtocolPolicy: VIEWER_TLS.viewerProtocolPolicy,
  cachedMethods: [...CACHED_METHODS],
  compress: true,
};

/**
 * The distribution's arguments.
 * @returns aws.cloudfront.DistributionArgs: two origins, the origin group, the read-only default
 *   behavior on the group, one all-methods behavior per write path on the primary origin, the alias,
 *   the certificate, the price class and the web ACL.
 */
export function distributionArgs(inputs: DistributionInputs): aws.cloudfront.DistributionArgs {
  return {
    enabled: true,
    isIpv6Enabled: true,
    httpVersion: "http2and3",
    comment: `${inputs.applicationName}: reads fail over per request, writes follow Route 53 (${inputs.failoverOriginName})`,
    aliases: [inputs.applicationName],
    priceClass: inputs.cloudFront.priceClass,
    origins: [
      origin(ORIGIN_IDS.primary, inputs.failoverOriginName, inputs.originVerifySecret),
      origin(ORIGIN_IDS.dr, inputs.drAlbDnsName, inputs.originVerifySecret),
    ],
    originGroups: [
      {
        originId: ORIGIN_IDS.group,
        failoverCriteria: { statusCodes: [...FAILOVER_STATUS_CODES] },
        members: [{ originId: ORIGIN_IDS.primary }, { originId: ORIGIN_IDS.dr }],
      },
    ],
    defaultCacheBehavior: { ...behaviorCommon, targetOriginId: ORIGIN_IDS.group, allowedMethods: [...READ_METHODS] },
    orderedCacheBehaviors: inputs.cloudFront.writePaths.map((pathPattern) => ({
      ...behaviorCommon,
      pathPattern,
      targetOriginId: ORIGIN_IDS.primary,
      allowedMethods: [...ALL_METHODS],
    })),
    viewerCertificate: {
      acmCertificateArn: inputs.certificateArn,
      sslSupportMethod: VIEWER_TLS.sslSupportMethod,
      minimumProtocolVersion: VIEWER_TLS.minimumProtocolVersion,
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    ...(inputs.webAclArn !== undefined ? { webAclId: inputs.webAclArn } : {}),
  };
}

/** The failover name of the primary origin: `origin.` before the application name (same zone, no certificate needed for it: the viewer's Host is forwarded). */
export function failoverOriginNameOf(applicationName: string): string {
  return `origin.${applicationName}`;
}
