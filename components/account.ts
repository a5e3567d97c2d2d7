/**
 * The AWS account and partition a stack deploys into, looked up once per component through the
 * component's own provider (so the look-up happens in the component's region).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Account id (12 digits) and partition (`aws`, `aws-us-gov`, `aws-cn`). */
export interface AccountContext {
  accountId: string;
  partition: string;
}

/** Looks up the caller's account and partition through `parent`'s provider. */
export function accountContext(parent: pulumi.Resource): pulumi.Output<AccountContext> {
  const identity = aws.getCallerIdentityOutput({}, { parent });
  const partition = aws.getPartitionOutput({}, { parent });
  return pulumi.all([identity.accountId, partition.partition]).apply(([accountId, name]) => ({
    accountId,
    partition: name,
  }));
}
