/**
 * The EC2 user data that installs and starts the app (`app/server.py`) on Amazon Linux 2023, whose
 * AMI ships Python 3.9, so the app's boot needs no package download. The app runs as an
 * unprivileged system user under systemd and is restarted if it dies; it serves its Prometheus
 * metrics on `APP_METRICS_PORT`. Then the Prometheus node exporter is downloaded (pinned release,
 * SHA-256 checked) and started on `NODE_EXPORTER_PORT`; if that fails the app keeps serving and
 * the NodeExporterDown alert says so.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { APP_METRICS_PORT, NODE_EXPORTER_PORT } from "../config/conventions";

/** What the app must know at start; every value is validated before it is written into a shell script. */
export interface AppUserDataArgs {
  /** AWS region code, e.g. `us-east-1`. */
  region: string;
  /** The deployment role of the region: `primary` or `dr`. */
  role: "primary" | "dr";
  /** Port the app listens on, 1024-65535. */
  port: number;
  /** The stable database name that failover repoints, e.g. `db.app.internal`. */
  databaseHost: string;
  /** Database port, e.g. 5432. */
  databasePort: number;
  /** CPU architecture of the instance type (`instanceArchitecture`), which picks the node exporter build. */
  architecture: "arm64" | "x86_64";
}

/**
 * The node exporter release installed on the app instances, with the SHA-256 of each build from the
 * release's sha256sums.txt (https://github.com/prometheus/node_exporter/releases/tag/v1.11.1).
 */
export const NODE_EXPORTER_RELEASE = {
  version: "1.11.1",
  sha256: {
    x86_64: "9f5ea48e5bc7b656f8a91a32e7d7deb89f70f73dabd0d974418aca15f37d6810",
    arm64: "ba1886efbd76cb96b0087c695ea8d1b9cb6e8aa946c996d744e9ee16c8e3591a",
  },
} as const;

/** The node exporter's download URL for an architecture. */
export function nodeExporterUrl(architecture: "arm64" | "x86_64"): string {
  const { version } = NODE_EXPORTER_RELEASE;
  const build = `node_exporter-${version}.linux-${architecture === "x86_64" ? "amd64" : "arm64"}`;
  return `https://github.com/prometheus/node_exporter/releases/download/v${version}/${build}.tar.gz`;
}

/** EC2 caps raw user data at 16 KB (EC2 User Guide, "Run commands when you launch an EC2 instance"). */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/** Path of the app's source in this repository. */
export const APP_SOURCE_PATH = path.join(__dirname, "..", "app", "server.py");

const SAFE_TOKEN = /^[A-Za-z0-9.-]+$/;

/**
 * Renders the user-data script.
 * @param appSource the app's Python source (defaults to `app/server.py` of this repository).
 * @throws Error when a value could break out of the script, or the script exceeds 16 KB.
 */
export function renderAppUserData(args: AppUserDataArgs, appSource: string = readFileSync(APP_SOURCE_PATH, "utf8")): string {
  for (const [key, value] of [
    ["region", args.region],
    ["role", args.role],
    ["databaseHost", args.databaseHost],
  ] as const) {
    if (!SAFE_TOKEN.test(value)) throw new Error(`user data: ${key} "${value}" may only contain letters, digits, dots and hyphens`);
  }
  for (const [key, value] of [
    ["port", args.port],
    ["databasePort", args.databasePort],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`user data: ${key} must be a port number, got ${value}`);
  }
  if (appSource.split("\n").some((line) => line.trim() === "APP_SOURCE_END"))
    throw new Error("user data: the app source contains the heredoc terminator APP_SOURCE_END");
  const script = `#!/bin/bash
set -euo pipefail
id app >/dev/null 2>&1 || useradd --system --no-create-home --shell /sbin/nologin app
install -d -o root -g root -m 0755 /opt/app
cat > /opt/app/server.py <<'APP_SOURCE_END'
${appSource.trimEnd()}
APP_SOURCE_END
chmod 0644 /opt/app/server.py
cat > /etc/systemd/system/app.service <<'UNIT_END'
[Unit]
Description=Multi-region DR demo app
After=network-online.target
Wants=network-online.target

[Service]
User=app
ExecStart=/usr/bin/python3 /opt/app/server.py --port ${args.port} --metrics-port ${APP_METRICS_PORT} --region ${args.region} --role ${args.role} --db-host ${args.databaseHost} --db-port ${args.databasePort}
Restart=always
RestartSec=2
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true

[Install]
WantedBy=multi-user.target
UNIT_END
systemctl daemon-reload
systemctl enable --now app.service

# The node exporter: not needed to serve, so a failed download must not fail the boot. Every step
# is chained with && because set -e does not apply inside a || list.
install_node_exporter() {
  local archive=/tmp/node_exporter.tar.gz dir=/tmp/node_exporter
  curl -fsSL --retry 5 --max-time 120 -o "$archive" '${nodeExporterUrl(args.architecture)}' &&
    echo '${NODE_EXPORTER_RELEASE.sha256[args.architecture]}  '"$archive" | sha256sum -c - &&
    mkdir -p "$dir" && tar -xzf "$archive" -C "$dir" --strip-components=1 &&
    install -o root -g root -m 0755 "$dir/node_exporter" /usr/local/bin/node_exporter &&
    { id node_exporter >/dev/null 2>&1 || useradd --system --no-create-home --shell /sbin/nologin node_exporter; } &&
    cat > /etc/systemd/system/node_exporter.service <<'UNIT_END' &&
[Unit]
Description=Prometheus node exporter
After=network-online.target
Wants=network-online.target

[Service]
User=node_exporter
ExecStart=/usr/local/bin/node_exporter --web.listen-address=:${NODE_EXPORTER_PORT}
Restart=always
RestartSec=5
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=true

[Install]
WantedBy=multi-user.target
UNIT_END
    systemctl daemon-reload && systemctl enable --now node_exporter.service
}
install_node_exporter || echo "node exporter not installed; the app serves without it" >&2
`;
  const bytes = Buffer.byteLength(script, "utf8");
  if (bytes > USER_DATA_LIMIT_BYTES) throw new Error(`user data is ${bytes} bytes; EC2 allows ${USER_DATA_LIMIT_BYTES}`);
  return script;
}

/** The Amazon Linux 2023 AMI public SSM parameter for an architecture (AL2023 User Guide, "Launching AL2023 using the SSM parameter"). */
export function amazonLinuxAmiParameter(architecture: "arm64" | "x86_64"): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}
