// database.engineVersion: RDS majors this program creates (standard support only, config/engineVersions.ts)
// and Aurora global database majors (config/aurora.ts), as pure rules and as ConfigProblems.
import { expect } from "chai";
import { auroraEngineVersionProblem } from "../../config/aurora";
import { majorVersionStatus, RDS_MAJOR_VERSIONS, rdsEngineVersionProblem, rdsMajorOf, VERSION_TABLE_DATE } from "../../config/engineVersions";
import { ENGINES } from "../../config/schema";
import { expectOneProblem, NS, parsePrimary, primarySettings } from "./fixtures";

describe("RDS major version table", () => {
  it("has the engines' default majors in standard support", () => {
    for (const engine of ["postgres", "mysql"] as const) {
      const entry = RDS_MAJOR_VERSIONS[engine].find((support) => support.major === ENGINES[engine].defaultVersion);
      expect(entry, engine).to.not.equal(undefined);
      expect(majorVersionStatus(entry!)).to.equal("standard");
    }
  });

  it("computes the status against the table's date, not the clock", () => {
    const mysql80 = RDS_MAJOR_VERSIONS.mysql.find((support) => support.major === "8.0")!;
    expect(majorVersionStatus(mysql80, "2026-07-30")).to.equal("standard");
    expect(majorVersionStatus(mysql80, "2026-07-31")).to.equal("extended");
    expect(majorVersionStatus(mysql80, "2029-07-31")).to.equal("gone");
    expect(majorVersionStatus(mysql80)).to.equal(majorVersionStatus(mysql80, VERSION_TABLE_DATE));
  });

  it("lists majors oldest first", () => {
    expect(RDS_MAJOR_VERSIONS.postgres.map((support) => support.major)).to.deep.equal(["11", "12", "13", "14", "15", "16", "17", "18"]);
    expect(RDS_MAJOR_VERSIONS.mysql.map((support) => support.major)).to.deep.equal(["5.7", "8.0", "8.4"]);
  });
});

