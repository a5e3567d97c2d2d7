/**
 * The EC2 user data that installs and starts the demo app (`app/server.py`) on Amazon Linux 2023,
 * whose system Python is /usr/bin/python3, Python 3.9 for the life of AL2023 (AL2023 User Guide,
 * "Python in AL2023"). The app's source travels gzip-compressed and base64-encoded (as plain text
 * it would not leave room in the 16 KB EC2 allows for the whole script) and is checked against its
 * SHA-256 once decoded. The app runs as an unprivileged system user under systemd and is restarted
 * if it dies; it serves its Prometheus metrics on `APP_METRICS_PORT`.
 *
 * The app reads its database credentials itself, at connect time, from this region's copy of the
 * Secrets Manager secret `databaseCredentialsSecretName` with the AWS CLI v2 that the AL2023 AMI
 * ships (package `awscli-2` in the AMI's package list: amazonlinux/amazon-linux-2023,
 * Release-Notes-Amazon-Linux-2023.0.2023.0222.0.md, "Default AMI"), so no secret is ever written
 * into the user data. Once the app serves, its database driver is installed from AL2023's own
 * repositories with dnf: `python3-psycopg2` for PostgreSQL (AL2023 release notes 2023.1.20230719:
 * python3-psycopg2 2.8.6 for x86_64 and aarch64). For MySQL, AL2023 packages no PyMySQL (neither its
 * release notes' package lists nor its support statements name one), so the app drives the MySQL
 * client of `mariadb105`, the package the RDS User Guide ("Installing the MySQL command-line
 * client") installs on AL2023. A failed install leaves the health path serving and `/status`
 * naming the missing driver. Then the Prometheus node exporter is downloaded (pinned release,
 * SHA-256 checked) and started on `NODE_EXPORTER_PORT`; if that fails the app keeps serving and the
 * NodeExporterDown alert says so.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { USER_DATA_LIMIT_BYTES } from "../config/appDefinition";
import { APP_METRICS_PORT, HEALTH_CHECK_PATH, NODE_EXPORTER_PORT } from "../config/conventions";

/** What the app must know at start; every value is validated before it is written into a shell script. */
export interface AppUserDataArgs {
  /** AWS region code, e.g. `us-east-1`; the app reads its secret's copy in this region. */
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
  /** The database engine: picks the driver the boot installs and the SQL the app speaks. */
  engine: "postgres" | "mysql";
  /** The app's database, e.g. `app`: a letter, then up to 62 letters, digits or underscores. */
  databaseName: string;
  /**
   * Name (not ARN) of this region's copy of the Secrets Manager secret whose SecretString is JSON
   * `{"username": "...", "password": "..."}`; its replica in the DR region has the same name.
   * 1-512 letters, digits and `/_+=.@-` (Secrets Manager API Reference, CreateSecret, Name), not
   * starting with `-` (the app would read it as an option).
   */
  databaseCredentialsSecretName: string;
  /** Path of the app's shallow health answer, default `HEALTH_CHECK_PATH` (`/health`): `/`, then letters, digits and `/_.-`. */
  healthPath?: string;
}

/** The package the boot installs with dnf for each engine's driver (see the module comment for the sources). */
export const DATABASE_DRIVER_PACKAGE = { postgres: "python3-psycopg2", mysql: "mariadb105" } as const;

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

/** EC2 caps raw user data at 16 KB (config/appDefinition.ts, the one definition). */
export { USER_DATA_LIMIT_BYTES };

/** Path of the app's source in this repository. */
export const APP_SOURCE_PATH = path.join(__dirname, "..", "app", "server.py");

const SAFE_TOKEN = /^[A-Za-z0-9.-]+$/;
const DATABASE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@][A-Za-z0-9/_+=.@-]{0,511}$/;
const HEALTH_PATH = /^\/[A-Za-z0-9/_.-]*$/;
/** Paths the demo app answers itself, which cannot be its health path. */
const APP_PATHS = ["/", "/status", "/write"];

/**
 * The app source as the user data carries it: gzip (level 9; the header's OS byte pinned to 3, Unix,
 * since zlib writes its build platform's and the launch template must not change with the machine
 * that renders it; RFC 1952 section 2.3), then base64 in lines of 76 characters.
 */
export function encodeAppSource(appSource: string): string {
  const gz = gzipSync(Buffer.from(appSource, "utf8"), { level: 9 });
  gz[9] = 3;
  return (gz.toString("base64").match(/.{1,76}/g) ?? []).join("\n");
}

/**
 * Renders the user-data script.
 * @param appSource the app's Python source (defaults to `app/server.py` of this repository).
 * @returns the bash script, plain text (the launch template base64-encodes it).
 * @throws Error naming the argument when a value could break out of the script or is not one the
 *   app accepts, or when the script exceeds 16 KB.
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
  if (args.engine !== "postgres" && args.engine !== "mysql") throw new Error(`user data: engine must be postgres or mysql, got "${String(args.engine)}"`);
  if (!DATABASE_NAME.test(args.databaseName))
    throw new Error(`user data: databaseName "${args.databaseName}" must be a letter, then up to 62 letters, digits or underscores`);
  if (!SECRET_NAME.test(args.databaseCredentialsSecretName))
    throw new Error(
      `user data: databaseCredentialsSecretName "${args.databaseCredentialsSecretName}" must be a secret name, not an ARN: 1-512 letters, digits and /_+=.@-, not starting with -`,
    );
  const healthPath = args.healthPath ?? HEALTH_CHECK_PATH;
  if (!HEALTH_PATH.test(healthPath) || APP_PATHS.includes(healthPath))
    throw new Error(`user data: healthPath "${healthPath}" must be / then letters, digits and /_.-, and none of ${APP_PATHS.join(" ")}`);
  const driver = DATABASE_DRIVER_PACKAGE[args.engine];
  const sha256 = createHash("sha256").update(appSource, "utf8").digest("hex");
  const script = `#!/bin/bash
set -euo pipefail
id app >/dev/null 2>&1 || useradd --system --no-create-home --shell /sbin/nologin app
install -d -o root -g root -m 0755 /opt/app
# app/server.py, gzip then base64; its SHA-256 checked.
base64 -d <<'APP_SOURCE_END' | gunzip > /opt/app/server.py
${encodeAppSource(appSource)}
APP_SOURCE_END
echo '${sha256}  /opt/app/server.py' | sha256sum -c --quiet -
chmod 0644 /opt/app/server.py
cat > /etc/systemd/system/app.service <<'UNIT_END'
[Unit]
Description=Multi-region DR demo app
After=network-online.target
Wants=network-online.target

[Service]
User=app
ExecStart=/usr/bin/python3 /opt/app/server.py --port ${args.port} --metrics-port ${APP_METRICS_PORT} --region ${args.region} --role ${args.role} --db-host ${args.databaseHost} --db-port ${args.databasePort} --engine ${args.engine} --db-name ${args.databaseName} --database-credentials-secret ${args.databaseCredentialsSecretName} --health-path ${healthPath}
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

# The database driver from AL2023's repositories, once the app serves: without it the health path
# still answers and /status names the missing driver.
dnf install -y -q ${driver} || echo "${driver} not installed; /status reports the database unusable" >&2

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
