/**
 * AppParameters: the app's configuration (`app.parameters`) as SSM Parameter Store String
 * parameters in one region, under the app's parameter path. Both stacks write the same names and
 * values (the DR stack from the primary's outputs), each in its own region: Parameter Store is a
 * regional service with no replication of its own, so the DR region's instances read the DR
 * region's copy and need nothing from the primary region (Systems Manager User Guide, "AWS Systems
 * Manager Parameter Store": parameters are stored per Region).
 *
 * Only String parameters: a value that must stay secret belongs in `app.secrets` (Secrets Manager,
 * replicated with the DR region's key), never in the Pulumi state as a parameter value.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The SSM path of the app's parameters, shared by both regions: `/<primary prefix>/app/`.
 * @param primaryPrefix the primary stack's resource prefix, e.g. `multi-region-dr-primary-primary`.
 */
export function appParameterPath(primaryPrefix: string): string {
  return `/${primaryPrefix}/app/`;
}

export interface AppParametersArgs {
  /** The path, ending in `/` ({@link appParameterPath}). */
  path: string;
  /** Name to value, each at most 4 KB (the standard tier). */
  parameters: Readonly<Record<string, string>>;
}

export class AppParameters extends pulumi.ComponentResource {
  /** Full parameter names, e.g. `/multi-region-dr-primary-primary/app/feature-flags`. */
  readonly names: string[];

  constructor(name: string, args: AppParametersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:app:AppParameters", name, {}, opts);
    this.names = Object.entries(args.parameters).map(([key, value]) => {
      const parameterName = `${args.path}${key}`;
      new aws.ssm.Parameter(
        `${name}-${key}`,
        { name: parameterName, type: "String", tier: "Standard", value, description: "App configuration" },
        { parent: this },
      );
      return parameterName;
    });
    this.registerOutputs({ names: this.names });
  }
}
