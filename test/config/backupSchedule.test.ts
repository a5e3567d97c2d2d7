// backup.scheduleExpression: every field of an AWS cron expression within its range (EventBridge
// "Cron expressions reference"), for single values, lists, ranges and steps
// (components/backupRules.ts cronFieldProblem and scheduleProblem), and the ConfigProblem it becomes.
import { expect } from "chai";
import { CRON_FIELDS, cronFieldProblem, scheduleProblem } from "../../components/backupRules";
import { drSettings, expectOneProblem, NS, parseDr } from "./fixtures";

function field(name: string) {
  const spec = CRON_FIELDS.find((candidate) => candidate.name === name);
  if (!spec) throw new Error(`no cron field ${name}`);
  return spec;
}

/** Each field: values in range (single, list, range, step and the field's wildcards) and out of range, with the message part. */
const CASES: { name: string; valid: string[]; invalid: [string, string][] }[] = [
  {
    name: "minutes",
    valid: ["0", "59", "0,30", "0-15", "0/15", "*/10", "*"],
    invalid: [
      ["60", 'has minutes "60", out of range: the minutes field takes 0-59'],
      ["0,60", 'has minutes "0,60" with "60", out of range'],
      ["50-60", 'has minutes "50-60" with "60", out of range'],
      ["0/60", 'has minutes "0/60" with "/60", a step out of range: the minutes step takes 1-59'],
      ["0/0", "a step out of range"],
      ["?", "? is allowed only in day-of-month and day-of-week"],
      ["L", 'has minutes "L", which is not a valid value'],
    ],
  },
  {
    name: "hours",
    valid: ["0", "23", "0,12", "8-17", "0/6", "*/4", "*"],
    invalid: [
      ["24", 'has hours "24", out of range: the hours field takes 0-23'],
      ["6,24", 'has hours "6,24" with "24", out of range'],
      ["20-24", 'has hours "20-24" with "24", out of range'],
      ["24/2", 'has hours "24/2" with "24", out of range'],
      ["0/24", "the hours step takes 1-23"],
    ],
  },
  {
    name: "day-of-month",
    valid: ["1", "31", "1,15", "1-15", "1/7", "*", "?", "L", "LW", "15W"],
    invalid: [
      ["0", 'has day-of-month "0", out of range: the day-of-month field takes 1-31, L, LW, <day>W or ?'],
      ["32", 'has day-of-month "32", out of range'],
      ["1,32", 'has day-of-month "1,32" with "32", out of range'],
      ["25-32", 'with "32", out of range'],
      ["32W", 'has day-of-month "32W" with "32", out of range'],
      ["1/31", "the day-of-month step takes 1-30"],
      ["1#2", "which is not a valid value"],
    ],
  },
  {
    name: "month",
    valid: ["1", "12", "JAN", "DEC", "1,6", "JAN,JUL", "1-6", "JAN-JUN", "1/3", "*"],
    invalid: [
      ["0", 'has month "0", out of range: the month field takes 1-12 or JAN-DEC'],
      ["13", 'has month "13", out of range'],
      ["6-13", 'with "13", out of range'],
      ["JAN-DEX", 'has month "JAN-DEX" with "DEX", which is not a valid value: the month field takes 1-12 or JAN-DEC'],
      ["jan", "which is not a valid value"],
      ["?", "? is allowed only in day-of-month and day-of-week"],
    ],
  },
  {
    name: "day-of-week",
    valid: ["1", "7", "SUN", "SAT", "MON-FRI", "2-6", "MON,WED,FRI", "1,7", "*", "?", "L", "6L", "FRIL", "3#2", "MON#1", "2#5"],
    invalid: [
      ["0", 'has day-of-week "0", out of range: the day-of-week field takes 1-7 or SUN-SAT'],
      ["8", 'has day-of-week "8", out of range'],
      ["1,8", 'with "8", out of range'],
      ["MON-FRY", 'with "FRY", which is not a valid value'],
      ["8L", 'has day-of-week "8L" with "8", out of range'],
      ["8#1", 'has day-of-week "8#1" with "8", out of range'],
      ["3#6", "# takes 1-5"],
      ["3#0", "# takes 1-5"],
      ["3#2,4#1", "# takes one <day>#<n> alone"],
      ["15W", "which is not a valid value"],
      ["2/2", 'has day-of-week "2/2" with "/": the day-of-week field takes no increments'],
      ["*/2", "the day-of-week field takes no increments"],
      ["MON-FRI/2", "the day-of-week field takes no increments"],
      ["1,3/2", "the day-of-week field takes no increments"],
    ],
  },
  {
    name: "year",
    valid: ["1970", "2199", "2026,2027", "2026-2030", "2026/2", "*"],
    invalid: [
      ["1969", 'has year "1969", out of range: the year field takes 1970-2199'],
      ["2200", 'has year "2200", out of range'],
      ["2026,2200", 'with "2200", out of range'],
      ["2190-2200", 'with "2200", out of range'],
      ["1969/5", 'with "1969", out of range'],
    ],
  },
];

