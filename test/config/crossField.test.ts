// Rules found in review that the mandatory policy pack or AWS would otherwise catch only after
// synthesis, now config problems naming the key: the primary's Single-AZ database (policy
// rds-multi-az) and certificates of another region (a listener takes only its region's certificate).
import { expect } from "chai";
import { parseStackConfig } from "../../config/load";
import { certificateRegionProblem } from "../../config/rules";
import { configErrorOf, drSettings, expectOneProblem, NS, parseDr, parsePrimary, primarySettings } from "./fixtures";

const certificate = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000001`;

describe("primary database.multiAz", () => {
  it("refuses false in instance mode, with the policy's reason, before any resource exists", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { multiAz: false } }),
      `${NS}:database.multiAz`,
      false,
      "must be true on the primary database: a Single-AZ primary turns a zone failure into a regional failover " +
        "(the mandatory policy rds-multi-az refuses it: AWS Security Hub RDS.5); remove the key (default true) or set it to true",
    );
  });

  it("refuses false on a failback primary too (a replica of the promoted DR database, then promoted)", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { multiAz: false, replicaSourceArn: "arn:aws:rds:us-west-2:123456789012:db:dr-db", promoted: true } }),
      `${NS}:database.multiAz`,
      false,
      "must be true on the primary database",
    );
  });

  it("keeps the key, default true", () => {
    expect(parsePrimary().database.multiAz).to.equal(true);
    expect(parsePrimary({ [`${NS}:database`]: { multiAz: true } }).database.multiAz).to.equal(true);
  });

  it("accepts false in aurora-global mode (a writer alone: no policy requires the reader) and on the DR stack", () => {
    const aurora = parsePrimary({ [`${NS}:database`]: { engineMode: "aurora-global", instanceClass: "db.r6g.large", multiAz: false } });
    expect(aurora.database.multiAz).to.equal(false);
    expect(parseDr({ [`${NS}:database`]: { multiAz: false } }).database.multiAz).to.equal(false);
  });
});

describe("certificates of the stack's own region", () => {
  it("refuses app.certificateArn of the DR region on the primary, naming both regions", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:app`]: { certificateArn: certificate("us-west-2") } }),
      `${NS}:app.certificateArn`,
      certificate("us-west-2"),
      "is an ACM certificate of us-west-2, but aws:region is us-east-1: a load balancer listener takes only a certificate of its own region " +
        '(ACM certificates are regional and cannot be copied between regions: ACM User Guide, "Supported Regions"); ' +
        "request or import the certificate in us-east-1 and use that ARN",
    );
  });

  it("refuses monitoring.grafanaCertificateArn of the primary region on the DR stack", () => {
    expectOneProblem(
      drSettings({ [`${NS}:monitoring`]: { grafanaAccessCidrs: ["203.0.113.0/24"], grafanaCertificateArn: certificate("us-east-1") } }),
      `${NS}:monitoring.grafanaCertificateArn`,
      certificate("us-east-1"),
      "is an ACM certificate of us-east-1, but aws:region is us-west-2",
    );
  });

  it("reports both certificates at once", () => {
    const error = configErrorOf(() =>
      parseStackConfig(
        drSettings({ [`${NS}:app`]: { certificateArn: certificate("eu-west-1") }, [`${NS}:monitoring`]: { grafanaCertificateArn: certificate("eu-west-1") } }),
        "t",
      ),
    );
    expect(error.problems.map((problem) => problem.key)).to.deep.equal([`${NS}:app.certificateArn`, `${NS}:monitoring.grafanaCertificateArn`]);
  });

  it("accepts certificates of the stack's region", () => {
    expect(parsePrimary({ [`${NS}:app`]: { certificateArn: certificate("us-east-1") } }).app.certificateArn).to.equal(certificate("us-east-1"));
    expect(certificateRegionProblem(certificate("us-west-2"), "us-west-2")).to.equal(undefined);
  });
});
