/**
 * Unit tests of the DR strategy resolution (config/drStrategy.ts): resolveDrStrategy and drCapacity
 * on DR configurations parsed by parseStackConfig, so every schema default is the real one. For each
 * strategy the resolved capacity, NAT gateways, Multi-AZ and footprint against the table of
 * config/strategies.ts; explicit overrides; every refused combination, by its key and the fix its
 * message names; the backup-restore restore (database.restoreToTime); and the capacity ordering.
 */
import { expect } from "chai";
import { drCapacity, resolveDrStrategy, type DrFootprint, type ResolvedDrConfig } from "../config/drStrategy";
import type { ConfigProblem } from "../config/errors";
import { parseStackConfig } from "../config/load";
import type { DrConfig } from "../config/schema";
import { STRATEGIES, type Strategy } from "../config/strategies";
import { primaryOutputsFixture } from "./fixtures/primaryOutputs";

const NS = "multi-region-dr";
const key = (path: string) => `${NS}:${path}`;

/** A primary whose counts differ from the DR defaults and from each other (min 3, desired 4), so a copy is visible. */
const PRIMARY = primaryOutputsFixture({ appMinSize: 3, appDesiredCapacity: 4 });
const RESTORE_TIME = "2026-11-21T08:30:00Z";

type Settings = Record<string, unknown>;

/** A DR configuration from a flat Pulumi config map, objects as JSON text, as `pulumi.runtime.allConfig()` returns it. */
function parseDr(settings: Settings = {}): DrConfig {
  const flat: Record<string, string> = {
    "aws:region": "us-west-2",
    [key("role")]: "dr",
    [key("primaryStack")]: "organization/multi-region-dr/primary",
  };
  for (const [name, value] of Object.entries(settings)) flat[key(name)] = typeof value === "string" ? value : JSON.stringify(value);
  const config = parseStackConfig(flat, "dr");
  if (config.role !== "dr") throw new Error(`expected a dr config, got ${config.role}`);
  return config;
}

/** A DR configuration with `recovery.strategy` and any other settings. */
const drConfig = (strategy: Strategy, settings: Settings = {}) => parseDr({ recovery: { strategy }, ...settings });

/** Resolves and expects success: no problems, a configuration. */
function resolved(config: DrConfig, primary = PRIMARY): ResolvedDrConfig {
  const result = resolveDrStrategy(config, primary);
  expect(result.problems, JSON.stringify(result.problems)).to.deep.equal([]);
  expect(result.config, "a resolved configuration").to.not.equal(undefined);
  return result.config!;
}

/** Resolves and expects failure: no configuration, and the problems. */
function problemsOf(config: DrConfig, primary = PRIMARY): ConfigProblem[] {
  const result = resolveDrStrategy(config, primary);
  expect(result.config, "no configuration alongside problems").to.equal(undefined);
  expect(result.problems, "at least one problem").to.have.length.above(0);
  return result.problems;
}

interface ExpectedProblem {
  key: string;
  value: unknown;
  /** A fragment of the message: what is wrong, or the fix. */
  fragments: string[];
}

/** Expects exactly these problems, in this order, each with its key, value and message fragments. */
function expectProblems(problems: ConfigProblem[], ...expected: ExpectedProblem[]): void {
  expect(
    problems.map((problem) => problem.key),
    JSON.stringify(problems, null, 1),
  ).to.deep.equal(expected.map((problem) => problem.key));
  expected.forEach((want, index) => {
    expect(problems[index].value, want.key).to.deep.equal(want.value);
    for (const fragment of want.fragments) expect(problems[index].message, want.key).to.include(fragment);
  });
}

/** The table of config/strategies.ts, written out: what the DR region runs before a disaster. */
const TABLE: Record<
  Strategy,
  { minSize: number; desiredCapacity: number; natGateways: string; multiAz: boolean; footprint: Omit<DrFootprint, "strategy" | "restoring"> }
