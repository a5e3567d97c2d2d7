// The app's definition in the primary's stack file (config/appDefinition.ts): image, user-data file,
// health path, secrets, parameters and database user, each refused with a ConfigError naming its key;
// the DR stack's refusal of those keys and of another port; the template's rendering; and the
// contract's `app` output that the DR stack needs.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import {
  appDefinitionOf,
  readUserDataFile,
  renderUserDataTemplate,
  USER_DATA_LIMIT_BYTES,
  type UserDataValues,
  userDataTemplateProblems,
} from "../../config/appDefinition";
import { resolveDrStrategy } from "../../config/drStrategy";
import { parseStackConfig } from "../../config/load";
import { replicaSecretArn } from "../../components/appSecrets";
import { manifestCopyOf } from "../../stacks/region";
import { crossStackProblems, parsePrimaryOutputs } from "../../stacks/primaryOutputs";
import { primaryOutputsFixture } from "../fixtures/primaryOutputs";
import { configErrorOf, drSettings, expectOneProblem, NS, parseDr, parsePrimary, primarySettings } from "./fixtures";

const EXAMPLE_USER_DATA = "examples/bring-your-own-app/user-data.sh";

const values: UserDataValues = {
  region: "us-east-2",
  role: "dr",
  port: "8000",
  healthPath: "/healthz",
  databaseHost: "db.app.internal",
  databasePort: "5432",
  databaseName: "orders",
  databaseCredentialsSecretArn: "arn:aws:secretsmanager:us-east-2:123456789012:secret:p/app/database-credentials-abc-a1b2c3",
  parameterPath: "/p/app/",
  bucketName: "dr-data-1",
  secretArns: { "payment-api-key": "arn:aws:secretsmanager:us-east-2:123456789012:secret:p/app/payment-api-key-x-d4e5f6" },
};

