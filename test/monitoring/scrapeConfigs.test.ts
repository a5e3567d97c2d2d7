/**
 * Prometheus' scrape jobs for the app tier (monitoring/scrapeConfigs.ts): EC2 service discovery of
 * the region's running Auto Scaling group instances, on the app exporter's and node exporter's
 * ports, with the labels the dashboards and alert rules group by, in the snake_case form Prometheus
 * reads (configuration reference, `scrape_config`, `ec2_sd_config`, `relabel_config`).
 */
import { expect } from "chai";
import YAML from "yaml";
import { APP_METRICS_PORT, NODE_EXPORTER_PORT } from "../../config/conventions";
import { appScrapeConfigs, type ScrapeConfig, SCRAPE_JOBS, type ScrapeTargets } from "../../monitoring/scrapeConfigs";

const TARGETS: ScrapeTargets = { region: "us-west-2", role: "dr", autoScalingGroupName: "multi-region-dr-dr-app-asg-20260101" };

function job(configs: ScrapeConfig[], name: string): ScrapeConfig {
  const found = configs.find((config) => config.job_name === name);
  if (!found) throw new Error(`no job ${name}`);
  return found;
}

/** Every key of a parsed YAML/JSON tree. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => [key, ...keysOf(item)]);
  return [];
}

describe("monitoring/scrapeConfigs", () => {
  const configs = appScrapeConfigs(TARGETS);

  it("has two jobs, app on the app exporter's port and node on the node exporter's", () => {
    expect(SCRAPE_JOBS).to.deep.equal({ app: 9464, node: 9100 });
    expect(APP_METRICS_PORT).to.equal(9464);
    expect(NODE_EXPORTER_PORT).to.equal(9100);
    expect(configs.map((config) => config.job_name)).to.deep.equal(["app", "node"]);
    expect(job(configs, "app").ec2_sd_configs.map((sd) => sd.port)).to.deep.equal([APP_METRICS_PORT]);
    expect(job(configs, "node").ec2_sd_configs.map((sd) => sd.port)).to.deep.equal([NODE_EXPORTER_PORT]);
  });

  for (const name of Object.keys(SCRAPE_JOBS)) {
    describe(`job ${name}`, () => {
      const config = job(configs, name);

      it("discovers only running instances of the region's Auto Scaling group", () => {
        expect(config.ec2_sd_configs).to.have.length(1);
        expect(config.ec2_sd_configs[0].filters).to.deep.equal([
          { name: "tag:aws:autoscaling:groupName", values: [TARGETS.autoScalingGroupName] },
          { name: "instance-state-name", values: ["running"] },
        ]);
      });

      it("names its region, so the AWS SDK never falls back to the instance metadata service", () => {
        expect(config.ec2_sd_configs[0].region).to.equal(TARGETS.region);
        expect(config.ec2_sd_configs[0].refresh_interval).to.match(/^\d+[smh]$/);
        expect(config.scrape_interval).to.match(/^\d+[smh]$/);
      });

      it("labels each series with the instance id, availability zone, region and role", () => {
        expect(config.relabel_configs).to.deep.equal([
          { source_labels: ["__meta_ec2_instance_id"], target_label: "instance" },
          { source_labels: ["__meta_ec2_availability_zone"], target_label: "availability_zone" },
          { target_label: "region", replacement: TARGETS.region },
          { target_label: "role", replacement: TARGETS.role },
        ]);
      });

      it(`honors the target's labels only for the app (honor_labels ${name === "app"})`, () => {
        expect(config.honor_labels).to.equal(name === "app");
      });
    });
  }

  it("follows the region and role it is given", () => {
    const primary = appScrapeConfigs({ region: "eu-west-1", role: "primary", autoScalingGroupName: "primary-asg" });
    for (const config of primary) {
      expect(config.ec2_sd_configs[0].region).to.equal("eu-west-1");
      expect(config.ec2_sd_configs[0].filters[0].values).to.deep.equal(["primary-asg"]);
      expect(config.relabel_configs.filter((relabel) => relabel.replacement !== undefined)).to.deep.equal([
        { target_label: "region", replacement: "eu-west-1" },
        { target_label: "role", replacement: "primary" },
      ]);
    }
  });

  for (const autoScalingGroupName of ["", "   ", "\t\n"]) {
    it(`refuses the Auto Scaling group name ${JSON.stringify(autoScalingGroupName)}`, () => {
      expect(() => appScrapeConfigs({ ...TARGETS, autoScalingGroupName })).to.throw(Error, /autoScalingGroupName is empty/);
    });
  }

  describe("YAML form", () => {
    const text = YAML.stringify(configs);

    it("parses back to the same configs", () => {
      expect(YAML.parse(text)).to.deep.equal(configs);
    });

    it("uses the snake_case keys Prometheus reads, and no camelCase", () => {
      const keys = new Set(keysOf(YAML.parse(text)));
      for (const key of [
        "job_name",
        "scrape_interval",
        "honor_labels",
        "ec2_sd_configs",
        "refresh_interval",
        "relabel_configs",
        "source_labels",
        "target_label",
      ]) {
        expect(keys, key).to.include(key);
      }
      for (const key of keys) expect(key, key).to.match(/^[a-z][a-z0-9_]*$/);
      expect(text)
        .to.match(/^- job_name: app$/m)
        .and.to.match(/^- job_name: node$/m);
    });

    it("keeps ports numbers and honor_labels booleans, not strings", () => {
      const parsed = YAML.parse(text) as ScrapeConfig[];
      expect(parsed.map((config) => typeof config.ec2_sd_configs[0].port)).to.deep.equal(["number", "number"]);
      expect(parsed.map((config) => config.honor_labels)).to.deep.equal([true, false]);
    });
  });
});
