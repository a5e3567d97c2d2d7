// The edge's wiring into the stacks (stacks/edge.ts): the failover pair's name and options, the primary's
// outputs as the DR stack reads them, what the outage mode retains, and the manifest that must not carry the secret.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { edgeSchema } from "../../config/edge";
import { edgeOutputsOf, FAILOVER_RECORD_TYPE, failoverRecordName, failoverRecordOptions, buildEdge, buildEdgeAliases } from "../../stacks/edge";
import { manifestCopyOf } from "../../stacks/region";
import { RetainedInRegion } from "../../stacks/regionalProvider";
import { primaryOutputsFixture } from "../fixtures/primaryOutputs";
import { ofType, planEdge, TYPES, DR_EDGE_ARGS } from "./planEdge";

const on = edgeSchema.parse({ cloudFront: { enabled: true } }).cloudFront;
const off = edgeSchema.parse({}).cloudFront;
const outputOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

describe("stacks/edge wiring", () => {
  it("keeps the failover pair at the application name without the edge, and moves it to origin.<name> with it (from the flag, even when nothing is built)", () => {
    expect(failoverRecordName({ applicationName: "app.example.net" })).to.equal("app.example.net");
    expect(failoverRecordName({ applicationName: "app.example.net", edge: off })).to.equal("app.example.net");
    expect(failoverRecordName({ applicationName: "app.example.net", edge: on })).to.equal("origin.app.example.net");
  });

  it("deletes a failover record before creating its replacement, and leaves every other resource alone", () => {
    const transformation = failoverRecordOptions(undefined).transformations?.[0] as pulumi.ResourceTransformation;
    const call = (type: string) =>
      transformation({ type, name: "failover-primary", props: { name: "origin.app.example.net" }, opts: {}, resource: undefined as never });
    expect((call(FAILOVER_RECORD_TYPE)?.opts as pulumi.CustomResourceOptions).deleteBeforeReplace).to.equal(true);
    expect(call(FAILOVER_RECORD_TYPE)?.opts.dependsOn ?? []).to.deep.equal([]);
    expect(call("aws:route53/healthCheck:HealthCheck")).to.equal(undefined);
  });

  it("reads an older primary (no edge output) as the edge off, and marks the secret secret again", async () => {
    expect(edgeOutputsOf({})).to.deep.equal({ edge: off });
    const read = edgeOutputsOf({ edge: on, edgeOriginVerifySecret: "plain-from-the-reference" });
    expect(read.edge).to.deep.equal(on);
    expect(await pulumi.isSecret(read.edgeOriginVerifySecret as pulumi.Output<string>)).to.equal(true);
    expect(await outputOf(read.edgeOriginVerifySecret as pulumi.Output<string>)).to.equal("plain-from-the-reference");
  });

  it("never copies the origin-verify secret into the recovery manifest (a plain SSM parameter)", () => {
    const copy = manifestCopyOf({ ...primaryOutputsFixture(), edge: on, edgeOriginVerifySecret: "do-not-copy" });
    expect(copy).to.not.have.property("edgeOriginVerifySecret");
    expect(copy.edge).to.deep.equal(on);
  });

  it("retains the edge's resources but not the certificate validation (no import, no AWS call on delete) when the primary is us-east-1", async () => {
    const retained = new RetainedInRegion("us-east-1");
    const plan = await planEdge("us-west-2", (opts) => {
      const edge = buildEdge({
        primary: { edge: on, edgeOriginVerifySecret: pulumi.secret("s") },
        ...DR_EDGE_ARGS,
        retained,
        opts,
      });
      buildEdgeAliases(edge, new pulumi.ComponentResource("test:dns:FailoverPair", "failover", {}, opts));
    });
    expect(ofType(plan, TYPES.certificateValidation)[0].retainOnDelete).to.equal(false);
    for (const alias of ofType(plan, TYPES.record).filter((record) => record.name.startsWith("edge-alias")))
      expect(alias.retainOnDelete, alias.name).to.equal(true);
    expect(retained.resources.map((resource) => resource.type)).to.not.include(TYPES.certificateValidation);
    expect(retained.resources.map((resource) => resource.name)).to.include.members(["edge-alias-a", "edge-alias-aaaa"]);
  });
});
