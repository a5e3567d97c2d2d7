// Tests for components/userData.ts: the demo app's EC2 user data. The script's parts run under bash
// with the system commands that matter (dnf, curl, install) replaced by shell functions.
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  amazonLinuxAmiParameter,
  APP_SOURCE_PATH,
  type AppUserDataArgs,
  DATABASE_DRIVER_PACKAGE,
  encodeAppSource,
  NODE_EXPORTER_RELEASE,
  nodeExporterUrl,
  renderAppUserData,
  USER_DATA_LIMIT_BYTES,
} from "../components/userData";
import { secretsInUserData } from "../policy/policies/compute";
import { otherRegionMentions } from "../policy/policies/drTier";

const args: AppUserDataArgs = {
  region: "us-east-1",
  role: "dr",
  port: 8080,
  databaseHost: "db.app.internal",
  databasePort: 5432,
  architecture: "x86_64",
  engine: "postgres",
  databaseName: "app",
  databaseCredentialsSecretName: "app/database-credentials",
};
const source = 'print("hello")\n';

/** Runs the script's lines from `from` up to (not including) `to` under bash, /opt/app replaced by `dir`. */
function runPart(script: string, from: string, to: string, dir: string, prelude = ""): ReturnType<typeof spawnSync> {
  const part = script.slice(script.indexOf(from), script.indexOf(to)).replaceAll("/opt/app", dir);
  return spawnSync("bash", ["-c", `set -euo pipefail\n${prelude}\n${part}`], { encoding: "utf8" });
}

