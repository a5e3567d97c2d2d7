// Regions, EC2 instance types and DB instance classes checked against the AWS provider's own lists
// (config/names.ts, config/rules.ts): the lists, the pure rules, and the ConfigProblem each key gets
// from parseStackConfig (key, value found, message with the closest valid names).
import { expect } from "chai";
import { COMMERCIAL_REGIONS, DB_INSTANCE_CLASSES, EC2_INSTANCE_TYPES, partitionOf, PROVIDER_REGIONS, RDS_ONLY_INSTANCE_CLASSES } from "../../config/names";
import { dbInstanceClassProblem, ec2InstanceTypeProblem, instanceModeClassProblem, regionProblem } from "../../config/rules";
import { drSettings, expectOneProblem, NS, parseDr, parsePrimary, primarySettings } from "./fixtures";

describe("provider name lists", () => {
  it("keeps only the commercial aws partition's regions", () => {
    expect(COMMERCIAL_REGIONS).to.include.members(["us-east-1", "us-east-2", "us-west-1", "eu-west-1", "ap-southeast-2", "mx-central-1"]);
    const others = ["cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "us-isof-south-1", "eu-isoe-west-1", "eusc-de-east-1"];
    for (const region of others) {
      expect(PROVIDER_REGIONS.has(region), `${region} is in aws.Region`).to.equal(true);
      expect(COMMERCIAL_REGIONS, region).not.to.include(region);
    }
  });

  it("names the partition of a region", () => {
    expect(
      ["us-east-1", "cn-north-1", "us-gov-east-1", "us-iso-west-1", "us-isob-east-1", "us-isof-east-1", "eu-isoe-west-1", "eusc-de-east-1"].map(partitionOf),
    ).to.deep.equal(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-f", "aws-iso-e", "aws-eusc"]);
  });

  it("takes EC2 types from aws.ec2.InstanceType", () => {
    expect([...EC2_INSTANCE_TYPES]).to.include.members(["t3.small", "m7i.large", "c7g.xlarge", "r8g.metal-24xl"]);
    expect(EC2_INSTANCE_TYPES.has("x2g.large"), "EC2 has x2gd, not x2g").to.equal(false);
  });

  it("accepts DB classes the stale aws.rds.InstanceType lacks, through the EC2 list and the RDS-only list", () => {
    for (const instanceClass of ["db.r6i.large", "db.r7g.xlarge", "db.m7g.large", "db.r8g.2xlarge", "db.x2g.large", "db.serverless"]) {
      expect(DB_INSTANCE_CLASSES.has(instanceClass), instanceClass).to.equal(true);
    }
    expect(RDS_ONLY_INSTANCE_CLASSES).to.include("db.serverless");
    expect(RDS_ONLY_INSTANCE_CLASSES.every((instanceClass) => !EC2_INSTANCE_TYPES.has(instanceClass.replace(/^db\./, "")))).to.equal(true);
  });
});

describe("regionProblem", () => {
  it("accepts commercial regions", () => {
    for (const region of ["eu-west-1", "ap-southeast-2", "us-east-2", "us-west-1", "il-central-1"]) expect(regionProblem(region), region).to.equal(undefined);
  });

  it("names the closest regions of a misspelt one", () => {
    expect(regionProblem("us-east-3")).to.equal(
      "is not an AWS region code of the commercial partition (the AWS provider's Region list); closest valid names: us-east-1, us-east-2",
    );
    expect(regionProblem("eu-wset-1")).to.include("closest valid names: eu-west-1");
    expect(regionProblem("us-east-1a")).to.include("closest valid names: us-east-1");
  });

  it("gives examples when nothing is close", () => {
    expect(regionProblem("mars-1")).to.equal(
      "is not an AWS region code of the commercial partition (the AWS provider's Region list); use one like us-east-1 or eu-west-1",
    );
  });

  it("refuses known regions of other partitions, naming the partition", () => {
    expect(regionProblem("us-gov-west-1")).to.include("is a region of the aws-us-gov partition, which this program does not support");
    expect(regionProblem("cn-north-1")).to.include("aws-cn partition");
  });

  it("says cn-north-1 is of the aws-cn partition and offers no commercial look-alike as if it were a typo", () => {
    expect(regionProblem("cn-north-1")).to.equal(
      "is a region of the aws-cn partition, which this program does not support: it deploys to the commercial aws partition only, " +
        "where both stacks and their cross-region replication must be; use a commercial region such as us-east-1 or eu-west-1",
    );
    for (const region of ["cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-iso-east-1"]) {
      expect(regionProblem(region), region).to.not.include("closest valid names");
    }
  });

  it("names the partition of an unknown code with another partition's prefix, without commercial suggestions", () => {
    expect(regionProblem("cn-nort-1")).to.match(/^has the prefix of the aws-cn partition, which this program does not support/);
    expect(regionProblem("cn-nort-1")).to.not.include("closest valid names");
  });
});

describe("ec2InstanceTypeProblem", () => {
  it("accepts current types of the provider's list", () => {
    for (const type of ["t3.small", "m7i.large", "c7g.xlarge", "t4g.micro", "r8g.metal-24xl"]) expect(ec2InstanceTypeProblem(type), type).to.equal(undefined);
  });

  it("names the closest types of a misspelt one", () => {
    expect(ec2InstanceTypeProblem("t3.smal")).to.equal(
      "is not an EC2 instance type the AWS provider knows (aws.ec2.InstanceType); closest valid names: t3.small",
    );
    expect(ec2InstanceTypeProblem("m7i.larg")).to.include("closest valid names: m7i.large");
    expect(ec2InstanceTypeProblem("T3.SMALL")).to.include("closest valid names: t3.small");
  });

  it("gives the form when nothing is close", () => {
    expect(ec2InstanceTypeProblem("huge")).to.include("write family.size, e.g. t3.small or m7i.large");
  });

  it("still refuses a listed type of a retired family, and never suggests one", () => {
    expect(ec2InstanceTypeProblem("m3.large")).to.equal("is of the retired family m3; pick a current generation type such as t3.small or m7i.large");
    expect(ec2InstanceTypeProblem("cc1.4xlarge")).to.include("retired family cc1");
    expect(ec2InstanceTypeProblem("t1.micr")).not.to.include("t1.micro");
  });
});

describe("dbInstanceClassProblem", () => {
  it("accepts classes of the EC2 list with db. in front and RDS-only classes", () => {
    for (const instanceClass of ["db.r5.large", "db.r7g.xlarge", "db.m7g.large", "db.x2g.large", "db.serverless", "db.t3.micro", "db.t4g.medium"]) {
      expect(dbInstanceClassProblem(instanceClass), instanceClass).to.equal(undefined);
    }
  });

  it("names the closest classes of a misspelt one", () => {
    expect(dbInstanceClassProblem("db.r5.larg")).to.equal(
      "is not an RDS DB instance class (an EC2 type of aws.ec2.InstanceType with db. in front, or an RDS-only class); closest valid names: db.r5.large",
    );
    expect(dbInstanceClassProblem("db.x2g.larg")).to.include("closest valid names: db.x2g.large");
    expect(dbInstanceClassProblem("db.serverles")).to.include("closest valid names: db.serverless");
  });

  it("says to add db. to a bare EC2 type", () => {
    expect(dbInstanceClassProblem("r7g.large")).to.equal("is an EC2 instance type, not a DB instance class; write db.r7g.large");
  });

  it("gives the form when nothing is close", () => {
    expect(dbInstanceClassProblem("db.x9.huge")).to.include("write db.family.size, e.g. db.t4g.medium or db.r7g.large");
  });

  it("still refuses a retired RDS family, and never suggests one", () => {
    expect(dbInstanceClassProblem("db.t2.micro")).to.equal("is of the retired family db.t2; pick a current class such as db.t4g.medium or db.m7g.large");
    expect(dbInstanceClassProblem("db.m4.larg")).not.to.include("db.m4.large");
  });
});

describe("instanceModeClassProblem", () => {
  it("refuses db.serverless for an RDS DB instance and accepts provisioned classes", () => {
    expect(instanceModeClassProblem("db.serverless")).to.include("is Aurora Serverless v2, which an RDS DB instance cannot run");
    expect(instanceModeClassProblem("db.x2g.large")).to.equal(undefined);
  });
});

describe("parseStackConfig: names", () => {
  describe("aws:region", () => {
    it("takes non-default commercial regions for both stacks", () => {
      expect(parsePrimary({ "aws:region": "eu-west-1", [`${NS}:standbyRegion`]: "ap-southeast-2" })).to.include({
        region: "eu-west-1",
        standbyRegion: "ap-southeast-2",
      });
      expect(parseDr({ "aws:region": "us-west-1" }).region).to.equal("us-west-1");
      expect(parsePrimary({ "aws:region": "us-east-2" }).region).to.equal("us-east-2");
    });

    it("refuses a misspelt region with the closest ones", () => {
      expectOneProblem(
        primarySettings({ "aws:region": "us-east-3" }),
        "aws:region",
        "us-east-3",
        "is not an AWS region code",
        "closest valid names: us-east-1, us-east-2",
      );
    });

    it("refuses a GovCloud region on the DR stack", () => {
      expectOneProblem(drSettings({ "aws:region": "us-gov-west-1" }), "aws:region", "us-gov-west-1", "aws-us-gov partition");
    });
  });

  describe("standbyRegion", () => {
    it("refuses a misspelt standby region with the closest ones", () => {
      expectOneProblem(primarySettings({ [`${NS}:standbyRegion`]: "us-wset-2" }), `${NS}:standbyRegion`, "us-wset-2", "closest valid names: us-west-2");
    });
  });

  describe("app.instanceType", () => {
    it("takes m7i.large on the primary and c7g.xlarge on the DR stack", () => {
      expect(parsePrimary({ [`${NS}:app`]: { instanceType: "m7i.large" } }).app.instanceType).to.equal("m7i.large");
      expect(parseDr({ [`${NS}:app`]: { instanceType: "c7g.xlarge" } }).app.instanceType).to.equal("c7g.xlarge");
    });

    it("refuses t3.smal, naming t3.small", () => {
      expectOneProblem(primarySettings({ [`${NS}:app`]: { instanceType: "t3.smal" } }), `${NS}:app.instanceType`, "t3.smal", "closest valid names: t3.small");
    });
  });

  describe("monitoring.nodeInstanceType", () => {
    it("takes m7i.large", () => {
      expect(parsePrimary({ [`${NS}:monitoring`]: { nodeInstanceType: "m7i.large" } }).monitoring.nodeInstanceType).to.equal("m7i.large");
    });

    it("refuses t3.mediun on the DR stack, naming t3.medium", () => {
      expectOneProblem(
        drSettings({ [`${NS}:monitoring`]: { nodeInstanceType: "t3.mediun" } }),
        `${NS}:monitoring.nodeInstanceType`,
        "t3.mediun",
        "closest valid names: t3.medium",
      );
    });
  });

  describe("database.instanceClass", () => {
    it("takes db.r5.large, db.r7g.xlarge, db.m7g.large and db.x2g.large in instance mode", () => {
      for (const instanceClass of ["db.r5.large", "db.r7g.xlarge", "db.m7g.large", "db.x2g.large"]) {
        expect(parsePrimary({ [`${NS}:database`]: { instanceClass } }).database.instanceClass, instanceClass).to.equal(instanceClass);
      }
    });

    it("takes db.t3.micro for MySQL", () => {
      const { database } = parsePrimary({ [`${NS}:database`]: { engine: "mysql", instanceClass: "db.t3.micro" } });
      expect([database.engine, database.instanceClass]).to.deep.equal(["mysql", "db.t3.micro"]);
    });

    it("refuses db.r5.larg, naming db.r5.large", () => {
      expectOneProblem(
        primarySettings({ [`${NS}:database`]: { instanceClass: "db.r5.larg" } }),
        `${NS}:database.instanceClass`,
        "db.r5.larg",
        "closest valid names: db.r5.large",
      );
    });

    it("refuses db.serverless for an RDS instance, and for an Aurora global database (no scaling configuration)", () => {
      expectOneProblem(
        primarySettings({ [`${NS}:database`]: { instanceClass: "db.serverless" } }),
        `${NS}:database.instanceClass`,
        "db.serverless",
        "Aurora Serverless v2",
      );
      expectOneProblem(
        primarySettings({ [`${NS}:database`]: { engineMode: "aurora-global", instanceClass: "db.serverless" } }),
        `${NS}:database.instanceClass`,
        "db.serverless",
        "needs a serverless scaling configuration",
      );
    });

    it("takes db.x2g.large for an Aurora global database", () => {
      expect(parsePrimary({ [`${NS}:database`]: { engineMode: "aurora-global", instanceClass: "db.x2g.large" } }).database.instanceClass).to.equal(
        "db.x2g.large",
      );
    });
  });
});
