/**
 * RegionalKey: the customer-managed KMS key that encrypts one region's data (database, buckets,
 * volumes, logs, secrets). Each region has its own key so that it can run alone: a DR resource never
 * depends on a key of the primary region (DR invariant 8).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KEY_DELETION_WINDOW_DAYS } from "../config/conventions";
import { accountContext } from "./account";
import { regionalKeyPolicy } from "./policyDocuments";

export interface RegionalKeyArgs {
  /** The region the key lives in (the component's provider must deploy there), e.g. `us-west-2`. */
  region: string;
  /** Alias without the `alias/` prefix, e.g. `multi-region-dr-primary`. */
  aliasName: string;
  /** Protect the key from deletion by Pulumi (`protect`). A deleted key makes its data unreadable. */
  protect: boolean;
}

export { KEY_DELETION_WINDOW_DAYS };

export class RegionalKey extends pulumi.ComponentResource {
  /** ARN of the key, for `kmsKeyId`-style arguments. */
  readonly keyArn: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;
  /** `alias/<aliasName>`. */
  readonly aliasName: pulumi.Output<string>;

  /** @throws Error when `aliasName` is not a valid KMS alias name (letters, digits, `/_-`; not `aws/`). */
  constructor(name: string, args: RegionalKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:security:RegionalKey", name, {}, opts);
    if (!/^[A-Za-z0-9/_-]{1,250}$/.test(args.aliasName) || args.aliasName.startsWith("aws/")) {
      throw new Error(`RegionalKey ${name}: aliasName "${args.aliasName}" must use letters, digits, /, _ or - and not start with aws/`);
    }
    const account = accountContext(this);
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Data key of ${args.aliasName} in ${args.region}`,
        enableKeyRotation: true,
        deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
        multiRegion: false,
        policy: account.apply(({ accountId, partition }) => JSON.stringify(regionalKeyPolicy({ accountId, partition, region: args.region }))),
      },
      { parent: this, protect: args.protect },
    );
    const alias = new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.aliasName}`, targetKeyId: key.keyId }, { parent: this });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = alias.name;
    this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId, aliasName: this.aliasName });
  }
}
