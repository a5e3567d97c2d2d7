/**
 * The cost estimate of the data-protection resources (issue 7) on hand-written plans: Aurora Global
 * Database (global cluster, clusters, instances priced per class, engine, storage configuration and
 * region), the DynamoDB global table and its replica, AWS Backup vaults and plans, S3 Object Lock and
 * KMS multi-Region replica keys. Expected amounts are worked out here from the list prices the table
 * quotes (730 hours x the hourly rate), not by calling the code under test.
 */
import { expect } from "chai";
import { BILLABLE_TYPES } from "../../cost/billableTypes";
import { estimateMonthlyCost, type CostEstimate } from "../../cost/estimate";
import type { PlannedResource } from "../../synth/recordStack";
import { notPricedOf, onlyNotPriced, planned, planOf } from "../fixtures/plannedResources";

const HOURS = 730;

const closeTo = (actual: number, expected: number) => expect(actual).to.be.closeTo(expected, 1e-9);

/** The usage units the estimate lists for one resource. */
const unitsOf = (estimate: CostEstimate, resourceName: string) =>
  estimate.usageBased.filter((usage) => usage.resourceName === resourceName).map((usage) => usage.unit);

/** An Aurora cluster and its instances, as the aurora-global mode of ReplicatedDatabase builds them. */
function auroraCluster(
  name: string,
  options: { region?: string; engine?: string; storageType?: string; classes?: string[]; inputs?: Record<string, unknown> } = {},
): PlannedResource[] {
  const region = options.region ?? "us-east-1";
  const engine = options.engine ?? "aurora-postgresql";
  const cluster = planned(
    "aws:rds/cluster:Cluster",
    name,
    {
      clusterIdentifier: name,
      engine,
      ...(options.storageType ? { storageType: options.storageType } : {}),
      backupRetentionPeriod: 7,
      ...options.inputs,
    },
    { region, id: name },
  );
  const instances = (options.classes ?? ["db.r6g.large"]).map((instanceClass, index) =>
    planned("aws:rds/clusterInstance:ClusterInstance", `${name}-${index}`, { clusterIdentifier: name, engine, instanceClass }, { region }),
  );
  return [cluster, ...instances];
}

/** Aurora Standard on-demand rates of the Aurora pricing page, us-east-1 (the same in us-west-2 and for both engines). */
const AURORA_STANDARD = { "db.r6g.large": 0.26, "db.r6g.xlarge": 0.519, "db.r7g.large": 0.276, "db.r7g.xlarge": 0.553, "db.r5.large": 0.29 } as const;

