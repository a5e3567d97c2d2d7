/**
 * Config keys that would be silently ignored, refused before any resource exists:
 * - a key without a namespace (`app`, `role`), which Pulumi itself refuses;
 * - a key under a namespace that looks like the project's but is not (`multi_region_dr:app`);
 * - an `aws:` key other than `aws:region`: a project key written under `aws:` (`aws:app`), or an
 *   AWS provider setting (`aws:profile`, `aws:defaultTags`), which this program's providers never read.
 * Pulumi passes every key of the stack file to the program; `parseStackConfig` reads only
 * `<project>:*` and `aws:region`, so without this check such keys would be dropped without a word.
 */
import { closestNames, editDistance } from "./closestNames";
import type { ConfigProblem } from "./errors";

/** Spelling-insensitive form of a namespace: lower case, `_`, `.` and spaces read as `-`. */
function normalized(namespace: string): string {
  return namespace.toLowerCase().replace(/[\s_.]+/g, "-");
}

/**
 * True when `namespace` is not `project` but looks like a misspelling of it: the same once case and
 * separators are normalized (`multi_region_dr`, `Multi-Region-DR`, `multiregiondr`), or within an
 * edit distance of a sixth of the project name's length, at least 1 (2 for `multi-region-dr`:
 * `multi-regoin-dr`, `multi-region-d`). Namespaces of providers and tools (`aws`, `pulumi`,
 * `kubernetes`) are far from any project name of that length and never match.
 */
export function looksLikeProjectNamespace(namespace: string, project: string): boolean {
  if (namespace === project) return false;
  const candidate = normalized(namespace);
  if (candidate === project || candidate.replace(/-/g, "") === project.replace(/-/g, "")) return true;
  return editDistance(candidate, project) <= Math.max(1, Math.floor(project.length / 6));
}

/**
 * Why a key without a namespace is refused: Pulumi's config key parser takes only
 * `<namespace>:<name>` (and the legacy `<namespace>:config:<name>`) and fails any other key with
 * "could not parse <key> as a configuration key (configuration keys should be of the form
 * `<namespace>:<name>`)" (pulumi/pulumi, sdk/go/common/resource/config/key.go, `ParseKey`), so the
 * Pulumi CLI would refuse the stack file and this program could never read the key.
 */
const NO_NAMESPACE = "has no namespace: Pulumi reads only <namespace>:<name> config keys (its ParseKey refuses any other), so the key cannot be read";

/**
 * What an operator should do instead of an AWS provider setting in the stack config, by setting
 * name. The program's providers are built from `aws:region` and the default tags only
 * (stacks/regionalProvider.ts), and an explicit `aws.Provider` reads no `aws:` stack config: it is
 * configured independently of it, by design, and falls back to the environment (pulumi/pulumi-aws#1307,
 * "It is currently by design that an explicit provider is configured independent of any aws:* config";
 * #3259, closed as resolution/by-design, whose report reads "it will silently use those and deploy to
 * the wrong account"). The environment variables are the AWS SDKs' standard ones (AWS SDKs and Tools
 * Reference Guide, "Using environment variables to globally configure AWS SDKs and tools",
 * https://docs.aws.amazon.com/sdkref/latest/guide/environment-variables.html).
 */
interface AwsSettingAdvice {
  /** What happens when the key is ignored. */
  readonly consequence: string;
  /** What to do instead. */
  readonly fix: string;
}

const CREDENTIALS_IGNORED = "`pulumi up` would run with whatever credentials its environment holds, possibly those of another account";
/**
 * A Pulumi ESC environment imported by the stack can set credentials for `pulumi up` under
 * `environmentVariables` (e.g. `AWS_ACCESS_KEY_ID: ${aws.login.accessKeyId}` from `fn::open::aws-login`);
 * under `pulumiConfig` they would be `aws:` stack config again (Pulumi ESC docs, "ESC Pulumi IaC
 * Integration", https://www.pulumi.com/docs/esc/integrations/infrastructure/pulumi-iac/).
 */
const ESC = "or set it under environmentVariables (not pulumiConfig) of a Pulumi ESC environment the stack imports";

const ADVICE_BY_AWS_SETTING: Readonly<Record<string, AwsSettingAdvice>> = {
  profile: { consequence: CREDENTIALS_IGNORED, fix: `set AWS_PROFILE in the environment of \`pulumi up\` instead, ${ESC}` },
  accessKey: { consequence: CREDENTIALS_IGNORED, fix: `set AWS_ACCESS_KEY_ID in the environment of \`pulumi up\` instead, ${ESC}` },
  secretKey: { consequence: CREDENTIALS_IGNORED, fix: `set AWS_SECRET_ACCESS_KEY in the environment of \`pulumi up\` instead, ${ESC}` },
  token: { consequence: CREDENTIALS_IGNORED, fix: `set AWS_SESSION_TOKEN in the environment of \`pulumi up\` instead, ${ESC}` },
  sharedCredentialsFiles: {
    consequence: CREDENTIALS_IGNORED,
    fix: "set AWS_SHARED_CREDENTIALS_FILE (with AWS_PROFILE) in the environment of `pulumi up` instead",
  },
  sharedCredentialsFile: {
    consequence: CREDENTIALS_IGNORED,
    fix: "set AWS_SHARED_CREDENTIALS_FILE (with AWS_PROFILE) in the environment of `pulumi up` instead",
  },
  sharedConfigFiles: { consequence: CREDENTIALS_IGNORED, fix: "set AWS_CONFIG_FILE (with AWS_PROFILE) in the environment of `pulumi up` instead" },
  assumeRole: {
    consequence: CREDENTIALS_IGNORED,
    fix:
      "assume the role before `pulumi up`: a profile with role_arn and source_profile in ~/.aws/config selected by AWS_PROFILE, " +
      "or a Pulumi ESC environment whose aws-login assumes it and sets the credentials under environmentVariables",
  },
  assumeRoleWithWebIdentity: {
    consequence: CREDENTIALS_IGNORED,
    fix: "set AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE in the environment of `pulumi up` instead, or use a Pulumi ESC environment's aws-login (oidc)",
  },
  allowedAccountIds: {
    consequence: "nothing would stop `pulumi up` from deploying into another account",
    fix: "check the account of the credentials in the environment before `pulumi up` (aws sts get-caller-identity)",
  },
  forbiddenAccountIds: {
    consequence: "nothing would stop `pulumi up` from deploying into a forbidden account",
    fix: "check the account of the credentials in the environment before `pulumi up` (aws sts get-caller-identity)",
  },
};