describe("rdsMajorOf", () => {
  it("reads the PostgreSQL major from major or major.minor, and the MySQL major from major.minor[.patch]", () => {
    expect(["17", "17.6", "9.6"].map((version) => rdsMajorOf("postgres", version))).to.deep.equal(["17", "17", "9"]);
    expect(["8.4", "8.4.6", "5.7.44"].map((version) => rdsMajorOf("mysql", version))).to.deep.equal(["8.4", "8.4", "5.7"]);
    expect([rdsMajorOf("postgres", "17.4.1"), rdsMajorOf("mysql", "8"), rdsMajorOf("mysql", "8.0.mysql_aurora.3.08.0")]).to.deep.equal([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("rdsEngineVersionProblem", () => {
  it("accepts PostgreSQL 14 to 18 and MySQL 8.4, with or without a minor", () => {
    for (const version of ["14", "15.8", "16", "17", "17.6", "18"]) expect(rdsEngineVersionProblem("postgres", version), version).to.equal(undefined);
    for (const version of ["8.4", "8.4.6"]) expect(rdsEngineVersionProblem("mysql", version), version).to.equal(undefined);
  });

  it("accepts a major newer than any known when it parses", () => {
    expect(rdsEngineVersionProblem("postgres", "19")).to.equal(undefined);
    expect(rdsEngineVersionProblem("mysql", "9.7")).to.equal(undefined);
  });

  it("refuses majors only in paid RDS Extended Support, naming the oldest major in standard support", () => {
    expect(rdsEngineVersionProblem("postgres", "13")).to.equal(
      "is PostgreSQL 13, past RDS standard support (ended 2026-02-28): RDS would create it only in paid RDS Extended Support (until 2029-02-28), " +
        `which this program does not use: use 14 or later (14, 15, 16, 17, 18 are in RDS standard support as of ${VERSION_TABLE_DATE})`,
    );
    expect(rdsEngineVersionProblem("postgres", "11.22")).to.include("is PostgreSQL 11, past RDS standard support");
    expect(rdsEngineVersionProblem("mysql", "8.0.39")).to.include("is MySQL 8.0, past RDS standard support (ended 2026-07-31)").and.include("use 8.4 or later");
    expect(rdsEngineVersionProblem("mysql", "5.7")).to.include("until 2027-02-28");
  });

  it("refuses majors RDS no longer creates at all", () => {
    expect(rdsEngineVersionProblem("postgres", "10")).to.include(
      "is PostgreSQL 10, which RDS no longer creates (past the end of RDS Extended Support): use 14 or later",
    );
    expect(rdsEngineVersionProblem("postgres", "9.6")).to.include("is PostgreSQL 9, which RDS no longer creates");
    expect(rdsEngineVersionProblem("mysql", "5.6.51")).to.include("is MySQL 5.6, which RDS no longer creates").and.include("use 8.4 or later");
  });

  it("says a MySQL version on postgres looks like MySQL, not PostgreSQL 8", () => {
    expect(rdsEngineVersionProblem("postgres", "8.4")).to.equal(
      "looks like a MySQL version (MySQL 8.4), not PostgreSQL: set database.engine: mysql for MySQL, or for PostgreSQL " +
        `use 14 or later (14, 15, 16, 17, 18 are in RDS standard support as of ${VERSION_TABLE_DATE})`,
    );
    for (const version of ["8.0", "8.4.6", "5.7", "5.7.44"]) {
      expect(rdsEngineVersionProblem("postgres", version), version)
        .to.match(/^looks like a MySQL version/)
        .and.not.include("PostgreSQL 8,");
    }
  });

  it("says a PostgreSQL version on mysql looks like PostgreSQL, and does not take 16.4 for a future MySQL major", () => {
    expect(rdsEngineVersionProblem("mysql", "17")).to.equal(
      "looks like a PostgreSQL version (PostgreSQL 17), not MySQL: set database.engine: postgres for PostgreSQL, or for MySQL " +
        `use 8.4 or later (8.4 is in RDS standard support as of ${VERSION_TABLE_DATE})`,
    );
    expect(rdsEngineVersionProblem("mysql", "16.4")).to.match(/^looks like a PostgreSQL version \(PostgreSQL 16\)/);
    expect(rdsEngineVersionProblem("mysql", "9.7")).to.equal(undefined);
  });

  it("refuses MySQL majors between listed ones that RDS never offered", () => {
    expect(rdsEngineVersionProblem("mysql", "8.1")).to.include("is MySQL 8.1, a major RDS does not offer: use 8.4 or later");
  });

  it("refuses text that is not a version of the engine's form", () => {
    expect(rdsEngineVersionProblem("postgres", "17.4.1")).to.equal("is not an RDS for PostgreSQL version: write <major> or <major>.<minor>, e.g. 17 or 17.6");
    expect(rdsEngineVersionProblem("mysql", "8")).to.equal(
      "is not an RDS for MySQL version: write <major>.<minor> or <major>.<minor>.<patch>, e.g. 8.4 or 8.4.6",
    );
  });
});

describe("auroraEngineVersionProblem (global database majors)", () => {
  it("accepts Aurora PostgreSQL 14 to 17 and newer", () => {
    for (const version of ["14.15", "16.6", "17.4", "18.1"]) expect(auroraEngineVersionProblem("postgres", version), version).to.equal(undefined);
  });

  it("refuses majors past Aurora standard support, naming the oldest in standard support", () => {
    expect(auroraEngineVersionProblem("postgres", "13.20")).to.equal(
      "Aurora PostgreSQL 13 is not deployed as a global database here: it is past Aurora standard support (Aurora creates 11 to 13 only in paid " +
        "RDS Extended Support, older majors not at all); use 14 or later (14, 15, 16, 17 are in standard support), e.g. 17.4",
    );
    expect(auroraEngineVersionProblem("postgres", "10.21")).to.include("Aurora PostgreSQL 10 is not deployed as a global database here");
  });

  it("still refuses Aurora MySQL version 2 and 3.00", () => {
    expect(auroraEngineVersionProblem("mysql", "5.7.mysql_aurora.2.12.1")).to.include("must be 8.0.mysql_aurora.3.<minor>.<patch>");
    expect(auroraEngineVersionProblem("mysql", "8.0.mysql_aurora.3.00.0")).to.include("older than 3.01.0");
    expect(auroraEngineVersionProblem("mysql", "8.0.mysql_aurora.3.10.1")).to.equal(undefined);
  });
});

describe("parseStackConfig: database.engineVersion", () => {
  it("takes non-default RDS versions: PostgreSQL 16.4 and MySQL 8.4.6", () => {
    expect(parsePrimary({ [`${NS}:database`]: { engineVersion: "16.4" } }).database.engineVersion).to.equal("16.4");
    expect(parsePrimary({ [`${NS}:database`]: { engine: "mysql", engineVersion: "8.4.6" } }).database.engineVersion).to.equal("8.4.6");
  });

  it("refuses PostgreSQL 13 on an RDS instance with the key, the value and the oldest major in standard support", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { engineVersion: "13" } }),
      `${NS}:database.engineVersion`,
      "13",
      "past RDS standard support",
      "use 14 or later",
    );
  });

  it("refuses MySQL 8.0 on an RDS instance", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { engine: "mysql", engineVersion: "8.0.39" } }),
      `${NS}:database.engineVersion`,
      "8.0.39",
      "is MySQL 8.0, past RDS standard support",
      "use 8.4 or later",
    );
  });

  it("refuses a MySQL version without its minor, which names no RDS major", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { engine: "mysql", engineVersion: "8" } }),
      `${NS}:database.engineVersion`,
      "8",
      "write <major>.<minor>",
    );
  });

  it("refuses 8.4 on postgres with the key, saying it looks like a MySQL version", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { engineVersion: "8.4" } }),
      `${NS}:database.engineVersion`,
      "8.4",
      "looks like a MySQL version (MySQL 8.4), not PostgreSQL: set database.engine: mysql",
    );
  });

  it("refuses 17 on mysql with the key, saying it looks like a PostgreSQL version", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { engine: "mysql", engineVersion: "17" } }),
      `${NS}:database.engineVersion`,
      "17",
      "looks like a PostgreSQL version (PostgreSQL 17), not MySQL: set database.engine: postgres",
    );
  });

  it("refuses Aurora PostgreSQL 13 for a global database", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { engineMode: "aurora-global", engineVersion: "13.20" } }),
      `${NS}:database.engineVersion`,
      "13.20",
      "Aurora PostgreSQL 13 is not deployed as a global database here",
      "use 14 or later",
    );
  });
});
