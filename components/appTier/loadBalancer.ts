/**
 * The app tier's internet-facing ALB (access logs, invalid headers dropped, defensive desync
 * mitigation), its target group checking the app's health path, and its listeners: HTTPS on 443
 * with the redirect from 80 when a certificate is set, else HTTP on 80.
 *
 * Behind the edge (`originVerifySecret`, components/edge/originAccess.ts) the HTTPS listener answers
 * 403 by default and forwards only requests whose ORIGIN_VERIFY_HEADER carries the secret (a listener
 * rule's `http-header` condition: Elastic Load Balancing User Guide, "Listener rules for your
 * Application Load Balancer", HTTP header conditions; CloudFront Developer Guide, "Restrict access to
 * Application Load Balancers"), and 80 is the health listener (HEALTH_LISTENER): GET and HEAD of the
 * health path forwarded, anything else 404, no redirect (viewers reach the app through CloudFront).
 * Before the edge (`healthListener` alone, `edge.cloudFront.healthListener`) port 80 gets the same health
 * path rule, under the same logical name, in front of its redirect to HTTPS, so Route 53's checks can
 * move to port 80 before an ALB closes 443 (docs/edge.md, "Turning it on for a live pair").
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { TLS_POLICY } from "../../config/conventions";
import { ROUTE53_HTTP_CHECK } from "../failoverRouting";
import { HEALTH_LISTENER, ORIGIN_VERIFY_HEADER } from "../edge/originAccess";

/**
 * The target group's health check of the app's health path: every 10 s, 2 s to answer with a 200,
 * healthy after 2 successes, unhealthy after 3 failures (ELB accepts an interval of 5-300 s, a
 * timeout of 2-120 s below the interval and 2-10 checks; Elastic Load Balancing User Guide, "Health
 * checks for Application Load Balancer target groups"). A new instance takes traffic 20 s after its
 * app answers; the RTO budget counts it.
 *
 * It agrees with the Route 53 check of the primary (`FailoverRouting`): the same path; a 200, which
 * Route 53 also counts healthy (it takes 200-399); and 2 s to answer, Route 53's own limit
 * (`ROUTE53_HTTP_CHECK`). With the old 5 s, an app answering in 3 s stayed healthy to the ALB while
 * Route 53 failed the region over. An instance the ALB calls unhealthy after 3 x 10 s is replaced
 * (the group's ELB health check). The region moves on Route 53's own check of the health path alone
 * (the PRIMARY alias does not evaluate target health: `FailoverRouting`): when every target fails,
 * the ALB fails open and still routes to them, so only an app that does not answer in time moves it.
 */
export const TARGET_HEALTH_CHECK = {
  intervalSeconds: 10,
  timeoutSeconds: ROUTE53_HTTP_CHECK.statusWithinSeconds,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  matcher: "200",
} as const;

export interface LoadBalancerArgs {
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<string[]>;
  /** The ALB's security groups: the main one, and behind the edge the CloudFront-only one. */
  albSecurityGroupIds: pulumi.Input<string>[];
  accessLogBucketName: pulumi.Input<string>;
  appPort: number;
  /** The app's health path, e.g. `/health`. */
  healthPath: string;
  certificateArn?: string;
  deletionProtection: boolean;
  /** Behind the edge: the origin-verify secret the HTTPS listener forwards on. Needs `certificateArn`. */
  originVerifySecret?: pulumi.Input<string>;
  /**
   * Port 80 forwards GET/HEAD of the health path (the health listener's rule), behind the edge or before it
   * (`edge.cloudFront.healthListener`). Needs `certificateArn`. Default false.
   */
  healthListener?: boolean;
}

/** Listener rule priorities behind the edge (1-50000, lowest first; Elastic Load Balancing User Guide, "Listener rules"). */
export const EDGE_RULE_PRIORITY = { originVerify: 1, healthPath: 1 } as const;

/** What a listener behind the edge answers a request it does not forward: 403 on the app listener, 404 on the health listener. */
const refuse = (statusCode: "403" | "404") => [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode, messageBody: "" } }];

/** Builds the ALB, the target group and the listeners under `parent`. */
export function appLoadBalancer(
  name: string,
  args: LoadBalancerArgs,
  parent: pulumi.Resource,
): { loadBalancer: aws.lb.LoadBalancer; targetGroup: aws.lb.TargetGroup } {
  const child = { parent };
  const alb = new aws.lb.LoadBalancer(
    `${name}-alb`,
    {
      loadBalancerType: "application",
      internal: false,
      subnets: args.publicSubnetIds,
      securityGroups: args.albSecurityGroupIds,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: args.deletionProtection,
      accessLogs: { bucket: args.accessLogBucketName, prefix: "alb", enabled: true },
    },
    child,
  );
  const targetGroup = new aws.lb.TargetGroup(
    `${name}-tg`,
    {
      vpcId: args.vpcId,
      port: args.appPort,
      protocol: "HTTP",
      targetType: "instance",
      deregistrationDelay: 30,
      healthCheck: {
        enabled: true,
        path: args.healthPath,
        protocol: "HTTP",
        port: "traffic-port",
        matcher: TARGET_HEALTH_CHECK.matcher,
        interval: TARGET_HEALTH_CHECK.intervalSeconds,
        timeout: TARGET_HEALTH_CHECK.timeoutSeconds,
        healthyThreshold: TARGET_HEALTH_CHECK.healthyThreshold,
        unhealthyThreshold: TARGET_HEALTH_CHECK.unhealthyThreshold,
      },
    },
    child,
  );
  const https = args.certificateArn !== undefined;
  const behindEdge = args.originVerifySecret !== undefined;
  if (behindEdge && !https)
    throw new RangeError(`appLoadBalancer ${name}: behind the edge the ALB needs a certificate (CloudFront reaches it over HTTPS only)`);
  const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];
  const httpsListener = https
    ? new aws.lb.Listener(
        `${name}-https`,
        {
          loadBalancerArn: alb.arn,
          port: 443,
          protocol: "HTTPS",
          sslPolicy: TLS_POLICY,
          certificateArn: args.certificateArn,
          defaultActions: behindEdge ? refuse("403") : forward,
        },
        child,
      )
    : undefined;
  const httpListener = new aws.lb.Listener(
    `${name}-http`,
    {
      loadBalancerArn: alb.arn,
      port: HEALTH_LISTENER.port,
      protocol: HEALTH_LISTENER.protocol,
      defaultActions: behindEdge
        ? refuse("404")
        : https
          ? [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]
          : forward,
    },
    child,
  );
  if (behindEdge && httpsListener) {
    new aws.lb.ListenerRule(
      `${name}-origin-verify`,
      {
        listenerArn: httpsListener.arn,
        priority: EDGE_RULE_PRIORITY.originVerify,
        conditions: [{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [args.originVerifySecret as pulumi.Input<string>] } }],
        actions: forward,
      },
      child,
    );
  }
  if ((behindEdge || args.healthListener === true) && https) {
    new aws.lb.ListenerRule(
      `${name}-health-path`,
      {
        listenerArn: httpListener.arn,
        priority: EDGE_RULE_PRIORITY.healthPath,
        // An exact path (no wildcard) and the methods a health check uses.
        conditions: [{ pathPattern: { values: [args.healthPath] } }, { httpRequestMethod: { values: ["GET", "HEAD"] } }],
        actions: forward,
      },
      child,
    );
  }
  return { loadBalancer: alb, targetGroup };
}