/**
 * The problem of an `aws:` key other than `aws:region`, or undefined for `aws:region`: a project key
 * written under `aws:` is named with its intended key; any other key is an AWS provider setting
 * that the program's explicit providers never read ({@link ADVICE_BY_AWS_SETTING}). The AWS provider
 * itself rejects unknown `aws:` keys only when its default provider reads the stack config
 * ("Invalid or unknown key", pulumi/pulumi-aws#3360, resolution by-design); this program has none.
 */
function awsKeyMessage(key: string, project: string, projectKeys: readonly string[]): string | undefined {
  if (key === "region") return undefined;
  if (projectKeys.includes(key.split(".")[0])) {
    return (
      `is this project's key ${key}, not an AWS provider setting: the program's explicit AWS providers read no aws: config ` +
      `(only aws:region is read, by the program itself), so it would be ignored; rename the key to ${project}:${key}`
    );
  }
  const advice: AwsSettingAdvice =
    key === "defaultTags"
      ? { consequence: "no resource would get these tags", fix: `put the tags under ${project}:tags, which the program gives every provider as default tags` }
      : (ADVICE_BY_AWS_SETTING[key] ?? {
          consequence: "it would have no effect",
          fix: `the providers take only aws:region and the default tags of ${project}:tags; set it in the environment of \`pulumi up\` if the AWS SDK reads it there`,
        });
  return (
    `is not read by this program's AWS providers: each is an explicit aws.Provider given only the region and the default tags, and an ` +
    `explicit provider reads no aws: stack config (pulumi/pulumi-aws#1307, #3259), so ${advice.consequence}; ${advice.fix}, and remove the key`
  );
}

/** The problem of a key without a namespace, naming the key it was meant to be. */
function noNamespaceMessage(key: string, project: string, projectKeys: readonly string[]): string {
  const topLevel = key.split(".")[0];
  if (topLevel === "region") return `${NO_NAMESPACE}; write aws:region`;
  if (projectKeys.includes(topLevel)) return `${NO_NAMESPACE}; write ${project}:${key}`;
  const closest = closestNames(topLevel, [...projectKeys, "region"]);
  const hint = closest.length > 0 ? ` (closest: ${closest.map((name) => (name === "region" ? "aws:region" : `${project}:${name}`)).join(", ")})` : "";
  return `${NO_NAMESPACE}; write it as <namespace>:<name>, such as ${project}:${key} for a setting of this program${hint}, or remove it`;
}

/**
 * The problems of keys that would be silently ignored, one per key, in the order given:
 * - `<key>` without a namespace: refused as Pulumi refuses it; names `<project>:<key>` (or
 *   `aws:region` for `region`).
 * - `<lookalike>:<key>` where the namespace {@link looksLikeProjectNamespace}: names the intended
 *   key `<project>:<key>`.
 * - `aws:<key>` other than `aws:region`: one of `projectKeys` names `<project>:<key>`; any other is
 *   an AWS provider setting this program's providers do not read, with what to do instead.
 * Keys of other namespaces (`pulumi:*`, `kubernetes:*`, `other-project:*`) are left alone.
 *
 * @param allConfig full keys (`<namespace>:<key>`) to values as Pulumi passes them (JSON text for objects).
 * @param project the project name, which is the config namespace (`multi-region-dr`).
 * @param projectKeys this project's top-level keys, for naming the intended key.
 */
export function namespaceProblems(allConfig: Readonly<Record<string, string>>, project: string, projectKeys: readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [fullKey, text] of Object.entries(allConfig)) {
    const refuse = (message: string) => problems.push({ key: fullKey, value: parseConfigValue(text), message });
    const colon = fullKey.indexOf(":");
    if (colon < 0) {
      refuse(noNamespaceMessage(fullKey, project, projectKeys));
      continue;
    }
    const namespace = fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (looksLikeProjectNamespace(namespace, project)) {
      refuse(`is under the namespace "${namespace}", not this project's "${project}", so the program would ignore it; rename the key to ${project}:${key}`);
    } else if (namespace === "aws") {
      const message = awsKeyMessage(key, project, projectKeys);
      if (message !== undefined) refuse(message);
    }
  }
  return problems;
}

/** A config value as Pulumi hands it: structured values as JSON text, scalars as plain text. */
export function parseConfigValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