> = {
  "backup-restore": {
    minSize: 0,
    desiredCapacity: 0,
    natGateways: "none",
    multiAz: true,
    footprint: { databaseCopy: "automated-backups", monitoringCluster: false, recoveryWorkflows: false },
  },
  "pilot-light": {
    minSize: 0,
    desiredCapacity: 0,
    natGateways: "single",
    multiAz: false,
    footprint: { databaseCopy: "read-replica", monitoringCluster: true, recoveryWorkflows: true },
  },
  "warm-standby": {
    minSize: 1,
    desiredCapacity: 1,
    natGateways: "single",
    multiAz: true,
    footprint: { databaseCopy: "read-replica", monitoringCluster: true, recoveryWorkflows: true },
  },
  // The primary's own counts (PRIMARY: 3 / 4).
  "hot-standby": {
    minSize: 3,
    desiredCapacity: 4,
    natGateways: "one-per-zone",
    multiAz: true,
    footprint: { databaseCopy: "read-replica", monitoringCluster: true, recoveryWorkflows: true },
  },
};

describe("resolveDrStrategy", () => {
  describe("the defaults of each strategy (the table of config/strategies.ts)", () => {
    for (const strategy of STRATEGIES) {
      const row = TABLE[strategy];
      it(`${strategy}: ${row.minSize}/${row.desiredCapacity} instances, NAT ${row.natGateways}, Multi-AZ ${row.multiAz}, ${row.footprint.databaseCopy}`, () => {
        const config = drConfig(strategy);
        const result = resolved(config);
        // The DR app listens on the primary's port (the DR stack file sets none).
        expect(result.app).to.deep.equal({ ...config.app, minSize: row.minSize, desiredCapacity: row.desiredCapacity, port: 8080 });
        expect(result.network).to.deep.equal({ ...config.network, natGateways: row.natGateways });
        expect(result.database).to.deep.equal({ ...config.database, multiAz: row.multiAz });
        expect(result.footprint).to.deep.equal({ strategy, restoring: false, ...row.footprint });
        // Everything the strategy does not decide is passed through as parsed.
        expect(result.recovery).to.deep.equal(config.recovery);
        expect(result.failover).to.deep.equal(config.failover);
        expect(result.dns).to.deep.equal(config.dns);
        expect(result.app.maxSize).to.equal(6);
      });
    }

    it("warm-standby is the default strategy", () => {
      const result = resolved(parseDr());
      expect(result.footprint.strategy).to.equal("warm-standby");
      expect([result.app.minSize, result.app.desiredCapacity, result.network.natGateways]).to.deep.equal([1, 1, "single"]);
    });

    it("hot-standby follows the primary it is given, not a fixed count", () => {
      const result = resolved(drConfig("hot-standby"), primaryOutputsFixture({ appMinSize: 2, appDesiredCapacity: 5 }));
      expect([result.app.minSize, result.app.desiredCapacity]).to.deep.equal([2, 5]);
    });

    it("leaves the parsed configuration untouched", () => {
      const config = drConfig("hot-standby");
      const before = JSON.stringify(config);
      resolved(config);
      expect(JSON.stringify(config)).to.equal(before);
      expect(config.app.minSize).to.equal(undefined);
      expect(config.network.natGateways).to.equal(undefined);
    });
  });

  describe("explicit settings win over the strategy's defaults", () => {
    it("warm-standby with app.desiredCapacity 3 runs 3, its minimum staying 1", () => {
      const result = resolved(drConfig("warm-standby", { app: { desiredCapacity: 3 } }));
      expect([result.app.minSize, result.app.desiredCapacity]).to.deep.equal([1, 3]);
    });

    it("warm-standby with app.minSize 2 raises the desired count with it", () => {
      const result = resolved(drConfig("warm-standby", { app: { minSize: 2 } }));
      expect([result.app.minSize, result.app.desiredCapacity]).to.deep.equal([2, 2]);
    });

    it("pilot-light with database.multiAz true runs a Multi-AZ replica", () => {
      expect(resolved(drConfig("pilot-light", { database: { multiAz: true } })).database.multiAz).to.equal(true);
    });

    it("warm-standby with database.multiAz false runs a Single-AZ replica", () => {
      expect(resolved(drConfig("warm-standby", { database: { multiAz: false } })).database.multiAz).to.equal(false);
    });

    it("hot-standby with network.natGateways single and counts above the primary's", () => {
      const result = resolved(drConfig("hot-standby", { network: { natGateways: "single" }, app: { minSize: 4, desiredCapacity: 5 } }));
      expect(result.network.natGateways).to.equal("single");
      expect([result.app.minSize, result.app.desiredCapacity]).to.deep.equal([4, 5]);
    });

    it("pilot-light and backup-restore accept explicit zeros", () => {
      for (const strategy of ["pilot-light", "backup-restore"] as const) {
        const result = resolved(drConfig(strategy, { app: { minSize: 0, desiredCapacity: 0 } }));
        expect([result.app.minSize, result.app.desiredCapacity], strategy).to.deep.equal([0, 0]);
      }
    });

    it("backup-restore accepts a NAT gateway before any restore", () => {
      expect(resolved(drConfig("backup-restore", { network: { natGateways: "single" } })).network.natGateways).to.equal("single");
    });
  });

  describe("the backup-restore restore (database.restoreToTime)", () => {
    for (const restoreToTime of ["latest", RESTORE_TIME]) {
      it(`to ${restoreToTime}: brings the primary's capacity, a single NAT gateway and the recovery workflows`, () => {
        const config = drConfig("backup-restore", { database: { restoreToTime } });
        const result = resolved(config);
        expect([result.app.minSize, result.app.desiredCapacity]).to.deep.equal([3, 4]);
        expect(result.network.natGateways).to.equal("single");
        expect(result.database).to.deep.equal({ ...config.database, restoreToTime, multiAz: true });
        expect(result.footprint).to.deep.equal({
          strategy: "backup-restore",
          databaseCopy: "automated-backups",
          restoring: true,
          monitoringCluster: false,
          recoveryWorkflows: true,
        });
      });
    }

    it("keeps an explicit one-per-zone NAT and counts above the primary's", () => {
      const result = resolved(
        drConfig("backup-restore", { database: { restoreToTime: "latest" }, network: { natGateways: "one-per-zone" }, app: { desiredCapacity: 5 } }),
      );
      expect(result.network.natGateways).to.equal("one-per-zone");
      expect([result.app.minSize, result.app.desiredCapacity]).to.deep.equal([3, 5]);
    });
  });

  describe("refuses settings that contradict the strategy", () => {
    for (const strategy of ["pilot-light", "backup-restore"] as const) {
      const fragments = [`${strategy} runs no app instances in the DR region before a failover`, "recovery.strategy: warm-standby"];

      it(`${strategy} with app.minSize 1`, () => {
        expectProblems(problemsOf(drConfig(strategy, { app: { minSize: 1 } })), { key: key("app.minSize"), value: 1, fragments });
      });

      it(`${strategy} with app.desiredCapacity 2`, () => {
        expectProblems(problemsOf(drConfig(strategy, { app: { desiredCapacity: 2 } })), { key: key("app.desiredCapacity"), value: 2, fragments });
      });

      it(`${strategy} with both counts set, one problem each`, () => {
        expectProblems(
          problemsOf(drConfig(strategy, { app: { minSize: 1, desiredCapacity: 2 } })),
          { key: key("app.minSize"), value: 1, fragments },
          { key: key("app.desiredCapacity"), value: 2, fragments },
        );
      });
    }

    it("warm-standby with app.desiredCapacity 0", () => {
      expectProblems(problemsOf(drConfig("warm-standby", { app: { desiredCapacity: 0 } })), {
        key: key("app.desiredCapacity"),
        value: 0,
        fragments: ["a warm standby keeps at least one instance", "recovery.strategy: pilot-light"],
      });
    });

    it("hot-standby with app.minSize below the primary's", () => {
      expectProblems(problemsOf(drConfig("hot-standby", { app: { minSize: 2 } })), {
        key: key("app.minSize"),
        value: 2,
        fragments: ["a hot standby runs the primary's full capacity", "set at least the primary's 3"],
      });
    });

    it("hot-standby with app.desiredCapacity below the primary's", () => {
      expectProblems(problemsOf(drConfig("hot-standby", { app: { desiredCapacity: 3 } })), {
        key: key("app.desiredCapacity"),
        value: 3,
        fragments: ["a hot standby runs the primary's full capacity", "set at least the primary's 4"],
      });
    });

    for (const strategy of ["pilot-light", "warm-standby", "hot-standby"] as const) {
      it(`database.restoreToTime with ${strategy}`, () => {
        expectProblems(problemsOf(drConfig(strategy, { database: { restoreToTime: "latest" } })), {
          key: key("database.restoreToTime"),
          value: "latest",
          fragments: ["only backup-restore keeps", `${strategy} recovers by promoting its read replica`],
        });
      });
    }

    it("backup-restore with failover.automatic true", () => {
      expectProblems(problemsOf(drConfig("backup-restore", { failover: { automatic: true } })), {
        key: key("failover.automatic"),
        value: true,
        fragments: ["backup-restore has no replica for a workflow to promote", "set it to false, or choose pilot-light"],
      });
    });

    it("backup-restore with database.promoted true", () => {
      expectProblems(problemsOf(drConfig("backup-restore", { database: { promoted: true } })), {
        key: key("database.promoted"),
        value: true,
        fragments: ["backup-restore keeps none", "database.restoreToTime"],
      });
    });

    for (const strategy of ["pilot-light", "warm-standby", "hot-standby"] as const) {
      it(`network.natGateways none with ${strategy}`, () => {
        expectProblems(problemsOf(drConfig(strategy, { network: { natGateways: "none" } })), {
          key: key("network.natGateways"),
          value: "none",
          fragments: [`${strategy} runs instances that need outbound access`, "use single or one-per-zone, or choose backup-restore"],
        });
      });
    }

    it("a restore with network.natGateways none", () => {
      expectProblems(problemsOf(drConfig("backup-restore", { database: { restoreToTime: "latest" }, network: { natGateways: "none" } })), {
        key: key("network.natGateways"),
        value: "none",
        fragments: ["a restore starts the app tier", "a restore defaults to single"],
      });
    });

    it("a restore with counts below the primary's (the backup-restore zeros left in place)", () => {
      expectProblems(
        problemsOf(drConfig("backup-restore", { database: { restoreToTime: "latest" }, app: { minSize: 0, desiredCapacity: 0 } })),
        { key: key("app.minSize"), value: 0, fragments: ["a restore brings the DR region to the primary's capacity", "set at least the primary's 3"] },
        { key: key("app.desiredCapacity"), value: 0, fragments: ["a restore brings the DR region to the primary's capacity", "set at least the primary's 4"] },
      );
    });

    it("reports every problem at once: the strategy's and the capacity's", () => {
      const problems = problemsOf(drConfig("backup-restore", { failover: { automatic: true }, database: { promoted: true }, app: { minSize: 1 } }));
      expect(problems.map((problem) => problem.key)).to.deep.equal([key("failover.automatic"), key("database.promoted"), key("app.minSize")]);
    });
  });

  describe("capacity ordering (minSize <= desiredCapacity <= maxSize) once the defaults are filled", () => {
    it("hot-standby whose primary's desired count is above the DR maximum", () => {
      expectProblems(problemsOf(drConfig("hot-standby", { app: { maxSize: 3 } })), {
        key: key("app.desiredCapacity"),
        value: { minSize: 3, desiredCapacity: 4, maxSize: 3 },
        fragments: ["must satisfy minSize <= desiredCapacity <= maxSize (got 3, 4, 3)"],
      });
    });

    it("a restore whose primary's desired count is above the DR maximum", () => {
      expectProblems(problemsOf(drConfig("backup-restore", { database: { restoreToTime: "latest" }, app: { maxSize: 3 } })), {
        key: key("app.desiredCapacity"),
        value: { minSize: 3, desiredCapacity: 4, maxSize: 3 },
        fragments: ["(got 3, 4, 3)"],
      });
    });

    it("is reported only when no other problem is, so the first fix is the strategy's", () => {
      // minSize 2 is below the primary's 3, and the copied desired 4 is above maxSize 3: only the first is reported.
      const problems = problemsOf(drConfig("hot-standby", { app: { minSize: 2, maxSize: 3 } }));
      expectProblems(problems, { key: key("app.minSize"), value: 2, fragments: ["set at least the primary's 3"] });
      expect(drCapacity("hot-standby", false, drConfig("hot-standby", { app: { minSize: 3, maxSize: 3 } }).app, PRIMARY).problems[0].message).to.include(
        "(got 3, 4, 3)",
      );
    });

    it("passes at the edge: hot-standby with maxSize equal to the primary's desired count", () => {
      const result = resolved(drConfig("hot-standby", { app: { maxSize: 4 } }));
      expect([result.app.minSize, result.app.desiredCapacity, result.app.maxSize]).to.deep.equal([3, 4, 4]);
    });
  });
});

