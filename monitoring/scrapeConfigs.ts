/**
 * Prometheus scrape configs for the region's app instances, found through EC2 service discovery
 * (Prometheus configuration reference, `ec2_sd_config`): every running instance of the region's
 * Auto Scaling group, scraped on the app's metrics port (job `app`) and the node exporter's (job
 * `node`). Discovery runs with the Prometheus pod's identity, which may only describe instances.
 */
import { APP_METRICS_PORT, NODE_EXPORTER_PORT } from "../config/conventions";

/** How often Prometheus asks EC2 for the instance list, and scrapes them. */
export const DISCOVERY_REFRESH_INTERVAL = "30s";
export const SCRAPE_INTERVAL = "30s";

/** The scrape jobs, by name, and the port each scrapes. */
export const SCRAPE_JOBS = { app: APP_METRICS_PORT, node: NODE_EXPORTER_PORT } as const;

export interface ScrapeTargets {
  /** AWS region the instances run in, e.g. `us-east-1`. */
  region: string;
  /** Deployment role, added to every series as the `role` label: `primary` or `dr`. */
  role: "primary" | "dr";
  /** The app tier's Auto Scaling group; EC2 tags its instances `aws:autoscaling:groupName`. */
  autoScalingGroupName: string;
}

/** One `ec2_sd_configs` scrape job, as Prometheus reads it (snake_case keys). */
export interface ScrapeConfig {
  job_name: string;
  scrape_interval: string;
  honor_labels: boolean;
  ec2_sd_configs: { region: string; port: number; refresh_interval: string; filters: { name: string; values: string[] }[] }[];
  relabel_configs: { source_labels?: string[]; target_label: string; replacement?: string; action?: string }[];
}

/**
 * The two scrape jobs for a region's app tier.
 * @throws Error for an empty Auto Scaling group name (the filter would match nothing).
 */
export function appScrapeConfigs(targets: ScrapeTargets): ScrapeConfig[] {
  if (targets.autoScalingGroupName.trim() === "") throw new Error("scrape configs: autoScalingGroupName is empty; EC2 discovery would find no instance");
  return Object.entries(SCRAPE_JOBS).map(([job, port]) => ({
    job_name: job,
    scrape_interval: SCRAPE_INTERVAL,
    // The app labels app_info with region and role itself; keep those instead of exported_region.
    honor_labels: job === "app",
    ec2_sd_configs: [
      {
        region: targets.region,
        port,
        refresh_interval: DISCOVERY_REFRESH_INTERVAL,
        filters: [
          { name: "tag:aws:autoscaling:groupName", values: [targets.autoScalingGroupName] },
          { name: "instance-state-name", values: ["running"] },
        ],
      },
    ],
    relabel_configs: [
      { source_labels: ["__meta_ec2_instance_id"], target_label: "instance" },
      { source_labels: ["__meta_ec2_availability_zone"], target_label: "availability_zone" },
      { target_label: "region", replacement: targets.region },
      { target_label: "role", replacement: targets.role },
    ],
  }));
}
