/**
 * The application the pair protects, as the primary's stack file names it under `app`: its machine
 * image, its EC2 user data (a file of the project, rendered per region), its health path, the
 * Secrets Manager secrets and SSM parameters it reads, and its own database user. The DR stack takes
 * all of it from the primary's outputs (one definition, no drift between the two stack files) and
 * builds the same app from its own region's copies: the image copied into the DR region, the
 * secrets' replicas, its own parameters, its own database name.
 *
 * Defaults: the built-in demo (`app/server.py` on Amazon Linux 2023), health path `/health`, no app
 * secrets or parameters, database user `app_user`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";

/** EC2 caps raw user data at 16 KB (EC2 User Guide, "Run commands when you launch an EC2 instance": "User data is limited to 16 KB, in raw form, before it is base64-encoded"). */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/**
 * Where the app's machine image comes from:
 * - `demo`: the built-in demo on Amazon Linux 2023, resolved in each region from AWS's public SSM parameter;
 * - `ami`: an AMI of the primary region, which the DR stack copies into its own region (`aws.ec2.AmiCopy`);
 * - `ssm-parameter`: an SSM parameter naming an AMI, resolved in each region at deploy time (AWS's public
 *   `/aws/service/...` parameters exist in every region; a parameter of your own must exist in both).
 */
export type AppImage = { kind: "demo" } | { kind: "ami"; amiId: string } | { kind: "ssm-parameter"; parameterName: string };

/** The application of the pair, shared by both stacks (the primary's config, the DR stack's contract). */
export interface AppDefinition {
  image: AppImage;
  /** The user-data template read from `app.userData` (a file), or undefined for the demo's own user data. */
  userDataTemplate?: string;
  /** Path of the app's shallow health answer, checked by the target group, Route 53 and the DR-region probe, e.g. `/health`. */
  healthPath: string;
  /** Short names of the app's own Secrets Manager secrets (values are put by you, never by Pulumi). */
  secretNames: string[];
  /** The app's configuration: SSM String parameters written in both regions under the app's parameter path. */
  parameters: Record<string, string>;
  /** The app's own database user (never the master user), e.g. `app_user`. */
  databaseUser: string;
}

/** The health path by default: what the demo app serves. */
export const DEFAULT_HEALTH_PATH = "/health";

/** The app's health path as a primary's outputs declare it (`app.definition.healthPath`), `/health` for a primary deployed before it existed. */
export function healthPathOf(primary: { app?: { definition: { healthPath: string } } }): string {
  return primary.app?.definition.healthPath ?? DEFAULT_HEALTH_PATH;
}
/** Paths the demo app (app/server.py) answers itself, which cannot be its health path. */
export const DEMO_RESERVED_PATHS: readonly string[] = ["/", "/status", "/write"];

/** The app's database user by default. */
export const DEFAULT_DATABASE_USER = "app_user";

/**
 * The placeholders a user-data template may use, each written `{{name}}` and replaced per region.
 * `{{secretArn:<name>}}` gives the ARN of this region's copy of the app secret `<name>`.
 */
export const USER_DATA_PLACEHOLDERS = {
  region: "the region code, e.g. us-west-2",
  role: "primary or dr",
  port: "the app port behind the load balancer",
  healthPath: "the health path",
  databaseHost: "the region's stable database name, e.g. db.app.internal",
  databasePort: "the database port",
  databaseName: "the database's name, e.g. app",
  databaseCredentialsSecretArn: "ARN of this region's copy of the app's database credentials ({username, password})",
  parameterPath: "the SSM path of the app's parameters in this region, e.g. /multi-region-dr-primary-primary/app/",
  bucketName: "this region's data bucket",
} as const;
export type UserDataPlaceholder = keyof typeof USER_DATA_PLACEHOLDERS;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)(?::([A-Za-z0-9_+=.@-]+))?\s*\}\}/g;

/** The values a template is rendered with, for one region. */
export type UserDataValues = Record<UserDataPlaceholder, string> & { secretArns: Record<string, string> };

/**
 * Problems of a template: placeholders that do not exist, or name an undeclared secret; a template
 * over 16 KB before rendering.
 * @returns the problems, empty when the template is usable.
 */
export function userDataTemplateProblems(template: string, secretNames: readonly string[]): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(template, "utf8") > USER_DATA_LIMIT_BYTES) {
    problems.push(`is ${Buffer.byteLength(template, "utf8")} bytes; EC2 takes at most ${USER_DATA_LIMIT_BYTES} bytes of user data: fetch the rest at boot`);
  }
  for (const match of template.matchAll(PLACEHOLDER)) {
    const [text, name, argument] = match;
    if (name === "secretArn") {
      if (argument === undefined) problems.push(`${text} names no secret: write {{secretArn:<name>}} with a name of app.secrets`);
      else if (!secretNames.includes(argument))
        problems.push(`${text} names a secret that app.secrets does not declare (declared: ${secretNames.join(", ") || "none"})`);
    } else if (!(name in USER_DATA_PLACEHOLDERS) || argument !== undefined) {
      problems.push(
        `${text} is not a placeholder; use one of ${[...Object.keys(USER_DATA_PLACEHOLDERS), "secretArn:<name>"].map((p) => `{{${p}}}`).join(", ")}`,
      );
    }
  }
  return problems;
}

/**
 * Renders a template for one region.
 * @throws Error when the rendered user data exceeds 16 KB (EC2's limit) or a placeholder is unknown
 *   (config validation refuses both before any resource exists; this guards direct callers).
 */