describe("drCapacity", () => {
  const app = (settings: Settings = {}) => drConfig("warm-standby", { app: settings }).app;

  it("fills each strategy's counts, with no problems", () => {
    for (const strategy of STRATEGIES) {
      const { minSize, desiredCapacity, problems } = drCapacity(strategy, false, app(), PRIMARY);
      expect({ minSize, desiredCapacity, problems }, strategy).to.deep.equal({
        minSize: TABLE[strategy].minSize,
        desiredCapacity: TABLE[strategy].desiredCapacity,
        problems: [],
      });
    }
  });

  it("restoring: the primary's counts, whatever the strategy's zeros", () => {
    expect(drCapacity("backup-restore", true, app(), PRIMARY)).to.deep.equal({ minSize: 3, desiredCapacity: 4, problems: [] });
  });

  it("restoring: explicit counts for instances are no longer refused as pre-failover instances, only checked against the primary", () => {
    expect(drCapacity("backup-restore", true, app({ minSize: 3, desiredCapacity: 4 }), PRIMARY)).to.deep.equal({
      minSize: 3,
      desiredCapacity: 4,
      problems: [],
    });
  });

  it("a minimum above the desired count (counts the schema would refuse) is an ordering problem on app.desiredCapacity", () => {
    const result = drCapacity("warm-standby", false, { ...app(), minSize: 3, desiredCapacity: 2 }, PRIMARY);
    expect([result.minSize, result.desiredCapacity]).to.deep.equal([3, 2]);
    expectProblems(result.problems, {
      key: key("app.desiredCapacity"),
      value: { minSize: 3, desiredCapacity: 2, maxSize: 6 },
      fragments: ["must satisfy minSize <= desiredCapacity <= maxSize (got 3, 2, 6)"],
    });
  });

  it("a desired count above the maximum is an ordering problem", () => {
    const result = drCapacity("warm-standby", false, { ...app(), desiredCapacity: 7 }, PRIMARY);
    expectProblems(result.problems, {
      key: key("app.desiredCapacity"),
      value: { minSize: 1, desiredCapacity: 7, maxSize: 6 },
      fragments: ["(got 1, 7, 6)"],
    });
  });

  it("hot-standby with an explicit desired count below the primary's minimum copies it into the minimum, and refuses the desired count", () => {
    const result = drCapacity("hot-standby", false, app({ desiredCapacity: 2 }), PRIMARY);
    expect([result.minSize, result.desiredCapacity]).to.deep.equal([2, 2]);
    const desired = result.problems.filter((problem) => problem.key === key("app.desiredCapacity"));
    expect(desired, JSON.stringify(result.problems)).to.have.length(1);
    expect(desired[0].value).to.equal(2);
    expect(desired[0].message).to.include("set at least the primary's 4");
  });
});
