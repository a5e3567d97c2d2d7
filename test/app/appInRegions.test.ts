// Bring your own application, on the bring-your-own-app example (us-west-2 -> us-east-2, Graviton, an
// AMI ID, a user-data file, two secrets, two parameters, health path /healthz on port 8000): each
// region's app runs from its own region's copies, DR invariant 15 and the policy
// the policies dr-launch-template-regional-image and dr-app-reads-own-region hold on the synthesized pair, and each fails on the plan broken the way
// a real mistake would break it.
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { checkAppCopies } from "../../invariants/appCopies";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import type { PlannedResource, StackPlan } from "../../synth/recordStack";
import { synthesize, type SynthesisResult } from "../../synth/synthesize";
import { editedStackFile } from "../fixtures/stackFiles";
import { copyOf, synthesizedStacks } from "../policy/fixtures";
import { exampleSynthesis, PROJECT_DIRECTORY } from "../fixtures/synthesis";
import { named } from "../fixtures/plannedResources";

const AMI = "ami-0a1b2c3d4e5f67890";

const ofType = (plan: StackPlan, type: string) => plan.resources.filter((resource) => resource.type === type);
/** Sets a property as the program declared it and as the (mock) provider returned it: the invariants read inputs, the policies outputs. */
const setProperty = (resource: PlannedResource, key: string, value: unknown) => {
  resource.inputs[key] = value;
  resource.outputs[key] = value;
};
const userDataOf = (template: PlannedResource) => Buffer.from(String(template.inputs.userData), "base64").toString("utf8");
const policyViolations = async (plan: StackPlan) =>
  (
    await evaluatePolicies(
      plan,
      {},
      ALL_POLICIES.filter((policy) => ["dr-launch-template-regional-image", "dr-app-reads-own-region"].includes(policy.name)),
    )
  ).violations.map((violation) => violation.message);