export function renderUserDataTemplate(template: string, values: UserDataValues): string {
  const rendered = template.replace(PLACEHOLDER, (text, name: string, argument: string | undefined) => {
    if (name === "secretArn" && argument !== undefined && argument in values.secretArns) return values.secretArns[argument];
    if (argument === undefined && name in USER_DATA_PLACEHOLDERS) return values[name as UserDataPlaceholder];
    throw new Error(`user data: ${text} is not a placeholder of this app`);
  });
  const bytes = Buffer.byteLength(rendered, "utf8");
  if (bytes > USER_DATA_LIMIT_BYTES) throw new Error(`user data: ${bytes} bytes once rendered; EC2 takes at most ${USER_DATA_LIMIT_BYTES}`);
  return rendered;
}

/**
 * Reads `app.userData`, a path relative to the project directory (where Pulumi.yaml lives and
 * Pulumi runs the program; `npm run synth` runs there too).
 * @returns the file's text, or a problem naming what is wrong.
 */
export function readUserDataFile(file: string, projectDirectory: string = process.cwd()): { template: string } | { problem: string } {
  if (path.isAbsolute(file)) return { problem: "must be a path relative to the project directory (where Pulumi.yaml is), e.g. app/user-data.sh" };
  const full = path.join(projectDirectory, file);
  if (!existsSync(full) || !statSync(full).isFile())
    return { problem: `names no file: ${full} does not exist; write the path relative to the project directory` };
  return { template: readFileSync(full, "utf8") };
}

const SECRET_NAME = /^[A-Za-z0-9_+=.@-]{1,64}$/;
const PARAMETER_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** `app.image`: exactly one of `amiId` and `ssmParameter`; absent, the demo. */
export const appImageSchema = z
  .strictObject({
    /** An AMI ID of the primary region, e.g. ami-0123456789abcdef0; the DR stack copies it into its region. */
    amiId: z
      .string()
      .regex(/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: "must be an AMI ID such as ami-0123456789abcdef0" })
      .optional(),
    /** An SSM parameter whose value is an AMI ID, resolved in each region, e.g. /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64. */
    ssmParameter: z
      .string()
      .regex(/^(\/[A-Za-z0-9_.-]+)+$|^[A-Za-z0-9_.-]+$/, { error: "must be an SSM parameter name such as /golden/app/ami" })
      .optional(),
  })
  .refine((image) => (image.amiId === undefined) !== (image.ssmParameter === undefined), {
    error: "must set exactly one of amiId (an AMI of the primary region) and ssmParameter (a parameter naming an AMI in each region)",
  })
  .transform((image): AppImage =>
    image.amiId !== undefined ? { kind: "ami", amiId: image.amiId } : { kind: "ssm-parameter", parameterName: image.ssmParameter as string },
  );

/** The primary's `app` keys that define the application (the DR stack takes them from the primary). */
export const appDefinitionShape = {
  /** The machine image (`{amiId}` or `{ssmParameter}`); default the demo on Amazon Linux 2023. */
  image: appImageSchema.optional(),
  /** A file of the project (relative to the directory of Pulumi.yaml) holding the user-data template; default the demo's. */
  userData: z.string().min(1).optional(),
  /** The app's shallow health path; default `/health`. */
  healthPath: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]{0,254}$/, { error: "must be a path starting with / using letters, digits and /_.- (at most 255), e.g. /health" })
    .default(DEFAULT_HEALTH_PATH),
  /** Short names of the app's Secrets Manager secrets, each replicated to the DR region. */
  secrets: z
    .array(z.string().regex(SECRET_NAME, { error: "must be 1-64 letters, digits and _+=.@-" }))
    .max(20, { error: "at most 20 secrets: keep related values in one JSON secret" })
    .refine((names) => new Set(names).size === names.length, { error: "must not name a secret twice" })
    .default([]),
  /** The app's configuration as SSM String parameters, name to value (at most 4 KB each, the standard tier's limit; at most 100). */
  parameters: z
    .record(
      z.string().regex(PARAMETER_NAME, { error: "must be 1-128 letters, digits and _.-" }),
      z.string().refine((value) => Buffer.byteLength(value, "utf8") <= 4096, { error: "must be at most 4096 bytes (an SSM standard parameter's limit)" }),
    )
    .refine((parameters) => Object.keys(parameters).length <= 100, { error: "at most 100 parameters: keep related values in one JSON parameter" })
    .default({}),
  /** The app's own database user (letters, digits, _; not the master user). */
  databaseUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,31}$/, { error: "must be lower-case letters, digits and _, starting with a letter or _ (at most 32)" })
    .refine((name) => !["postgres", "rdsadmin", "rdsrepladmin", "rds_superuser", "root", "mysql", "public"].includes(name), {
      error: "names a reserved or administrative role; pick the app's own name such as app_user",
    })
    .default(DEFAULT_DATABASE_USER),
};

/** The primary's application definition from its parsed `app` block, with the user-data file read. */
export function appDefinitionOf(app: {
  image?: AppImage;
  userDataTemplate?: string;
  healthPath: string;
  secrets: string[];
  parameters: Record<string, string>;
  databaseUser: string;
}): AppDefinition {
  return {
    image: app.image ?? { kind: "demo" },
    ...(app.userDataTemplate !== undefined ? { userDataTemplate: app.userDataTemplate } : {}),
    healthPath: app.healthPath,
    secretNames: app.secrets,
    parameters: app.parameters,
    databaseUser: app.databaseUser,
  };
}