describe("app definition (config/appDefinition.ts)", () => {
  it("defaults to the demo, /health, no secrets or parameters, and the app_user database user", () => {
    const definition = appDefinitionOf(parsePrimary().app);
    expect(definition).to.deep.equal({ image: { kind: "demo" }, healthPath: "/health", secretNames: [], parameters: {}, databaseUser: "app_user" });
  });

  it("reads an AMI ID, or an SSM parameter, as the image", () => {
    expect(appDefinitionOf(parsePrimary({ [`${NS}:app`]: { image: { amiId: "ami-0a1b2c3d4e5f67890" } } }).app).image).to.deep.equal({
      kind: "ami",
      amiId: "ami-0a1b2c3d4e5f67890",
    });
    expect(appDefinitionOf(parsePrimary({ [`${NS}:app`]: { image: { ssmParameter: "/golden/app/ami" } } }).app).image).to.deep.equal({
      kind: "ssm-parameter",
      parameterName: "/golden/app/ami",
    });
  });

  it("refuses an image with both or neither source, and a malformed AMI ID, naming the key", () => {
    const both = { amiId: "ami-0a1b2c3d4e5f67890", ssmParameter: "/golden/app/ami" };
    expectOneProblem(primarySettings({ [`${NS}:app`]: { image: both } }), `${NS}:app.image`, both, "exactly one of amiId");
    expectOneProblem(primarySettings({ [`${NS}:app`]: { image: {} } }), `${NS}:app.image`, {}, "exactly one of amiId");
    const error = configErrorOf(() => parseStackConfig(primarySettings({ [`${NS}:app`]: { image: { amiId: "ami-12" } } }), "t"));
    expect(error.problems.map((problem) => problem.key)).to.include(`${NS}:app.image.amiId`);
    expect(error.message).to.include("must be an AMI ID such as ami-0123456789abcdef0");
  });

  it("reads the user-data file relative to the project directory and keeps its text", () => {
    const config = parsePrimary({ [`${NS}:app`]: { userData: EXAMPLE_USER_DATA, secrets: ["payment-api-key", "session-signing-key"] } });
    expect(appDefinitionOf(config.app).userDataTemplate).to.include("DATABASE_CREDENTIALS_SECRET_ARN={{databaseCredentialsSecretArn}}");
  });

  it("refuses a user-data file that does not exist, or an absolute path, naming app.userData", () => {
    expectOneProblem(primarySettings({ [`${NS}:app`]: { userData: "no/such/file.sh" } }), `${NS}:app.userData`, "no/such/file.sh", "names no file");
    expectOneProblem(
      primarySettings({ [`${NS}:app`]: { userData: "/etc/hostname" } }),
      `${NS}:app.userData`,
      "/etc/hostname",
      "relative to the project directory",
    );
  });

  it("refuses a template naming a placeholder that does not exist or a secret app.secrets does not declare", () => {
    // The example's template names two secrets; declared without them, each reference is a problem of app.userData.
    const error = configErrorOf(() => parseStackConfig(primarySettings({ [`${NS}:app`]: { userData: EXAMPLE_USER_DATA } }), "t"));
    expect(error.problems.map((problem) => problem.key)).to.deep.equal([`${NS}:app.userData`, `${NS}:app.userData`]);
    expect(error.problems[0].message).to.include("{{secretArn:payment-api-key}} names a secret that app.secrets does not declare");
    expect(userDataTemplateProblems("echo {{regoin}}", [])[0]).to.include("{{regoin}} is not a placeholder");
    expect(userDataTemplateProblems("echo {{secretArn}}", [])[0]).to.include("names no secret");
    expect(userDataTemplateProblems("echo {{ region }} {{databaseName}}", [])).to.deep.equal([]);
  });

  it("refuses a template over EC2's 16 KB before any resource exists", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "user-data-"));
    const file = path.join(directory, "big.sh");
    writeFileSync(file, "#".repeat(USER_DATA_LIMIT_BYTES + 1));
    const read = readUserDataFile(path.relative(process.cwd(), file));
    expect(read).to.have.property("template");
    expect(userDataTemplateProblems((read as { template: string }).template, [])[0]).to.include("EC2 takes at most 16384 bytes");
  });

  it("refuses a repeated or malformed secret name, an oversized parameter and a database user that is the master or reserved", () => {
    expectOneProblem(primarySettings({ [`${NS}:app`]: { secrets: ["a", "a"] } }), `${NS}:app.secrets`, ["a", "a"], "must not name a secret twice");
    expectOneProblem(primarySettings({ [`${NS}:app`]: { secrets: ["no spaces"] } }), `${NS}:app.secrets.0`, "no spaces", "1-64 letters");
    const oversized = configErrorOf(() => parseStackConfig(primarySettings({ [`${NS}:app`]: { parameters: { big: "x".repeat(4097) } } }), "t"));
    expect(oversized.problems.map((problem) => problem.key)).to.deep.equal([`${NS}:app.parameters.big`]);
    expect(oversized.problems[0].message).to.include("4096 bytes");
    const multibyte = configErrorOf(() => parseStackConfig(primarySettings({ [`${NS}:app`]: { parameters: { big: "é".repeat(2049) } } }), "t"));
    expect(multibyte.problems[0].message, "counted in bytes, as SSM counts").to.include("4096 bytes");
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`p${index}`, "v"]));
    const tooMany = configErrorOf(() => parseStackConfig(primarySettings({ [`${NS}:app`]: { parameters: many } }), "t"));
    expect(tooMany.problems.map((problem) => [problem.key, problem.message])).to.deep.equal([
      [`${NS}:app.parameters`, "at most 100 parameters: keep related values in one JSON parameter"],
    ]);
    expectOneProblem(
      primarySettings({ [`${NS}:app`]: { databaseUser: "app_admin" } }),
      `${NS}:app.databaseUser`,
      "app_admin",
      "must differ from database.masterUsername",
    );
    expectOneProblem(primarySettings({ [`${NS}:app`]: { databaseUser: "rdsadmin" } }), `${NS}:app.databaseUser`, "rdsadmin", "reserved");
  });

  it("refuses a health path the demo app serves itself, and accepts it for an app of yours", () => {
    expectOneProblem(primarySettings({ [`${NS}:app`]: { healthPath: "/status" } }), `${NS}:app.healthPath`, "/status", "a path the demo app serves itself");
    expect(parsePrimary({ [`${NS}:app`]: { healthPath: "/status", image: { ssmParameter: "/golden/app/ami" } } }).app.healthPath).to.equal("/status");
  });

  it("refuses the app's definition in the DR stack file: the DR stack builds the primary's", () => {
    for (const [key, value] of [
      ["image", { amiId: "ami-0a1b2c3d4e5f67890" }],
      ["userData", EXAMPLE_USER_DATA],
      ["healthPath", "/healthz"],
      ["secrets", ["a"]],
      ["parameters", { a: "b" }],
      ["databaseUser", "u"],
    ] as const) {
      expectOneProblem(drSettings({ [`${NS}:app`]: { [key]: value } }), `${NS}:app.${key}`, value, "set in the primary's stack file only");
    }
  });

  it("gives the DR app the primary's port, and refuses another one", () => {
    const primary = primaryOutputsFixture({ appPort: 8000 });
    expect(resolveDrStrategy(parseDr(), primary).config?.app.port).to.equal(8000);
    const problems = crossStackProblems(parseDr({ [`${NS}:app`]: { port: 8080 } }), primary);
    expect(problems.map((problem) => problem.key)).to.deep.equal([`${NS}:app.port`]);
    expect(problems[0].message).to.include("differs from the primary's 8000");
    expect(crossStackProblems(parseDr({ [`${NS}:app`]: { port: 8000 } }), primary)).to.deep.equal([]);
  });

  it("refuses a primary without the app output, or whose secrets are replicated elsewhere, with the fix", () => {
    const withoutApp = crossStackProblems(parseDr(), primaryOutputsFixture({ app: undefined }));
    expect(withoutApp.map((problem) => problem.message)).to.deep.equal([
      "is missing: the primary was deployed before the app's definition and secrets existed; redeploy the primary with this version of the program (pulumi up -s <primary>)",
    ]);
    const fixture = primaryOutputsFixture();
    const elsewhere = primaryOutputsFixture({ app: { ...fixture.app!, secrets: { ...fixture.app!.secrets, standbyRegion: "eu-west-1" } } });
    const problems = crossStackProblems(parseDr(), elsewhere);
    expect(problems).to.have.length(1);
    expect(problems[0].key).to.equal(`${parseDr().primaryStack} output app`);
    expect(problems[0].message).to.include("set standbyRegion: us-west-2 in the primary's stack file");
  });

  it("accepts the fixture's app output as the contract and refuses a malformed secret ARN in it", () => {
    expect(parsePrimaryOutputs(primaryOutputsFixture(), "p").app?.databaseName).to.equal("app");
    const fixture = primaryOutputsFixture();
    const broken = { ...fixture, app: { ...fixture.app!, secrets: { ...fixture.app!.secrets, databaseCredentialsSecretArn: "not-an-arn" } } };
    const error = configErrorOf(() => parsePrimaryOutputs(broken, "p"));
    expect(error.problems.map((problem) => problem.key)).to.deep.equal(["p output app"]);
  });
});