describe("bring your own application (examples/bring-your-own-app)", function () {
  this.timeout(120_000);
  let result: SynthesisResult;

  before(async () => {
    result = await exampleSynthesis("bring-your-own-app");
  });

  it("passes every DR invariant, 15 included, and every policy of both stacks", () => {
    expect(result.invariants.filter((invariant) => invariant.violations.length > 0)).to.deep.equal([]);
    expect(result.invariants.map((invariant) => invariant.id)).to.include(15);
    expect(result.policies.primary.violations).to.deep.equal([]);
    expect(result.policies.dr.violations).to.deep.equal([]);
  });

  it("launches the primary from the AMI ID and the DR region from its encrypted copy in the DR region", () => {
    expect(named(result.primary, "primary-app-lt").inputs.imageId).to.equal(AMI);
    const [copy] = ofType(result.dr, "aws:ec2/amiCopy:AmiCopy");
    expect(copy.region).to.equal("us-east-2");
    expect(copy.inputs).to.include({ sourceAmiId: AMI, sourceAmiRegion: "us-west-2", encrypted: true });
    expect(String(copy.inputs.kmsKeyId)).to.match(/^arn:aws:kms:us-east-2:/);
    expect(named(result.dr, "dr-app-lt").inputs.imageId).to.equal(copy.id).and.not.equal(AMI);
  });

  it("sizes the root volume from the image (no volumeSize: EC2 takes the snapshot's), on the image's root device", () => {
    for (const name of ["primary-app-lt", "dr-app-lt"]) {
      const [mapping] = named(name.startsWith("dr") ? result.dr : result.primary, name).inputs.blockDeviceMappings as {
        deviceName: string;
        ebs: Record<string, unknown>;
      }[];
      expect(mapping.deviceName).to.equal("/dev/xvda");
      expect(mapping.ebs).to.not.have.property("volumeSize");
      expect(mapping.ebs).to.include({ encrypted: "true", volumeType: "gp3" });
    }
  });

  it("refuses an image of another architecture than the instance type's, naming both", async () => {
    const x86 = (config: Record<string, unknown>) => {
      config["multi-region-dr:app"] = { ...(config["multi-region-dr:app"] as object), instanceType: "m7i.large" };
    };
    const files = {
      primaryStackFile: editedStackFile("examples/bring-your-own-app/Pulumi.primary.yaml", x86),
      drStackFile: editedStackFile("examples/bring-your-own-app/Pulumi.dr.yaml", x86),
    };
    const error = await synthesize({ projectDirectory: PROJECT_DIRECTORY, ...files }).then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.deep.equal([
      {
        key: "multi-region-dr:app.image",
        value: AMI,
        message: "is an arm64 image but app.instanceType runs x86_64; build the image for x86_64 or pick an instance type of arm64",
      },
    ]);
  });

  it("renders the user data per region: the region's role, database, bucket and secret copies", () => {
    const primary = userDataOf(named(result.primary, "primary-app-lt"));
    const dr = userDataOf(named(result.dr, "dr-app-lt"));
    expect(primary).to.include("AWS_REGION=us-west-2").and.include("DEPLOYMENT_ROLE=primary").and.include("HEALTH_PATH=/healthz").and.include("PORT=8000");
    expect(dr).to.include("AWS_REGION=us-east-2").and.include("DEPLOYMENT_ROLE=dr").and.include("DATABASE_NAME=orders");
    expect(dr).to.match(/DATABASE_CREDENTIALS_SECRET_ARN=arn:aws:secretsmanager:us-east-2:\d{12}:secret:/);
    expect(dr).to.match(/PAYMENT_API_KEY_SECRET_ARN=arn:aws:secretsmanager:us-east-2:/);
    expect(dr).to.match(/DATA_BUCKET=dr-data-[0-9a-f]+\n/);
    expect(dr).to.not.include("{{");
  });

  it("replicates every app secret to the DR region under a key of the DR region", () => {
    const secrets = ofType(result.primary, "aws:secretsmanager/secret:Secret").filter((secret) => String(secret.inputs.namePrefix).includes("/app/"));
    expect(secrets.map((secret) => String(secret.inputs.namePrefix).split("/app/")[1])).to.have.members([
      "database-credentials-",
      "payment-api-key-",
      "session-signing-key-",
    ]);
    for (const secret of secrets) {
      // Deleting a replicated secret removes its replicas at once: protected like the keys.
      expect(secret.protect, secret.name).to.equal(true);
      const [replica] = secret.inputs.replicas as { region: string; kmsKeyId: string }[];
      expect(replica.region).to.equal("us-east-2");
      expect(replica.kmsKeyId).to.match(/^arn:aws:kms:us-east-2:\d{12}:key\/mrk-/);
    }
  });

  it("lets each region's instances read only their own region's secrets, key and parameters", () => {
    for (const [plan, region] of [
      [result.primary, "us-west-2"],
      [result.dr, "us-east-2"],
    ] as const) {
      const [policy] = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((candidate) => candidate.name.endsWith("-instance-app-access"));
      const statements = JSON.parse(String(policy.inputs.policy)).Statement as { Resource: string[] }[];
      const resources = statements.flatMap((statement) => statement.Resource);
      // Three secrets, their key, the parameter path and its children, the data bucket and its objects, the data key.
      expect(resources).to.have.length(3 + 1 + 2 + 2 + 1);
      for (const arn of resources.filter((resource) => !resource.startsWith("arn:aws:s3:::"))) expect(arn.split(":")[3], arn).to.equal(region);
      const bucket = resources.find((resource) => resource.startsWith("arn:aws:s3:::") && !resource.endsWith("/*"));
      expect(bucket).to.match(plan === result.primary ? /:::primary-data-/ : /:::dr-data-/);
    }
  });

  it("writes the same parameters in both regions", () => {
    const parameters = (plan: StackPlan) =>
      ofType(plan, "aws:ssm/parameter:Parameter")
        .filter((parameter) => String(parameter.inputs.name).includes("/app/"))
        .map((parameter) => [parameter.region, parameter.inputs.name, parameter.inputs.value]);
    expect(parameters(result.primary)).to.have.deep.members([
      ["us-west-2", "/multi-region-dr-primary-primary/app/feature-flags", '{"newCheckout": false}'],
      ["us-west-2", "/multi-region-dr-primary-primary/app/log-level", "info"],
    ]);
    expect(parameters(result.dr).map(([region, ...rest]) => [region === "us-east-2", ...rest])).to.have.deep.members(
      parameters(result.primary).map(([, ...rest]) => [true, ...rest]),
    );
  });

  describe("DR invariant 15 and its policies fail on a broken plan", () => {
    it("the DR launch template naming the primary's AMI ID", async () => {
      const dr = copyOf(result.dr);
      setProperty(named(dr, "dr-app-lt"), "imageId", AMI);
      expect(checkAppCopies({ primary: result.primary, dr }).violations.join("\n")).to.include(
        `imageId is the primary's AMI ${AMI}, which does not exist in us-east-2`,
      );
      expect((await policyViolations(dr)).join("\n")).to.include(`imageId ${AMI} is the image the primary's launch template launches, an AMI of us-west-2`);
    });

    it("the DR launch template launching the primary's resolved image, whatever its source (the default pair's demo image)", async () => {
      const defaults = await synthesizedStacks();
      const dr = copyOf(defaults.dr);
      const primaryImage = named(defaults.primary, "primary-app-lt").inputs.imageId;
      expect(defaults.primary.outputs.app).to.have.nested.property("launchImageId", primaryImage);
      setProperty(named(dr, "dr-app-lt"), "imageId", primaryImage);
      expect(checkAppCopies({ primary: defaults.primary, dr }).violations.join("\n")).to.include("is the primary launch template's image");
      expect((await policyViolations(dr)).join("\n")).to.include(`imageId ${String(primaryImage)} is the image the primary's launch template launches`);
    });

    it("an AMI copy from the wrong region, unencrypted, under the primary's key", async () => {
      const dr = copyOf(result.dr);
      const copy = ofType(dr, "aws:ec2/amiCopy:AmiCopy")[0];
      for (const [key, value] of Object.entries({ sourceAmiRegion: "eu-west-1", encrypted: false, kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/k" }))
        setProperty(copy, key, value);
      const violations = checkAppCopies({ primary: result.primary, dr }).violations.join("\n");
      expect(violations).to.include('sourceAmiRegion is "eu-west-1", not the primary region us-west-2');
      expect(violations).to.include("encrypted is not true");
      expect(violations).to.include("is not a key of us-east-2");
      expect((await policyViolations(dr)).length).to.equal(3);
    });

    it("a secret without its DR replica", () => {
      const primary = copyOf(result.primary);
      const secret = ofType(primary, "aws:secretsmanager/secret:Secret").find((candidate) => String(candidate.inputs.namePrefix).includes("payment-api-key"))!;
      secret.inputs.replicas = [];
      expect(checkAppCopies({ primary, dr: result.dr }).violations.join("\n")).to.include("has no replica in us-east-2");
    });

    it("the DR instances granted the primary region's secret", async () => {
      const dr = copyOf(result.dr);
      const policy = ofType(dr, "aws:iam/rolePolicy:RolePolicy").find((candidate) => candidate.name.endsWith("-instance-app-access"))!;
      setProperty(policy, "policy", String(policy.inputs.policy).replace("secretsmanager:us-east-2", "secretsmanager:us-west-2"));
      const violations = checkAppCopies({ primary: result.primary, dr }).violations.join("\n");
      expect(violations).to.match(/grants arn:aws:secretsmanager:us-west-2:.* of us-west-2; the DR instances must read the DR region's copies/);
      expect((await policyViolations(dr)).join("\n")).to.include("of us-west-2; the DR instances must read this region's copies");
    });

    it("a parameter missing in the DR region", () => {
      const dr = copyOf(result.dr);
      dr.resources = dr.resources.filter((resource) => resource.inputs.name !== "/multi-region-dr-primary-primary/app/log-level");
      expect(checkAppCopies({ primary: result.primary, dr }).violations).to.deep.equal([
        "parameter /multi-region-dr-primary-primary/app/log-level: is missing in us-east-2; the DR stack writes the primary's parameters",
      ]);
    });
  });
});