describe("cronFieldProblem", () => {
  it("covers the six EventBridge fields with their ranges", () => {
    expect(CRON_FIELDS.map((spec) => [spec.name, spec.min, spec.max])).to.deep.equal([
      ["minutes", 0, 59],
      ["hours", 0, 23],
      ["day-of-month", 1, 31],
      ["month", 1, 12],
      ["day-of-week", 1, 7],
      ["year", 1970, 2199],
    ]);
  });

  for (const { name, valid, invalid } of CASES) {
    describe(name, () => {
      it(`accepts ${valid.join("  ")}`, () => {
        for (const text of valid) expect(cronFieldProblem(field(name), text), text).to.equal(undefined);
      });

      for (const [text, message] of invalid) {
        it(`refuses ${text}`, () => {
          expect(cronFieldProblem(field(name), text)).to.include(message);
        });
      }
    });
  }
});

describe("scheduleProblem", () => {
  it("accepts hourly-or-slower schedules that use every field", () => {
    for (const expression of [
      "cron(0 5 ? * * *)",
      "cron(30 2 ? * MON-FRI *)",
      "cron(0 0/6 ? * * *)",
      "cron(59 23 L * ? 2199)",
      "cron(0 12 ? JAN-JUN 3#2 2026-2030)",
      "cron(15 8-17 1,15 * ? *)",
    ]) {
      expect(scheduleProblem(expression), expression).to.equal(undefined);
    }
  });

  it("names the field out of range and the whole expression", () => {
    expect(scheduleProblem("cron(0 24 ? * * *)")).to.equal('has hours "24", out of range: the hours field takes 0-23, in "cron(0 24 ? * * *)"');
    expect(scheduleProblem("cron(0 5 ? 13 * *)")).to.include('has month "13", out of range');
    expect(scheduleProblem("cron(0 5 ? * * 2200)")).to.include('has year "2200", out of range');
  });

  it("checks ranges before AWS Backup's one-minute rule, and keeps that rule for in-range minute lists and steps", () => {
    expect(scheduleProblem("cron(60 5 ? * * *)")).to.include('has minutes "60", out of range');
    expect(scheduleProblem("cron(0/15 * ? * * *)")).to.include("must name one minute (0-59): AWS Backup refuses backup jobs less than 60 minutes apart");
    expect(scheduleProblem("cron(0,30 5 ? * * *)")).to.include("less than 60 minutes apart");
  });

  it("still wants ? in exactly one of day-of-month and day-of-week", () => {
    expect(scheduleProblem("cron(0 5 * * * *)")).to.include("must have ? in exactly one of day-of-month and day-of-week");
    expect(scheduleProblem("cron(0 5 ? * ? *)")).to.include("must have ? in exactly one");
  });
});