describe("user-data template rendering", () => {
  it("replaces every placeholder with this region's values, spaces inside the braces allowed", () => {
    const rendered = renderUserDataTemplate("R={{region}} P={{ port }} S={{secretArn:payment-api-key}} B={{bucketName}}", values);
    expect(rendered).to.equal(`R=us-east-2 P=8000 S=${values.secretArns["payment-api-key"]} B=dr-data-1`);
  });

  it("throws on an unknown placeholder or a rendered script over 16 KB", () => {
    expect(() => renderUserDataTemplate("{{nope}}", values)).to.throw("{{nope}} is not a placeholder");
    expect(() => renderUserDataTemplate("{{secretArn:other}}", values)).to.throw("is not a placeholder");
    expect(() => renderUserDataTemplate(`${"x".repeat(USER_DATA_LIMIT_BYTES - 5)}{{region}}`, values)).to.throw("EC2 takes at most 16384");
  });
});

describe("replicated secrets and the manifest's copy of the contract", () => {
  it("gives a replica's ARN as the primary's with the region changed, and refuses what is not a secret ARN", () => {
    expect(replicaSecretArn("arn:aws:secretsmanager:us-east-1:123456789012:secret:a/b-x-a1b2c3", "us-west-2")).to.equal(
      "arn:aws:secretsmanager:us-west-2:123456789012:secret:a/b-x-a1b2c3",
    );
    expect(() => replicaSecretArn("arn:aws:kms:us-east-1:123456789012:key/k", "us-west-2")).to.throw("not a Secrets Manager secret ARN");
  });

  it("leaves the user-data template, the parameters' values and the secrets' ARNs out of the manifest's copy (a parameter holds 8 KB at most)", () => {
    const fixture = primaryOutputsFixture();
    const withTemplate = primaryOutputsFixture({ app: { ...fixture.app!, definition: { ...fixture.app!.definition, userDataTemplate: "x".repeat(9000) } } });
    const copy = manifestCopyOf(withTemplate);
    expect(copy.app?.definition).to.not.have.property("userDataTemplate");
    expect(copy.app?.definition.healthPath).to.equal("/health");
    const withValues = primaryOutputsFixture({
      app: {
        ...fixture.app!,
        definition: { ...fixture.app!.definition, parameters: { big: "x".repeat(4096) } },
        secrets: { ...fixture.app!.secrets, secretArns: { a: "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-a1b2c3" } },
      },
    });
    expect(manifestCopyOf(withValues).app?.definition.parameters, "names kept, values left out").to.deep.equal({ big: "" });
    expect(manifestCopyOf(withValues).app?.secrets.secretArns).to.deep.equal({});
    expect(manifestCopyOf(primaryOutputsFixture({ app: undefined }))).to.deep.equal(primaryOutputsFixture({ app: undefined }));
  });
});
