// The app tier behind the edge: the ALB takes HTTPS from CloudFront's prefix list only, through its own
// security group, forwards only requests with the origin-verify secret, and keeps /health on port 80 for
// Route 53 and the DR region's probe. Without the edge, nothing changes.
import { expect } from "chai";
import { AppTier, type AppTierArgs } from "../../components/appTier";
import { HEALTH_LISTENER, ORIGIN_VERIFY_HEADER } from "../../components/edge/originAccess";
import { type StackPlan } from "../../synth/recordStack";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import { edgePolicies } from "../../policy/policies/edge";
import { CERTIFICATE, oneOf, ofType, planEdge, smallTierArgs, TYPES } from "./planEdge";

const PREFIX_LIST = "pl-4fa04526";
const SECRET = "s3cr3tvalue0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefg";

const tierArgs = smallTierArgs;

function build(args: AppTierArgs): Promise<StackPlan> {
  return planEdge("eu-west-1", (opts) => {
    const tier = new AppTier("dr-app", args, opts);
    return {
      healthCheckProtocol: tier.healthCheckProtocol,
      healthCheckPort: tier.healthCheckPort,
      listenerPort: tier.listenerPort,
      edgeSecurityGroupId: tier.edgeSecurityGroupId,
      albSecurityGroupId: tier.albSecurityGroupId,
    };
  });
}

/** Every ingress rule, as port -> source. */
const ingressOf = (plan: StackPlan) =>
  ofType(plan, TYPES.ingress).map((rule) => ({
    name: rule.name,
    port: rule.inputs.fromPort,
    cidr: rule.inputs.cidrIpv4,
    prefixList: rule.inputs.prefixListId,
    group: rule.inputs.securityGroupId,
  }));

describe("AppTier behind the edge", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await build(tierArgs({ certificateArn: CERTIFICATE, edge: { prefixListId: PREFIX_LIST, originVerifySecret: SECRET } }));
  });

  it("opens 443 to CloudFront's origin-facing prefix list only, in a security group of its own, and only 80 to the internet", () => {
    const rules = ingressOf(plan).filter((rule) => rule.name.includes("-alb-"));
    expect(rules.filter((rule) => rule.cidr === "0.0.0.0/0").map((rule) => rule.port)).to.deep.equal([HEALTH_LISTENER.port]);
    const edgeRules = rules.filter((rule) => rule.prefixList !== undefined);
    expect(edgeRules).to.have.length(1);
    expect(edgeRules[0]).to.deep.include({ port: 443, prefixList: PREFIX_LIST, group: plan.outputs.edgeSecurityGroupId });
    // The prefix list weighs 55 of a group's 60 inbound rules: nothing else in its group.
    expect(ingressOf(plan).filter((rule) => rule.group === plan.outputs.edgeSecurityGroupId)).to.have.length(1);
  });

  it("attaches both security groups to the ALB", () => {
    expect(oneOf(plan, TYPES.loadBalancer).inputs.securityGroups).to.deep.equal([plan.outputs.albSecurityGroupId, plan.outputs.edgeSecurityGroupId]);
  });

  it("refuses by default on 443 and forwards only with the secret header", () => {
    const https = oneOf(plan, TYPES.listener, "-https");
    expect(https.inputs.defaultActions).to.deep.equal([
      { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "" } },
    ]);
    const rule = oneOf(plan, TYPES.listenerRule, "-origin-verify");
    expect(rule.inputs.listenerArn).to.equal(https.outputs.arn);
    expect(rule.inputs.conditions).to.deep.equal([{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [SECRET] } }]);
    expect((rule.inputs.actions as { type: string }[])[0].type).to.equal("forward");
  });

  it("serves the health path alone on 80 (GET and HEAD), 404 otherwise, no redirect", () => {
    const http = oneOf(plan, TYPES.listener, "-http");
    expect(http.inputs).to.deep.include({ port: 80, protocol: "HTTP" });
    expect(http.inputs.defaultActions).to.deep.equal([
      { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "" } },
    ]);
    const rule = oneOf(plan, TYPES.listenerRule, "-health-path");
    expect(rule.inputs.listenerArn).to.equal(http.outputs.arn);
    expect(rule.inputs.conditions).to.deep.equal([{ pathPattern: { values: ["/health"] } }, { httpRequestMethod: { values: ["GET", "HEAD"] } }]);
  });

  it("passes the edge policies and the pack's network policies as built", async () => {
    const network = ALL_POLICIES.filter((policy) =>
      ["only-web-ports-from-internet", "internet-ingress-only-on-load-balancers", "no-admin-ports-from-internet"].includes(policy.name),
    );
    expect(network).to.have.length(3);
    const report = await evaluatePolicies(plan, {}, [...edgePolicies, ...network]);
    expect(report.violations.map((violation) => violation.message)).to.deep.equal([]);
  });

  it("tells Route 53 and the probe to check HTTP on 80", () => {
    expect(plan.outputs).to.deep.include({ healthCheckProtocol: "HTTP", healthCheckPort: 80, listenerPort: 443 });
  });
});

describe("AppTier without the edge", () => {
  it("keeps 80 and 443 open to the internet, forwards on 443, redirects 80, and checks health on 443", async () => {
    const plan = await build(tierArgs({ certificateArn: CERTIFICATE }));
    const open = ingressOf(plan).filter((rule) => rule.cidr === "0.0.0.0/0");
    expect(open.map((rule) => rule.port).sort()).to.deep.equal([443, 80]);
    expect(ofType(plan, TYPES.listenerRule)).to.deep.equal([]);
    expect(ingressOf(plan).some((rule) => rule.prefixList !== undefined)).to.equal(false);
    expect((oneOf(plan, TYPES.listener, "-https").inputs.defaultActions as { type: string }[])[0].type).to.equal("forward");
    expect((oneOf(plan, TYPES.listener, "-http").inputs.defaultActions as { type: string }[])[0].type).to.equal("redirect");
    expect(plan.outputs).to.deep.include({ healthCheckProtocol: "HTTPS", healthCheckPort: 443 });
    expect(oneOf(plan, TYPES.loadBalancer).inputs.securityGroups).to.deep.equal([plan.outputs.albSecurityGroupId]);
  });

  it("is refused behind the edge without a certificate: CloudFront reaches the ALB over HTTPS only", async () => {
    let caught: unknown;
    try {
      await build(tierArgs({ edge: { prefixListId: PREFIX_LIST, originVerifySecret: SECRET } }));
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(Error);
    expect(String((caught as Error).message)).to.match(/edge needs certificateArn/);
  });
});
