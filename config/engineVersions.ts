/**
 * Which RDS engine major versions this program creates DB instances on (engine mode `instance`),
 * from the RDS release calendars, and the rule that refuses the others before any resource exists.
 *
 * Policy (decided for issue 15): a new DR pair is created only on a major in RDS *standard* support.
 * RDS still creates DB instances on a major past its end of standard support, but only enrolled in
 * paid RDS Extended Support ("You can create new databases with major engine versions that have
 * reached the RDS end of standard support date. RDS automatically enrolls these new databases in RDS
 * Extended Support and charges you for this offering", RDS User Guide, "Overview of Amazon RDS
 * Extended Support", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support-overview.html),
 * and forcibly upgrades it at most three years later. This program does not set
 * `engineLifecycleSupport`, so such a database would silently be billed for Extended Support, and the
 * cost estimate does not price it. Majors past the end of Extended Support (or never offered) are not
 * created at all. A major newer than any listed here is accepted when it parses, so a new release
 * works before this table is updated.
 *
 * The support status is computed against {@link VERSION_TABLE_DATE}, not the clock, so validation
 * gives the same answer on every run; moving that date (with the table) is a reviewed change.
 */
import type { Engine } from "./schema";

/** The date the table below was checked against the RDS release calendars (ISO 8601). */
export const VERSION_TABLE_DATE = "2026-11-15";

/** One engine major version and its RDS support dates (ISO 8601; absent when not yet announced). */
export interface MajorVersionSupport {
  readonly major: string;
  /** RDS end of standard support date. */
  readonly standardSupportEnds?: string;
  /** RDS end of Extended Support date: after it RDS creates no DB instance on this major. */
  readonly extendedSupportEnds?: string;
}

/**
 * RDS majors with their support dates, oldest first. Sources: "Release calendar for Amazon RDS for
 * PostgreSQL" (Amazon RDS for PostgreSQL Release Notes,
 * https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html)
 * and "Supported MySQL major versions on Amazon RDS" (RDS User Guide,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html). PostgreSQL
 * 10 and older and MySQL 5.6 and older are past the end of Extended Support and not listed.
 * Check a region with `aws rds describe-db-major-engine-versions --engine postgres|mysql`.
 */
export const RDS_MAJOR_VERSIONS: Readonly<Record<Engine, readonly MajorVersionSupport[]>> = {
  postgres: [
    { major: "11", standardSupportEnds: "2024-02-29", extendedSupportEnds: "2027-03-31" },
    { major: "12", standardSupportEnds: "2025-02-28", extendedSupportEnds: "2028-02-29" },
    { major: "13", standardSupportEnds: "2026-02-28", extendedSupportEnds: "2029-02-28" },
    { major: "14", standardSupportEnds: "2027-02-28", extendedSupportEnds: "2030-02-28" },
    { major: "15", standardSupportEnds: "2028-02-29", extendedSupportEnds: "2031-02-28" },
    { major: "16", standardSupportEnds: "2029-02-28", extendedSupportEnds: "2032-02-29" },
    { major: "17", standardSupportEnds: "2030-02-28", extendedSupportEnds: "2033-02-28" },
    { major: "18" },
  ],
  mysql: [
    { major: "5.7", standardSupportEnds: "2024-02-29", extendedSupportEnds: "2027-02-28" },
    { major: "8.0", standardSupportEnds: "2026-07-31", extendedSupportEnds: "2029-07-31" },
    { major: "8.4", standardSupportEnds: "2029-07-31", extendedSupportEnds: "2032-07-31" },
  ],
};

/** Where a major stands on {@link VERSION_TABLE_DATE}. */
export type MajorVersionStatus = "standard" | "extended" | "gone";

/** The support status of a listed major on `asOf` (default {@link VERSION_TABLE_DATE}). */
export function majorVersionStatus(support: MajorVersionSupport, asOf: string = VERSION_TABLE_DATE): MajorVersionStatus {
  if (support.standardSupportEnds === undefined || asOf < support.standardSupportEnds) return "standard";
  if (support.extendedSupportEnds === undefined || asOf < support.extendedSupportEnds) return "extended";
  return "gone";
}

/** The RDS major of a version: `17` of `17` or `17.6`; `8.4` of `8.4` or `8.4.6`; undefined when it does not parse. */
export function rdsMajorOf(engine: Engine, engineVersion: string): string | undefined {
  const match = engine === "postgres" ? /^(\d+)(?:\.\d+)?$/.exec(engineVersion) : /^(\d+\.\d+)(?:\.\d+)?$/.exec(engineVersion);
  return match?.[1];
}

