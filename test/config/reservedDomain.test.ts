/**
 * The placeholder public zone name (issue 17, item 9): Route 53 refuses hosted zones under the names
 * RFC 2606 and RFC 6761 reserve, so a real preview or update refuses them before any resource
 * exists, while offline synthesis of the shipped defaults (`dr.example.com`) keeps working and notes
 * that the name is a placeholder.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as path from "node:path";
import { readStackConfig, refusePlaceholderZoneName } from "../../config/load";
import { reservedDomainProblem } from "../../config/rules";
import { readStackConfigFile } from "../../synth/stackFile";
import { configErrorOf, NS, parseDr, parsePrimary, primarySettings } from "./fixtures";

const ROOT = path.join(__dirname, "..", "..");
const KEY = `${NS}:dns.zoneName`;
const mocks: pulumi.runtime.Mocks = { newResource: (args) => ({ id: args.name, state: args.inputs }), call: () => ({}) };

describe("reserved (placeholder) DNS names", () => {
  describe("reservedDomainProblem", () => {
    for (const name of ["example.com", "dr.example.com", "a.b.example.net", "example.org", "app.test", "shop.example", "x.invalid", "dr.localhost"]) {
      it(`refuses ${name}, saying what to set`, () => {
        const problem = reservedDomainProblem(name);
        expect(problem).to.be.a("string").and.include("RFC 2606").and.include("a domain (or subdomain) you own").and.include("dns.hostedZoneId");
      });
    }

    for (const name of [
      "dr.acme.com",
      "example.co.uk",
      "myexample.com",
      "example.com.au",
      "notexample.org",
      "test.acme.io",
      "example.acme.net",
      "app.internal",
      "testing.dev",
    ]) {
      it(`accepts ${name}`, () => {
        expect(reservedDomainProblem(name)).to.equal(undefined);
      });
    }

    it("names the reserved domain or top-level domain the name is under", () => {
      expect(reservedDomainProblem("dr.example.com")).to.include("is under example.com");
      expect(reservedDomainProblem("dr.test")).to.include("the top-level domain .test");
    });
  });

  describe("refusePlaceholderZoneName", () => {
    it("refuses a reserved public zone under a real engine, naming the key, the value and what to set", () => {
      const config = parsePrimary({ [`${NS}:dns`]: { zoneName: "dr.example.com" } });
      const error = configErrorOf(() => refusePlaceholderZoneName(config, "primary", true));
      expect(error.problems.map((problem) => problem.key)).to.deep.equal([KEY]);
      expect(error.problems[0].value).to.equal("dr.example.com");
      expect(error.message)
        .to.include(`- ${KEY} (found: "dr.example.com")`)
        .and.include("set dns.zoneName to a domain (or subdomain) you own")
        .and.include("dns.hostedZoneId");
    });

    it("refuses it with dns.hostedZoneId set too: an existing zone cannot have a reserved name either", () => {
      const config = parsePrimary({ [`${NS}:dns`]: { zoneName: "example.org", hostedZoneId: "Z0123456789ABCDEFGHIJ" } });
      expect(configErrorOf(() => refusePlaceholderZoneName(config, "primary", true)).problems.map((problem) => problem.key)).to.deep.equal([KEY]);
    });

    it("accepts an owned domain under a real engine", () => {
      const config = parsePrimary({ [`${NS}:dns`]: { zoneName: "dr.acme.com" } });
      expect(refusePlaceholderZoneName(config, "primary", true)).to.equal(config);
    });

    it("leaves the private zone name alone (app.internal, and a reserved one)", () => {
      const config = parsePrimary({ [`${NS}:dns`]: { zoneName: "dr.acme.com", privateZoneName: "db.example.com" } });
      expect(refusePlaceholderZoneName(config, "primary", true)).to.equal(config);
    });

    it("does not apply to the DR stack, which names no public zone", () => {
      const config = parseDr();
      expect(refusePlaceholderZoneName(config, "dr", true)).to.equal(config);
    });

    it("accepts the placeholder offline (no engine) and notes that it is one", () => {
      const config = parsePrimary({ [`${NS}:dns`]: { zoneName: "note.example.net" } });
      const lines: string[] = [];
      const saved = console.log;
      console.log = (...args: unknown[]) => void lines.push(args.join(" "));
      try {
        expect(refusePlaceholderZoneName(config, "primary", false)).to.equal(config);
      } finally {
        console.log = saved;
      }
      expect(lines.join("\n")).to.include(`${KEY} is note.example.net, a placeholder`).and.include("pulumi preview and pulumi up refuse it");
    });
  });

  describe("readStackConfig", () => {
    const saved = { hasEngine: pulumi.runtime.hasEngine };
    afterEach(() => {
      Object.assign(pulumi.runtime, { hasEngine: saved.hasEngine });
    });

    it("refuses the shipped Pulumi.primary.yaml under a real engine, before any resource is registered", async () => {
      await pulumi.runtime.setMocks(mocks, "multi-region-dr", "primary", false);
      pulumi.runtime.setAllConfig(readStackConfigFile(path.join(ROOT, "Pulumi.primary.yaml")));
      Object.assign(pulumi.runtime, { hasEngine: () => true });
      const error = configErrorOf(() => readStackConfig());
      expect(error.problems.map((problem) => problem.key)).to.deep.equal([KEY]);
      expect(error.message).to.include('Invalid configuration for stack "primary"').and.include('(found: "dr.example.com")');
    });

    it("reads the shipped Pulumi.primary.yaml offline, under the mock runtime (no engine)", async () => {
      await pulumi.runtime.setMocks(mocks, "multi-region-dr", "primary", false);
      pulumi.runtime.setAllConfig(readStackConfigFile(path.join(ROOT, "Pulumi.primary.yaml")));
      expect(pulumi.runtime.hasEngine()).to.equal(false);
      const config = readStackConfig();
      expect(config.role === "primary" && config.dns.zoneName).to.equal("dr.example.com");
    });

    it("accepts an owned domain under a real engine", async () => {
      await pulumi.runtime.setMocks(mocks, "multi-region-dr", "primary", false);
      pulumi.runtime.setAllConfig(primarySettings({ [`${NS}:dns`]: { zoneName: "dr.acme.com" } }));
      Object.assign(pulumi.runtime, { hasEngine: () => true });
      expect(readStackConfig().role).to.equal("primary");
    });
  });
});