describe("renderAppUserData", () => {
  it("carries the app source gzip+base64 and writes it back byte for byte, its SHA-256 checked", function () {
    this.timeout(20000);
    const dir = mkdtempSync(join(tmpdir(), "userdata-"));
    try {
      // A line that is the heredoc terminator cannot break out: the heredoc holds base64 only.
      const tricky = `${source}APP_SOURCE_END\nrm -rf /\n`;
      const script = renderAppUserData(args, tricky);
      expect(script).to.not.include("rm -rf /\n");
      const result = runPart(script, "base64 -d <<'APP_SOURCE_END'", "chmod 0644", dir);
      expect(result.status, String(result.stderr)).to.equal(0);
      expect(readFileSync(join(dir, "server.py"), "utf8")).to.equal(tricky);
      expect(script).to.include(`echo '${createHash("sha256").update(tricky).digest("hex")}  /opt/app/server.py' | sha256sum -c --quiet -`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops the boot when the decoded source does not match its SHA-256", function () {
    this.timeout(20000);
    const dir = mkdtempSync(join(tmpdir(), "userdata-"));
    try {
      const script = renderAppUserData(args, source).replace(/^echo '[0-9a-f]{64}/m, `echo '${"0".repeat(64)}`);
      const result = runPart(script, "base64 -d <<'APP_SOURCE_END'", "chmod 0644", dir);
      expect(result.status).to.not.equal(0);
      expect(String(result.stdout) + String(result.stderr)).to.include("FAILED");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("encodes deterministically: gzip with the OS byte pinned to Unix, base64 lines of 76", () => {
    const encoded = encodeAppSource(source);
    expect(encodeAppSource(source)).to.equal(encoded);
    const lines = encoded.split("\n");
    expect(lines.every((line) => line.length <= 76)).to.equal(true);
    const gz = Buffer.from(lines.join(""), "base64");
    expect(gz[9]).to.equal(3);
    expect(gunzipSync(gz).toString("utf8")).to.equal(source);
  });

  it("starts the app under systemd with every argument, the secret by name, the default health path", () => {
    const script = renderAppUserData(args, source);
    expect(script).to.include(
      "ExecStart=/usr/bin/python3 /opt/app/server.py --port 8080 --metrics-port 9464 --region us-east-1 --role dr --db-host db.app.internal --db-port 5432 --engine postgres --db-name app --database-credentials-secret app/database-credentials --health-path /health\n",
    );
    expect(script).to.include("User=app\n");
    expect(script).to.include("systemctl enable --now app.service");
    expect(renderAppUserData({ ...args, healthPath: "/healthz" }, source)).to.include("--health-path /healthz\n");
  });

  for (const engine of ["postgres", "mysql"] as const) {
    it(`installs the ${engine} driver (${DATABASE_DRIVER_PACKAGE[engine]}) with dnf after the app starts, and a failed install does not fail the boot`, function () {
      this.timeout(20000);
      const script = renderAppUserData({ ...args, engine, databasePort: engine === "mysql" ? 3306 : 5432 }, source);
      expect(script).to.include(`--engine ${engine} `);
      expect(script).to.include(`dnf install -y -q ${DATABASE_DRIVER_PACKAGE[engine]} ||`);
      expect(script.indexOf("systemctl enable --now app.service")).to.be.below(script.indexOf("dnf install"));
      expect(script.indexOf("dnf install")).to.be.below(script.indexOf("install_node_exporter() {"));
      const line = script.split("\n").find((l) => l.startsWith("dnf install"))!;
      const failed = spawnSync("bash", ["-c", `set -euo pipefail\ndnf() { return 1; }\n${line}\necho after`], { encoding: "utf8" });
      expect(failed.status).to.equal(0);
      expect(failed.stdout).to.equal("after\n");
      expect(failed.stderr).to.include(`${DATABASE_DRIVER_PACKAGE[engine]} not installed; /status reports the database unusable`);
    });
  }

  it("installs the pinned node exporter on its port, checksum first, without failing the boot", () => {
    const script = renderAppUserData({ ...args, architecture: "arm64" }, source);
    expect(script).to.include(`'${nodeExporterUrl("arm64")}'`);
    expect(nodeExporterUrl("arm64")).to.equal("https://github.com/prometheus/node_exporter/releases/download/v1.11.1/node_exporter-1.11.1.linux-arm64.tar.gz");
    expect(nodeExporterUrl("x86_64")).to.match(/node_exporter-1\.11\.1\.linux-amd64\.tar\.gz$/);
    expect(script).to.include(`echo '${NODE_EXPORTER_RELEASE.sha256.arm64}  '"$archive" | sha256sum -c -`);
    expect(script.indexOf("sha256sum -c -")).to.be.below(script.indexOf('install -o root -g root -m 0755 "$dir/node_exporter"'));
    expect(script).to.include("ExecStart=/usr/local/bin/node_exporter --web.listen-address=:9100\n");
    expect(script).to.include("User=node_exporter\n");
    expect(script.trimEnd().endsWith('install_node_exporter || echo "node exporter not installed; the app serves without it" >&2')).to.equal(true);
    expect(script.indexOf("systemctl enable --now app.service")).to.be.below(script.indexOf("install_node_exporter()"));
  });

  it("is valid bash, and a failed node exporter download leaves the boot successful", function () {
    this.timeout(20000);
    const script = renderAppUserData(args, source);
    execFileSync("bash", ["-n"], { input: script });
    const part = script.slice(script.indexOf("install_node_exporter() {"));
    const result = spawnSync("bash", ["-c", `set -euo pipefail\ncurl() { return 22; }\n${part}\necho after`], { encoding: "utf8" });
    expect(result.status).to.equal(0);
    expect(result.stdout).to.equal("after\n");
    expect(result.stderr).to.include("node exporter not installed");
  });

  it("rejects a node exporter download whose checksum does not match", function () {
    this.timeout(20000);
    const script = renderAppUserData(args, source);
    const part = script.slice(script.indexOf("install_node_exporter() {"));
    const fakeCurl = `curl() { local out=""; while [ $# -gt 0 ]; do if [ "$1" = -o ]; then out="$2"; shift; fi; shift; done; echo fake > "$out"; }`;
    const result = spawnSync("bash", ["-c", `set -euo pipefail\ninstall() { echo INSTALLED; }\n${fakeCurl}\n${part}`], { encoding: "utf8" });
    expect(result.status).to.equal(0);
    expect(result.stdout).not.to.include("INSTALLED");
    expect(result.stdout + result.stderr).to.include("FAILED");
    expect(result.stderr).to.include("node exporter not installed");
  });

  it("embeds the repository's app, stays under the EC2 limit, holds no credential and names no other region", () => {
    for (const engine of ["postgres", "mysql"] as const) {
      const script = renderAppUserData({ ...args, engine, region: "us-west-2" });
      expect(Buffer.byteLength(script, "utf8")).to.be.below(USER_DATA_LIMIT_BYTES);
      expect(script).to.include(createHash("sha256").update(readFileSync(APP_SOURCE_PATH)).digest("hex"));
      expect(secretsInUserData(script)).to.deep.equal([]);
      expect(secretsInUserData(Buffer.from(script).toString("base64"))).to.deep.equal([]);
      expect(otherRegionMentions(script, { region: "us-west-2", stableZone: "app.internal" })).to.deep.equal([]);
    }
  });

  it("rejects a region, host or port that could break out of the script", () => {
    expect(() => renderAppUserData({ ...args, region: "us east-1" }, source)).to.throw(
      Error,
      'region "us east-1" may only contain letters, digits, dots and hyphens',
    );
    expect(() => renderAppUserData({ ...args, region: "us-east-1;reboot" }, source)).to.throw(Error, 'region "us-east-1;reboot"');
    expect(() => renderAppUserData({ ...args, databaseHost: "$(curl evil)" }, source)).to.throw(Error, "databaseHost");
    expect(() => renderAppUserData({ ...args, port: 0 }, source)).to.throw(Error, "port must be a port number, got 0");
    expect(() => renderAppUserData({ ...args, databasePort: 65536 }, source)).to.throw(Error, "databasePort must be a port number, got 65536");
  });

  it("rejects an engine, database name, secret name or health path the app would not accept", () => {
    expect(() => renderAppUserData({ ...args, engine: "oracle" as "mysql" }, source)).to.throw(Error, 'engine must be postgres or mysql, got "oracle"');
    for (const name of ["1app", "app-db", "app;drop", "a".repeat(64), ""]) {
      expect(() => renderAppUserData({ ...args, databaseName: name }, source), name).to.throw(Error, `databaseName "${name}"`);
    }
    expect(renderAppUserData({ ...args, databaseName: "a".repeat(63) }, source)).to.include(`--db-name ${"a".repeat(63)} `);
    for (const name of [
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf",
      "-starts-with-dash",
      "has space",
      "$(curl evil)",
      "x%n",
      "a".repeat(513),
      "",
    ]) {
      expect(() => renderAppUserData({ ...args, databaseCredentialsSecretName: name }, source), name).to.throw(Error, "databaseCredentialsSecretName");
    }
    expect(renderAppUserData({ ...args, databaseCredentialsSecretName: "rds/app_user+1=x.y@z-2" }, source)).to.include(
      "--database-credentials-secret rds/app_user+1=x.y@z-2 ",
    );
    for (const healthPath of ["health", "/status", "/write", "/", "/a b", "/$(x)", "/%h"]) {
      expect(() => renderAppUserData({ ...args, healthPath }, source), healthPath).to.throw(Error, `healthPath "${healthPath}"`);
    }
  });

  it("rejects a script over 16 KB", () => {
    expect(USER_DATA_LIMIT_BYTES).to.equal(16384);
    // Random bytes do not compress: base64 makes 17 KB into about 23 KB.
    expect(() => renderAppUserData(args, randomBytes(17 * 1024).toString("hex"))).to.throw(Error, /^user data is \d+ bytes; EC2 allows 16384$/);
  });

  it("names the AL2023 AMI parameter of the architecture", () => {
    expect(amazonLinuxAmiParameter("arm64")).to.equal("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
    expect(amazonLinuxAmiParameter("x86_64")).to.equal("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
  });
});