/** Orders majors numerically: `9` < `10`, `5.7` < `8.0` < `8.4`. */
function compareMajors(a: string, b: string): number {
  const [aMajor, aMinor = 0] = a.split(".").map(Number);
  const [bMajor, bMinor = 0] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

const ENGINE_NAMES: Record<Engine, string> = { postgres: "PostgreSQL", mysql: "MySQL" };

/**
 * The other engine a version evidently belongs to, or undefined. The two engines' numbering do not
 * overlap where RDS offers them: MySQL majors are 5.x and 8.x (5.7, 8.0, 8.4), PostgreSQL majors 10
 * and up (one number since PostgreSQL 10; RDS no longer creates 9.6 or older). So on postgres a
 * 5.x or 8.x version with a minor (`8.4`, `5.7.44`) is a MySQL version, not PostgreSQL 8 or 5, and on
 * mysql a version of 10 or more (`17`, `16.4`) is a PostgreSQL version, not a future MySQL major.
 * PostgreSQL 9.x (9.6) stays PostgreSQL: it is a PostgreSQL version RDS no longer creates.
 */
function otherEngineOf(engine: Engine, engineVersion: string): { engine: Engine; major: string } | undefined {
  if (engine === "postgres") {
    const major = rdsMajorOf("mysql", engineVersion);
    return major !== undefined && /^[58]\./.test(major) ? { engine: "mysql", major } : undefined;
  }
  const major = /^(\d+)(\.\d+){0,2}$/.exec(engineVersion)?.[1];
  return major !== undefined && Number(major) >= 10 ? { engine: "postgres", major } : undefined;
}
const VERSION_FORMS: Record<Engine, string> = {
  postgres: "<major> or <major>.<minor>, e.g. 17 or 17.6",
  mysql: "<major>.<minor> or <major>.<minor>.<patch>, e.g. 8.4 or 8.4.6",
};

/**
 * Why an RDS DB instance (engine mode `instance`) cannot be created on `engineVersion` by this
 * program, or undefined when it can. Accepted: a major in RDS standard support on
 * {@link VERSION_TABLE_DATE} (PostgreSQL 14-18, MySQL 8.4), or newer than every listed major.
 * Refused, naming the oldest major in standard support: majors in paid RDS Extended Support
 * (PostgreSQL 11-13, MySQL 5.7 and 8.0), majors RDS no longer creates (PostgreSQL 10 and older,
 * MySQL 5.6 and older), MySQL majors between listed ones that RDS never offered (8.1-8.3 innovation
 * releases), and text that is not a version of the engine's form. Minor versions are not checked
 * (RDS deprecates them on its own calendar; the default is the major alone, which takes RDS's
 * default minor).
 * @param engine `postgres` or `mysql`.
 * @param engineVersion as configured, e.g. `17`, `16.4`, `8.4`, `8.4.6`.
 */
export function rdsEngineVersionProblem(engine: Engine, engineVersion: string): string | undefined {
  const name = ENGINE_NAMES[engine];
  const majors = RDS_MAJOR_VERSIONS[engine];
  const standard = majors.filter((entry) => majorVersionStatus(entry) === "standard").map((entry) => entry.major);
  const fix = `use ${standard[0]} or later (${standard.join(", ")} ${standard.length === 1 ? "is" : "are"} in RDS standard support as of ${VERSION_TABLE_DATE})`;
  const other = otherEngineOf(engine, engineVersion);
  if (other !== undefined) {
    return (
      `looks like a ${ENGINE_NAMES[other.engine]} version (${ENGINE_NAMES[other.engine]} ${other.major}), not ${name}: ` +
      `set database.engine: ${other.engine} for ${ENGINE_NAMES[other.engine]}, or for ${name} ${fix}`
    );
  }
  const major = rdsMajorOf(engine, engineVersion);
  if (major === undefined) return `is not an RDS for ${name} version: write ${VERSION_FORMS[engine]}`;
  const listed = majors.find((entry) => compareMajors(entry.major, major) === 0);
  if (listed === undefined) {
    if (compareMajors(major, majors[majors.length - 1].major) > 0) return undefined; // newer than any known major
    const older = compareMajors(major, majors[0].major) < 0;
    return older
      ? `is ${name} ${major}, which RDS no longer creates (past the end of RDS Extended Support): ${fix}`
      : `is ${name} ${major}, a major RDS does not offer: ${fix}`;
  }
  switch (majorVersionStatus(listed)) {
    case "standard":
      return undefined;
    case "extended":
      return (
        `is ${name} ${major}, past RDS standard support (ended ${listed.standardSupportEnds}): RDS would create it only in paid ` +
        `RDS Extended Support (until ${listed.extendedSupportEnds}), which this program does not use: ${fix}`
      );
    case "gone":
      return `is ${name} ${major}, which RDS no longer creates (RDS Extended Support ended ${listed.extendedSupportEnds}): ${fix}`;
  }
}
