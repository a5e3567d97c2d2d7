/**
 * The origin-verify secret: the value CloudFront adds to every origin request in ORIGIN_VERIFY_HEADER
 * and both ALBs' listeners forward on (components/edge/originAccess.ts).
 *
 * Made by the PRIMARY stack and exported as a Pulumi secret output; the DR stack reads it through its
 * StackReference to the primary (which it already holds), puts it on its own ALB's listener and on the
 * distribution's two origins. No cycle: the primary reads nothing of the DR stack. No AWS resource and
 * no region: a `random.RandomPassword` lives in the Pulumi state only, so the DR stack still reads it
 * from the backend while the primary region is down (the backend lives outside it, docs/state-backend.md).
 *
 * Its alphabet: lower-case letters and digits, 64 of them (about 330 bits). An ALB compares header
 * values case-insensitively and reads `*` and `?` as wildcards (Elastic Load Balancing User Guide,
 * "Listener rules", HTTP header conditions; the provider's `ListenerRuleConditionHttpHeader.values`), so
 * upper case would add nothing and special characters could match more than the secret; a value is at
 * most 128 characters there.
 */
import * as random from "@pulumi/random";
import * as pulumi from "@pulumi/pulumi";

/** Length of the secret, characters: within an ALB header condition's 128. */
export const ORIGIN_SECRET_LENGTH = 64;

/**
 * Creates the secret under `parent` (or at the top level).
 * @param version `edge.cloudFront.originSecretVersion` (1 or more): a new version replaces the secret (its `keepers`).
 * @returns the secret value, marked secret.
 * @throws RangeError when the version is not a whole number of at least 1.
 */
export function originVerifySecret(name: string, version: number, opts?: pulumi.CustomResourceOptions): pulumi.Output<string> {
  if (!Number.isInteger(version) || version < 1)
    throw new RangeError(`originVerifySecret ${name}: version must be a whole number of at least 1, got ${version}`);
  const password = new random.RandomPassword(
    name,
    { length: ORIGIN_SECRET_LENGTH, lower: true, numeric: true, upper: false, special: false, keepers: { version: String(version) } },
    opts,
  );
  return pulumi.secret(password.result);
}
