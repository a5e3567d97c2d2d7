/**
 * PodIdentityRole: an IAM role one Kubernetes service account assumes through EKS Pod Identity
 * (EKS User Guide, "Learn how EKS Pod Identity grants pods access to AWS services"): the trust
 * policy of `pods.eks.amazonaws.com` from this account, one inline policy with what the pod uses,
 * optional AWS managed policies, and the association of the role with the service account.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy } from "../monitoring/podIdentityPolicies";
import { accountContext } from "./account";
import { managedPolicyArn, type PolicyDocument } from "./policyDocuments";

export interface PodIdentityRoleArgs {
  /** The EKS cluster the service account lives in. */
  clusterName: pulumi.Input<string>;
  /** Namespace and name of the service account, e.g. `monitoring` / `prometheus`. */
  namespace: string;
  serviceAccount: string;
  /** The inline policy: only what the pod calls. */
  policy: pulumi.Input<PolicyDocument>;
  /** AWS managed policies by path and name (e.g. `service-role/AmazonEBSCSIDriverPolicy`). Default none. */
  managedPolicies?: string[];
  /**
   * Create the `aws.eks.PodIdentityAssociation` here (default true). False when an EKS add-on
   * associates the role itself (`aws.eks.Addon.podIdentityAssociations`).
   */
  associate?: boolean;
  /** What the association must wait for: the cluster (or its node group and Pod Identity agent). Default none. */
  associationDependsOn?: pulumi.Resource[];
}

export class PodIdentityRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  /** The role's policies, to order what needs them after them. */
  readonly policies: pulumi.Resource[];

  /** @throws Error for an empty namespace or service account name. */
  constructor(name: string, args: PodIdentityRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:monitoring:PodIdentityRole", name, {}, opts);
    for (const [key, value] of [
      ["namespace", args.namespace],
      ["serviceAccount", args.serviceAccount],
    ] as const) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
        throw new Error(`PodIdentityRole ${name}: ${key} "${value}" must be a Kubernetes name (lower-case letters, digits and -)`);
      }
    }
    const child = { parent: this };
    const account = accountContext(this);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: account.apply(({ accountId }) => JSON.stringify(podIdentityTrustPolicy(accountId))),
        description: `EKS Pod Identity: ${args.namespace}/${args.serviceAccount}`,
      },
      child,
    );
    const inline = new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: role.name, policy: pulumi.output(args.policy).apply((policy) => JSON.stringify(policy)) },
      child,
    );
    const managed = (args.managedPolicies ?? []).map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-${policy.split("/").pop()}`,
          { role: role.name, policyArn: account.apply(({ partition }) => managedPolicyArn(partition, policy)) },
          child,
        ),
    );
    this.policies = [inline, ...managed];
    if (args.associate ?? true) {
      new aws.eks.PodIdentityAssociation(
        `${name}-association`,
        { clusterName: args.clusterName, namespace: args.namespace, serviceAccount: args.serviceAccount, roleArn: role.arn },
        { parent: this, dependsOn: [...this.policies, ...(args.associationDependsOn ?? [])] },
      );
    }
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
  }
}