describe("cost estimate of the data-protection resources", () => {
  describe("Aurora Global Database", () => {
    it("prices a global database: a writer and a reader db.r6g.large in the primary, one in the secondary, each 730 h at $0.26, and the primary's password secret", () => {
      const global = planned("aws:rds/globalCluster:GlobalCluster", "global", { globalClusterIdentifier: "app-global", engine: "aurora-postgresql" });
      const primary = auroraCluster("primary-db", {
        classes: ["db.r6g.large", "db.r6g.large"],
        inputs: { globalClusterIdentifier: "app-global", manageMasterUserPassword: true },
      });
      const secondary = auroraCluster("secondary-db", { region: "us-west-2", inputs: { globalClusterIdentifier: "app-global" } });
      const estimate = estimateMonthlyCost(planOf([global, ...primary, ...secondary]));
      const instanceLines = estimate.lines.filter((line) => line.type === "aws:rds/clusterInstance:ClusterInstance");
      expect(instanceLines.map((line) => [line.resourceName, line.region, line.quantity, line.unitPriceUsd])).to.deep.equal([
        ["primary-db-0", "us-east-1", HOURS, 0.26],
        ["primary-db-1", "us-east-1", HOURS, 0.26],
        ["secondary-db-0", "us-west-2", HOURS, 0.26],
      ]);
      expect(instanceLines[0].description).to.equal("db.r6g.large aurora-postgresql instance of cluster primary-db (Aurora Standard), 730 h");
      const secret = estimate.lines.filter((line) => line.resourceName === "primary-db");
      expect(secret.map((line) => [line.description, line.unitPriceUsd])).to.deep.equal([
        ["master user password secret in Secrets Manager (manageMasterUserPassword)", 0.4],
      ]);
      expect(estimate.lines.filter((line) => line.resourceName === "secondary-db")).to.deep.equal([]);
      // 3 x 730 h x $0.26 + $0.40 = $569.80
      closeTo(estimate.totalMonthlyUsd, 3 * HOURS * 0.26 + 0.4);
      expect(unitsOf(estimate, "global")).to.deep.equal([
        "per million replicated write I/Os to each secondary region, plus data transfer between regions per GB (the global cluster itself has no charge)",
      ]);
      expect(unitsOf(estimate, "primary-db")).to.deep.equal([
        "Aurora Standard cluster storage, per GB-month of the cluster volume",
        "Aurora Standard I/O requests, per million",
        "backup storage beyond 100% of the cluster volume (automated backups kept 7 days, and snapshots), per GB-month",
        "replicated write I/Os and data transfer of the global database (listed on the global cluster), per million and per GB",
      ]);
    });

    for (const region of ["us-east-1", "us-west-2"]) {
      for (const engine of ["aurora-postgresql", "aurora-mysql"]) {
        it(`prices each Aurora class of ${engine} in ${region} at its Standard rate, and at 1.3 x in I/O-Optimized`, () => {
          for (const [instanceClass, usd] of Object.entries(AURORA_STANDARD)) {
            const standard = estimateMonthlyCost(planOf(auroraCluster("db", { region, engine, classes: [instanceClass] }), region));
            expect(
              standard.lines.map((line) => [line.region, line.unitPriceUsd]),
              instanceClass,
            ).to.deep.equal([[region, usd]]);
            closeTo(standard.totalMonthlyUsd, HOURS * usd);
            const optimized = estimateMonthlyCost(
              planOf(auroraCluster("db", { region, engine, storageType: "aurora-iopt1", classes: [instanceClass] }), region),
            );
            closeTo(optimized.lines[0].unitPriceUsd, usd * 1.3);
            expect(optimized.lines[0].description).to.contain("(Aurora I/O-Optimized)");
          }
        });
      }
    }

    it("lists no I/O requests for an I/O-Optimized cluster, and Backtrack and log exports when on", () => {
      const estimate = estimateMonthlyCost(
        planOf(
          auroraCluster("db", {
            engine: "aurora-mysql",
            storageType: "aurora-iopt1",
            inputs: { backtrackWindow: 3600, enabledCloudwatchLogsExports: ["error"], backupRetentionPeriod: 14 },
          }),
        ),
      );
      expect(unitsOf(estimate, "db")).to.deep.equal([
        "Aurora I/O-Optimized cluster storage, per GB-month of the cluster volume (I/O included)",
        "backup storage beyond 100% of the cluster volume (automated backups kept 14 days, and snapshots), per GB-month",
        "Backtrack change records, per million change records per hour",
        "database logs exported to CloudWatch Logs, per GB ingested and stored",
      ]);
    });

    it("takes the engine from the cluster when the instance has none, and lists a T instance's CPU credits as usage", () => {
      const [cluster] = auroraCluster("db");
      const instance = planned("aws:rds/clusterInstance:ClusterInstance", "db-t", { clusterIdentifier: "db", instanceClass: "db.t4g.medium" });
      const estimate = estimateMonthlyCost(planOf([cluster, instance]));
      expect(estimate.lines[0]).to.include({
        unitPriceUsd: 0.073,
        description: "db.t4g.medium aurora-postgresql instance of cluster db (Aurora Standard), 730 h",
      });
      expect(unitsOf(estimate, "db-t")).to.deep.equal([
        "CPU credits of db.t4g.medium above its baseline (Aurora T instances run in Unlimited mode), per vCPU-hour",
      ]);
    });

    it("lists an Aurora class without a price as not priced, naming region, engine, class, the file and the fix", () => {
      expect(onlyNotPriced(estimateMonthlyCost(planOf(auroraCluster("db", { classes: ["db.x2g.large"] }))), "db-0")).to.equal(
        "db.x2g.large aurora-postgresql instance of cluster db (Aurora Standard), 730 h: no aurora-postgresql price for db.x2g.large in us-east-1 " +
          "(cost/prices/us-east-1.json auroraInstanceHour.aurora-postgresql); add it with npm run prices:update -- --region us-east-1 --db-instance-class db.x2g.large",
      );
    });

    it("lists Aurora in a region without Aurora prices, and an engine the data does not price, as not priced", () => {
      expect(onlyNotPriced(estimateMonthlyCost(planOf(auroraCluster("db", { region: "eu-west-1" }), "eu-west-1")), "db-0")).to.match(
        /no aurora-postgresql price for db\.r6g\.large in eu-west-1 /,
      );
      expect(onlyNotPriced(estimateMonthlyCost(planOf(auroraCluster("db", { engine: "aurora" }))), "db-0")).to.match(
        /covers aurora-postgresql and aurora-mysql, not aurora$/,
      );
    });

    it("lists an instance whose cluster is not in the plan, and a Multi-AZ DB cluster (not Aurora), as not priced with the reason", () => {
      const [, instance] = auroraCluster("db");
      expect(onlyNotPriced(estimateMonthlyCost(planOf([instance])), "db-0")).to.match(/joins cluster db, which is not in stack test's plan/);
      expect(notPricedOf(estimateMonthlyCost(planOf(auroraCluster("maz", { engine: "postgres", storageType: "io1" }))), "maz")[0]).to.match(
        /RDS cluster maz has engine postgres: cost\/billableTypes\.ts prices Aurora clusters only/,
      );
      expect(notPricedOf(estimateMonthlyCost(planOf(auroraCluster("odd", { storageType: "gp3" }))), "odd")[0]).to.match(/RDS cluster odd has storageType gp3/);
    });
  });

  describe("DynamoDB global table", () => {
    const table = (inputs: Record<string, unknown>) =>
      planned("aws:dynamodb/table:Table", "orders", { hashKey: "pk", attributes: [{ name: "pk", type: "S" }], ...inputs });

    it("lists an on-demand table's requests, storage, point-in-time recovery, stream reads and its replica's writes as usage, with no priced line", () => {
      const estimate = estimateMonthlyCost(
        planOf([
          table({
            billingMode: "PAY_PER_REQUEST",
            pointInTimeRecovery: { enabled: true },
            streamEnabled: true,
            streamViewType: "NEW_AND_OLD_IMAGES",
            replicas: [{ regionName: "us-west-2", pointInTimeRecovery: true }],
          }),
        ]),
      );
      expect(estimate.lines).to.deep.equal([]);
      expect(unitsOf(estimate, "orders")).to.deep.equal([
        "on-demand write request units, per million",
        "on-demand read request units, per million",
        "table storage, per GB-month",
        "point-in-time recovery (continuous backups), per GB-month of table and index size",
        "DynamoDB Streams read request units, per 100,000 (reads by Lambda triggers and global-table replication are free)",
        "replicated write request units in us-west-2, per million, and storage there, per GB-month; data transfer to us-west-2, per GB",
        "point-in-time recovery of the us-west-2 replica, per GB-month",
      ]);
    });

    it("lists a bare on-demand table without point-in-time recovery or streams", () => {
      const estimate = estimateMonthlyCost(planOf([table({ billingMode: "PAY_PER_REQUEST", tableClass: "STANDARD_INFREQUENT_ACCESS" })]));
      expect(unitsOf(estimate, "orders")).to.deep.equal([
        "on-demand write request units, per million (Standard-IA table class rates)",
        "on-demand read request units, per million (Standard-IA table class rates)",
        "table storage, per GB-month (Standard-IA table class rates)",
      ]);
    });

    it("lists a table in provisioned capacity mode, set or by default, as not priced, naming the table and the fix", () => {
      expect(onlyNotPriced(estimateMonthlyCost(planOf([table({ billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 })])), "orders")).to.match(
        /^every fixed charge of the resource: cannot be priced: DynamoDB table orders has billingMode PROVISIONED: .*set billingMode PAY_PER_REQUEST/,
      );
      expect(onlyNotPriced(estimateMonthlyCost(planOf([table({})])), "orders")).to.match(/billingMode PROVISIONED \(the default when billingMode is not set\)/);
    });

    it("lists a DR-region replica's replicated writes, reads, storage, transfer from the primary region and point-in-time recovery", () => {
      const replica = planned(
        "aws:dynamodb/tableReplica:TableReplica",
        "orders-replica",
        { globalTableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/orders", kmsKeyArn: "arn:aws:kms:us-west-2:1:key/k", pointInTimeRecovery: true },
        { region: "us-west-2" },
      );
      const estimate = estimateMonthlyCost(planOf([replica], "us-west-2", "dr"));
      expect(estimate.lines).to.deep.equal([]);
      expect(unitsOf(estimate, "orders-replica")).to.deep.equal([
        "replicated write request units written into this replica, per million (in the global table's capacity mode)",
        "read request units served by this replica, per million",
        "replica storage, per GB-month",
        "data transfer of replicated writes from us-east-1, per GB",
        "point-in-time recovery of the replica (continuous backups), per GB-month of its size",
      ]);
    });
  });

  describe("AWS Backup", () => {
    const vaultArn = "arn:aws:backup:us-west-2:123456789012:backup-vault:dr-vault";

    it("lists a plan's kept backups, continuous backups and cross-region copies, and the DR vault's storage, as usage; selections, policies and locks cost nothing", () => {
      const plan = planned("aws:backup/plan:Plan", "plan", {
        name: "dr",
        rules: [
          {
            ruleName: "daily",
            targetVaultName: "primary-vault",
            schedule: "cron(0 5 ? * * *)",
            enableContinuousBackup: true,
            lifecycle: { deleteAfter: 35 },
            copyActions: [{ destinationVaultArn: vaultArn, lifecycle: { deleteAfter: 35 } }],
          },
        ],
      });
      const vault = planned("aws:backup/vault:Vault", "dr-vault", { name: "dr-vault", kmsKeyArn: "arn:aws:kms:us-west-2:1:key/k" }, { region: "us-west-2" });
      const others = [
        planned("aws:backup/selection:Selection", "selection", { planId: "plan-id", resources: ["arn:aws:rds:us-east-1:1:db:app"] }),
        planned("aws:backup/vaultPolicy:VaultPolicy", "vault-policy", { backupVaultName: "dr-vault" }, { region: "us-west-2" }),
        planned(
          "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
          "vault-lock",
          { backupVaultName: "dr-vault", minRetentionDays: 5 },
          { region: "us-west-2" },
        ),
      ];
      const estimate = estimateMonthlyCost(planOf([plan, vault, ...others], "us-west-2", "dr"));
      expect(estimate.lines).to.deep.equal([]);
      expect(unitsOf(estimate, "plan")).to.deep.equal([
        "backups of rule daily kept for 35 days in vault primary-vault, per GB-month of warm storage (rate by resource type)",
        "continuous backups (point-in-time restore) of rule daily, per GB-month",
        "cross-region copies of rule daily to us-west-2, per GB transferred",
        "restores, per GB restored (for the resource types AWS Backup bills restores of)",
      ]);
      expect(unitsOf(estimate, "dr-vault")).to.have.length(1);
      expect(unitsOf(estimate, "dr-vault")[0]).to.match(/^per GB-month of recovery points kept in the vault \(warm storage, at the rate of each resource type/);
      for (const resource of others) expect(unitsOf(estimate, resource.name), resource.type).to.deep.equal([]);
    });

    it("lists no transfer for a copy to a vault in the plan's own region", () => {
      const plan = planned("aws:backup/plan:Plan", "plan", {
        rules: [{ ruleName: "local", targetVaultName: "a", copyActions: [{ destinationVaultArn: "arn:aws:backup:us-east-1:1:backup-vault:b" }] }],
      });
      expect(unitsOf(estimateMonthlyCost(planOf([plan])), "plan").filter((unit) => unit.includes("cross-region"))).to.deep.equal([]);
    });
  });

  describe("S3 Object Lock and KMS replica keys", () => {
    it("prices a multi-Region replica key at $1 a month in its own region, KMS requests as usage", () => {
      const replica = planned(
        "aws:kms/replicaKey:ReplicaKey",
        "state-key-replica",
        { primaryKeyArn: "arn:aws:kms:us-east-1:123456789012:key/mrk-1234" },
        { region: "us-west-2" },
      );
      const estimate = estimateMonthlyCost(planOf([replica], "us-west-2", "state"));
      expect(estimate.lines.map((line) => [line.region, line.quantity, line.unitPriceUsd, line.description])).to.deep.equal([
        ["us-west-2", 1, 1, "multi-Region replica KMS key of a us-east-1 primary key (billed as one key in its own region)"],
      ]);
      expect(unitsOf(estimate, "state-key-replica")).to.deep.equal(["KMS requests beyond the account's free 20,000 a month, per 10,000 requests"]);
    });

    it("costs nothing for an Object Lock configuration (V1 and V2 tokens): the retained versions are S3 storage on the bucket", () => {
      const locks = [
        planned("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "lock", {
          bucket: "dr-data",
          rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
        }),
        planned("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "lock-v2", { bucket: "dr-data" }),
      ];
      const estimate = estimateMonthlyCost(planOf(locks));
      expect(estimate.lines).to.deep.equal([]);
      expect(estimate.usageBased).to.deep.equal([]);
      for (const lock of locks) expect(BILLABLE_TYPES[lock.type], lock.type).to.include({ kind: "free" });
    });
  });
});
