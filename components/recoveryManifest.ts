/**
 * RecoveryManifest: one SSM String parameter in the stack's region holding the stack's recovery
 * manifest (`config/recoveryManifest.ts`): declared RTO and RPO, role, region and, for the DR stack,
 * the primary's outputs it was built against. The policy pack judges the stack from it; operators and
 * the failover workflow read it in the DR region without reaching the primary region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  recoveryManifestName,
  type RecoveryManifest as RecoveryManifestValue,
  recoveryManifestSchema,
  STANDARD_PARAMETER_MAX_CHARACTERS,
} from "../config/recoveryManifest";

export interface RecoveryManifestArgs {
  /** The manifest; plain values only (config and validated primary outputs), so previews see it whole. */
  manifest: RecoveryManifestValue;
}

export class RecoveryManifest extends pulumi.ComponentResource {
  /** The SSM parameter name, `/<project>/<stack>/recovery-manifest`. */
  readonly parameterName: string;
  readonly parameterArn: pulumi.Output<string>;

  /**
   * @throws Error when the manifest does not match its schema (a programming error: the stacks build it from validated config).
   */
  constructor(name: string, args: RecoveryManifestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:recovery:RecoveryManifest", name, {}, opts);
    const checked = recoveryManifestSchema.safeParse(args.manifest);
    if (!checked.success) throw new Error(`RecoveryManifest ${name}: invalid manifest: ${checked.error.message}`);
    const value = JSON.stringify(checked.data);
    this.parameterName = recoveryManifestName(checked.data.project, checked.data.stack);
    const parameter = new aws.ssm.Parameter(
      `${name}-parameter`,
      {
        name: this.parameterName,
        description: `Recovery manifest of stack ${checked.data.stack} (${checked.data.role}): declared RTO/RPO and the pair contract`,
        type: "String",
        dataType: "text",
        // Standard parameters hold 4 KB; a longer manifest needs Advanced (AWS SSM parameter tiers).
        tier: value.length <= STANDARD_PARAMETER_MAX_CHARACTERS ? "Standard" : "Advanced",
        // Not a secret: the manifest holds ARNs and capacities, and previews should show its diff.
        insecureValue: value,
      },
      { parent: this },
    );
    this.parameterArn = parameter.arn;
    this.registerOutputs({ parameterName: this.parameterName, parameterArn: this.parameterArn });
  }
}
