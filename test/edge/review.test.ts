// Issue 22 review, the edge: turning it on for a live pair without a false failover (D2: the health
// listener first, `edge.cloudFront.healthListener`) and turning it off without leaving it behind (D4:
// retainOnDelete only while `edge.cloudFront.retainInOutage`), under Pulumi mocks.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { AppTier, type AppTierArgs } from "../../components/appTier";
import { HEALTH_LISTENER } from "../../components/edge/originAccess";
import { edgeProblems, drEdgeProblems, edgeSchema } from "../../config/edge";
import { buildEdge, drEdgeAccess, primaryEdge, type PrimaryEdgeOutputs } from "../../stacks/edge";
import { RetainedInRegion } from "../../stacks/regionalProvider";
import { type StackPlan } from "../../synth/recordStack";
import { CERTIFICATE, ofType, planEdge, smallTierArgs, TYPES, DR_EDGE_ARGS } from "./planEdge";

/** A primary tier in eu-west-1 with its certificate. */
const tierArgs = (overrides: Partial<AppTierArgs> = {}): AppTierArgs =>
  smallTierArgs({
    role: "primary",
    primaryRegion: "eu-west-1",
    imageCopyName: "multi-region-dr-primary-primary-app",
    vpcCidrBlock: "10.0.0.0/16",
    certificateArn: CERTIFICATE,
    ...overrides,
  });

const tier = (args: AppTierArgs): Promise<StackPlan> =>
  planEdge("eu-west-1", (opts) => {
    const app = new AppTier("app", args, opts);
    return { healthCheckProtocol: app.healthCheckProtocol, healthCheckPort: app.healthCheckPort };
  });

const cloudFront = (overrides: Record<string, unknown>) => edgeSchema.parse({ cloudFront: overrides }).cloudFront;

describe("edge review (issue 22)", function () {
  this.timeout(60000);

  describe("D2: the health listener ships before the ALBs close 443", () => {
    it("healthListener without the edge: port 80 serves the health path and redirects the rest, 443 stays open and forwarding, the checks move to 80", async () => {
      const plan = await tier(tierArgs({ edge: { healthListenerOnly: true } }));
      expect(plan.outputs).to.deep.equal({ healthCheckProtocol: HEALTH_LISTENER.protocol, healthCheckPort: HEALTH_LISTENER.port });
      const rules = ofType(plan, TYPES.listenerRule);
      expect(rules.map((rule) => rule.name)).to.deep.equal(["app-health-path"]);
      expect(rules[0].inputs.conditions).to.deep.include({ pathPattern: { values: ["/health"] } });
      const listeners = Object.fromEntries(
        ofType(plan, TYPES.listener).map((listener) => [listener.inputs.port, listener.inputs.defaultActions as { type: string }[]]),
      );
      expect(listeners[443][0].type).to.equal("forward");
      expect(listeners[80][0]).to.deep.include({ type: "redirect" });
      const open = ofType(plan, TYPES.ingress).filter((rule) => rule.inputs.cidrIpv4 === "0.0.0.0/0" && rule.name.includes("-alb-"));
      expect(open.map((rule) => rule.inputs.fromPort).sort()).to.deep.equal([443, 80]);
      expect(ofType(plan, TYPES.ingress).filter((rule) => rule.inputs.prefixListId !== undefined)).to.deep.equal([]);
    });

    it("without it (and without the edge) the checks stay on the app listener and port 80 has no rule", async () => {
      const plan = await tier(tierArgs());
      expect(plan.outputs).to.deep.equal({ healthCheckProtocol: "HTTPS", healthCheckPort: 443 });
      expect(ofType(plan, TYPES.listenerRule)).to.deep.equal([]);
    });

    it("the health-path rule keeps its logical name when the edge follows, so it is never replaced", async () => {
      const locked = await tier(tierArgs({ edge: { prefixListId: "pl-4fa04526", originVerifySecret: "s".repeat(64) } }));
      expect(ofType(locked, TYPES.listenerRule).map((rule) => rule.name)).to.include("app-health-path");
    });

    it("both stacks give their ALB the health listener alone from the primary's healthListener, with no secret", () => {
      const config = edgeSchema.parse({ cloudFront: { healthListener: true } });
      const primary = primaryEdge(config, undefined as never);
      expect(primary.originAccess).to.deep.equal({ healthListenerOnly: true });
      expect(primary.outputs).not.to.have.property("edgeOriginVerifySecret");
      expect(drEdgeAccess({ edge: config.cloudFront }, undefined as never)).to.deep.equal({ healthListenerOnly: true });
      expect(drEdgeAccess({ edge: cloudFront({}) }, undefined as never)).to.equal(undefined);
    });

    it("refuses healthListener without an HTTPS listener, in either stack's file, naming the key", () => {
      const config = edgeSchema.parse({ cloudFront: { healthListener: true } });
      expect(edgeProblems(config, {})).to.have.length(1);
      expect(edgeProblems(config, {})[0]).to.include({ key: "multi-region-dr:edge.cloudFront.healthListener" });
      expect(edgeProblems(config, { certificateArn: CERTIFICATE })).to.deep.equal([]);
      expect(drEdgeProblems(config.cloudFront, {})[0]).to.include({ key: "multi-region-dr:app.certificateArn" });
      expect(drEdgeProblems(config.cloudFront, { certificateArn: CERTIFICATE })).to.deep.equal([]);
    });
  });

  describe("D4: a us-east-1 primary's edge is retained only while retainInOutage", () => {
    const build = (retainInOutage: boolean, retained: RetainedInRegion) =>
      planEdge("us-west-2", (opts) => {
        const primary: PrimaryEdgeOutputs = { edge: cloudFront({ enabled: true, retainInOutage }), edgeOriginVerifySecret: pulumi.secret("secret") };
        buildEdge({
          primary,
          ...DR_EDGE_ARGS,
          retained,
          opts,
        });
      });

    it("defaults to retained (the outage mode drops the edge without a call to us-east-1)", () => {
      expect(cloudFront({ enabled: true }).retainInOutage).to.equal(true);
    });

    it("retainInOutage false: every edge resource is deletable, and none is marked for adoption", async () => {
      const retained = new RetainedInRegion("us-east-1");
      const plan = await build(false, retained);
      const edge = [TYPES.distribution, TYPES.certificate, TYPES.webAcl, TYPES.record].flatMap((type) => ofType(plan, type));
      expect(edge.map((resource) => resource.type)).to.include.members([TYPES.distribution, TYPES.certificate, TYPES.record]);
      for (const resource of edge) expect(resource.retainOnDelete, resource.name).to.equal(false);
      expect(retained.resources).to.deep.equal([]);
    });

    it("retainInOutage true: the same resources are retained", async () => {
      const plan = await build(true, new RetainedInRegion("us-east-1"));
      for (const resource of ofType(plan, TYPES.distribution)) expect(resource.retainOnDelete).to.equal(true);
    });
  });
});
