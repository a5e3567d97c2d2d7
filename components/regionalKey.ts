/**
 * RegionalKey: the customer-managed KMS key that encrypts one region's data (database, buckets,
 * volumes, logs, secrets). Each region has its own key so that it can run alone: a DR resource never
 * depends on a key of the primary region (DR invariant 8).
 *
 * The data keys stay single-Region. For data that must be decrypted in either region with the same
 * ciphertext (the Pulumi state backend's secrets, bootstrap/state-backend), the key can be a
 * multi-Region primary key (`multiRegion`) or a replica of one in another region (`replicaOf`): related
 * multi-Region keys share key material and key id, so ciphertext made with one decrypts with any other
 * (KMS Developer Guide, "Multi-Region keys in AWS KMS"). Each still lives and answers in its own region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KEY_DELETION_WINDOW_DAYS } from "../config/conventions";
import { accountContext } from "./account";
import { type KeyPolicyContext, type PolicyDocument, regionalKeyPolicy } from "./policyDocuments";

export interface RegionalKeyArgs {
  /** The region the key lives in (the component's provider must deploy there), e.g. `us-west-2`. */
  region: string;
  /** Alias without the `alias/` prefix, e.g. `multi-region-dr-primary`. */
  aliasName: string;
  /** Protect the key from deletion by Pulumi (`protect`). A deleted key makes its data unreadable. */
  protect: boolean;
  /**
   * Create a multi-Region primary key (id `mrk-...`) that replicas in other regions can share. Default
   * false. Fixed at creation: changing it replaces the key (KMS cannot convert a key).
   */
  multiRegion?: boolean;
  /**
   * ARN of a multi-Region primary key in another region: create its replica here (aws.kms.ReplicaKey)
   * instead of a new key. Rotation is a shared property set on the primary (KMS Developer Guide,
   * "Rotating multi-Region keys"), so the replica has no rotation setting of its own. Unset: a new key.
   */
  replicaOf?: pulumi.Input<string>;
  /**
   * The key policy for this account, partition and region; default {@link regionalKeyPolicy} (the
   * account's IAM policies, plus the regional services the data key serves). Keys that only a person
   * or CI uses (the state backend's) pass a narrower policy.
   */
  keyPolicy?: (context: KeyPolicyContext) => PolicyDocument;
}

export { KEY_DELETION_WINDOW_DAYS };

export class RegionalKey extends pulumi.ComponentResource {
  /** ARN of the key, for `kmsKeyId`-style arguments. */
  readonly keyArn: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;
  /** `alias/<aliasName>`. */
  readonly aliasName: pulumi.Output<string>;

  /** True for a multi-Region primary key or a replica of one. */
  readonly multiRegion: boolean;

  /**
   * @throws Error when `aliasName` is not a valid KMS alias name (letters, digits, `/_-`; not `aws/`),
   *   or when both `multiRegion` and `replicaOf` are set (a replica is multi-Region by nature).
   */
  constructor(name: string, args: RegionalKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:security:RegionalKey", name, {}, opts);
    if (!/^[A-Za-z0-9/_-]{1,250}$/.test(args.aliasName) || args.aliasName.startsWith("aws/")) {
      throw new Error(`RegionalKey ${name}: aliasName "${args.aliasName}" must use letters, digits, /, _ or - and not start with aws/`);
    }
    if (args.replicaOf !== undefined && args.multiRegion !== undefined) {
      throw new Error(`RegionalKey ${name}: set either multiRegion (a new multi-Region primary key) or replicaOf (a replica of one), not both`);
    }
    const account = accountContext(this);
    const buildPolicy = args.keyPolicy ?? regionalKeyPolicy;
    const policy = account.apply(({ accountId, partition }) => JSON.stringify(buildPolicy({ accountId, partition, region: args.region })));
    this.multiRegion = args.replicaOf !== undefined || args.multiRegion === true;
    let keyArn: pulumi.Output<string>;
    let keyId: pulumi.Output<string>;
    let aliasTarget: pulumi.Output<string>;
    if (args.replicaOf !== undefined) {
      const replica = new aws.kms.ReplicaKey(
        `${name}-key`,
        {
          description: `Replica in ${args.region} of the multi-Region key ${args.aliasName}`,
          primaryKeyArn: args.replicaOf,
          deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
          policy,
        },
        { parent: this, protect: args.protect },
      );
      keyArn = replica.arn;
      keyId = replica.keyId;
      aliasTarget = replica.arn;
    } else {
      const key = new aws.kms.Key(
        `${name}-key`,
        {
          description: `Data key of ${args.aliasName} in ${args.region}`,
          enableKeyRotation: true,
          deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
          multiRegion: args.multiRegion ?? false,
          policy,
        },
        { parent: this, protect: args.protect },
      );
      keyArn = key.arn;
      keyId = key.keyId;
      aliasTarget = key.keyId;
    }
    // Aliases are regional: a replica gets its own alias of the same name in its region.
    const alias = new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.aliasName}`, targetKeyId: aliasTarget }, { parent: this });
    this.keyArn = keyArn;
    this.keyId = keyId;
    this.aliasName = alias.name;
    this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId, aliasName: this.aliasName });
  }
}