describe("scheduleProblem: dates that never occur", () => {
  it("refuses the 31st of a 30-day month and of February, and the 30th of February", () => {
    for (const [expression, month] of [
      ["cron(0 5 31 2 ? *)", "FEB"],
      ["cron(0 5 31 4 ? *)", "APR"],
      ["cron(0 5 31 JUN ? *)", "JUN"],
      ["cron(0 5 31 9 ? *)", "SEP"],
      ["cron(0 5 31 11 ? *)", "NOV"],
      ["cron(0 5 30 2 ? *)", "FEB"],
    ]) {
      expect(scheduleProblem(expression), expression).to.include(`a date that never occurs (${month} has at most`).and.include("so no backup would ever run");
    }
    expect(scheduleProblem("cron(0 5 31 2 ? *)")).to.equal(
      'has day-of-month 31 and month 2, a date that never occurs (FEB has at most 29 days), so no backup would ever run: pick a day the month has, or L for its last day, in "cron(0 5 31 2 ? *)"',
    );
  });

  it("refuses a list of days and months none of which meet", () => {
    expect(scheduleProblem("cron(0 5 31 2,4,6 ? *)")).to.include("(FEB, APR, JUN have at most 30 days)");
    expect(scheduleProblem("cron(0 5 30,31 FEB ? *)")).to.include("a date that never occurs");
  });

  it("keeps February 29 (leap years), refusing it only when every year named is not a leap year", () => {
    expect(scheduleProblem("cron(0 5 29 2 ? *)")).to.equal(undefined);
    expect(scheduleProblem("cron(0 5 29 2 ? 2028)")).to.equal(undefined);
    expect(scheduleProblem("cron(0 5 29 2 ? 2026-2028)")).to.equal(undefined);
    expect(scheduleProblem("cron(0 5 29 2 ? 2027)")).to.include("February 29 exists only in leap years");
    expect(scheduleProblem("cron(0 5 29 FEB ? 2100)")).to.include("a date that never occurs");
  });

  it("accepts dates that occur in some month named, and L, W, * and steps", () => {
    for (const expression of [
      "cron(0 5 31 2,3 ? *)",
      "cron(0 5 31 9-11 ? *)",
      "cron(0 5 30 * ? *)",
      "cron(0 5 L 2 ? *)",
      "cron(0 5 28 2 ? *)",
      "cron(0 5 1/10 2 ? *)",
      "cron(0 5 31W 4 ? *)",
    ]) {
      expect(scheduleProblem(expression), expression).to.equal(undefined);
    }
  });
});

describe("parseStackConfig: backup.scheduleExpression", () => {
  it("takes a weekday schedule", () => {
    expect(parseDr({ [`${NS}:backup`]: { scheduleExpression: "cron(30 2 ? * MON-FRI *)" } }).backup.scheduleExpression).to.equal("cron(30 2 ? * MON-FRI *)");
  });

  it("refuses day-of-month 32 with the key, the value and the range", () => {
    expectOneProblem(
      drSettings({ [`${NS}:backup`]: { scheduleExpression: "cron(0 5 32 * ? *)" } }),
      `${NS}:backup.scheduleExpression`,
      "cron(0 5 32 * ? *)",
      'has day-of-month "32", out of range: the day-of-month field takes 1-31',
    );
  });

  it("refuses an increment in day-of-week (every other Monday) with the key", () => {
    expectOneProblem(
      drSettings({ [`${NS}:backup`]: { scheduleExpression: "cron(0 5 ? * 2/2 *)" } }),
      `${NS}:backup.scheduleExpression`,
      "cron(0 5 ? * 2/2 *)",
      'has day-of-week "2/2" with "/": the day-of-week field takes no increments (EventBridge allows , - * ? L # there',
    );
  });

  it("refuses February 31st with the key", () => {
    expectOneProblem(
      drSettings({ [`${NS}:backup`]: { scheduleExpression: "cron(0 5 31 FEB ? *)" } }),
      `${NS}:backup.scheduleExpression`,
      "cron(0 5 31 FEB ? *)",
      "a date that never occurs",
    );
  });
});
