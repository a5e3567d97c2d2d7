/**
 * The real pack, as the Pulumi CLI runs it: `policy/index.ts` starts @pulumi/policy's gRPC analyzer
 * server, and the test talks to it through the analyzer protocol the engine uses. It checks that
 * the server accepts every policy and its config schema, judges one resource (`Analyze`) and a whole
 * synthesized stack (`AnalyzeStack`) with the same results as the offline evaluator.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the pack's generated gRPC stubs are untyped CommonJS */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import { analyzerClientOf, analyzeStackRequest, call, Empty, messages, Struct } from "./analyzerRequests";

const POLICY_DIRECTORY = path.join(__dirname, "..", "..", "policy");
import { copyOf, synthesizedStacks } from "./fixtures";

interface Diagnostic {
  policy: string;
  level: number;
  message: string;
  urn: string;
}

/** Diagnostics as the server sends them; the message is the policy's description, a newline, then the violation's own message. */
function diagnosticsOf(response: any): Diagnostic[] {
  return response.getDiagnosticsList().map((diagnostic: any) => ({
    policy: diagnostic.getPolicyname(),
    level: diagnostic.getEnforcementlevel(),
    message: diagnostic.getMessage(),
    urn: diagnostic.getUrn(),
  }));
}

describe("the policy pack's analyzer server (policy/index.ts)", function () {
  this.timeout(60000);
  let server: ChildProcess;
  let client: any;

  before(async () => {
    server = spawn(process.execPath, ["--import", "tsx", "index.ts"], { cwd: POLICY_DIRECTORY, stdio: ["ignore", "pipe", "pipe"] });
    // The shared synthesis (the stack AnalyzeStack judges) runs here while the server starts in its own process.
    synthesizedStacks().catch(() => undefined);
    client = await analyzerClientOf(server, "the pack");
  });

  after(() => {
    client?.close();
    server?.kill();
  });

  it("serves every policy with its enforcement level and config schema", async () => {
    const info: any = await call(client, "getAnalyzerInfo", new Empty());
    expect(info.getName()).to.equal("multi-region-dr");
    expect(info.getVersion()).to.equal("0.1.0");
    const served = info.getPoliciesList().map((policy: any) => policy.getName());
    expect(served).to.deep.equal(ALL_POLICIES.map((policy) => policy.name));
    const backup = info.getPoliciesList().find((policy: any) => policy.getName() === "rds-backup-retention");
    expect(backup.getConfigschema().getProperties().toJavaScript()).to.have.nested.property("minimumRetentionDays.default", 5);
  });

  it("judges one resource through Analyze, as at preview", async () => {
    const request = new messages.AnalyzeRequest();
    request.setType("aws:rds/instance:Instance");
    request.setName("db");
    request.setUrn("urn:pulumi:dr::multi-region-dr::aws:rds/instance:Instance::db");
    request.setProperties(Struct.fromJavaScript({ publiclyAccessible: true, storageEncrypted: false, backupRetentionPeriod: 1, multiAz: true }));
    request.setOptions(new messages.AnalyzerResourceOptions());
    const diagnostics = diagnosticsOf(await call(client, "analyze", request));
    const policies = diagnostics.map((diagnostic) => diagnostic.policy);
    expect(policies).to.include.members(["rds-not-public", "rds-storage-encrypted", "rds-backup-retention", "rds-deletion-protection"]);
    expect(policies).to.not.include("rds-multi-az");
  });

  it("finds through AnalyzeStack exactly what the offline evaluator finds on the synthesized DR stack", async () => {
    const { dr } = await synthesizedStacks();
    const broken = copyOf(dr);
    const group = broken.resources.find((resource) => resource.type === "aws:autoscaling/group:Group")!;
    group.outputs.maxSize = 2;
    const served = diagnosticsOf(await call(client, "analyzeStack", analyzeStackRequest(broken)));
    const offline = (await evaluatePolicies(broken)).violations.filter((violation) =>
      ALL_POLICIES.find((policy) => policy.name === violation.policy && !("validateResource" in policy)),
    );
    expect(served.map((diagnostic) => `${diagnostic.policy}: ${diagnostic.message.split("\n").slice(1).join(" ")}`).sort()).to.deep.equal(
      offline.map((violation) => `${violation.policy}: ${violation.message}`).sort(),
    );
    expect(served.map((diagnostic) => diagnostic.policy)).to.include("dr-capacity-parity");
  });
});
