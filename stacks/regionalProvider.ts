/**
 * The explicit AWS provider of a stack's region, with the program's default tags. Every component
 * receives it through `providers`, so no resource silently lands in the CLI's default region.
 *
 * Also the DR stack's reach into other regions: the providers of those regions, and
 * {@link RetainedInRegion}, which gives every resource the DR stack places in the primary region
 * `retainOnDelete` so that the outage mode (`outage.primaryRegionDown`) can drop them from the
 * program without a call to the failed region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, type StackConfig } from "../config/schema";
import { RETAINED_TAG } from "../invariants/statefulProtection";

/** Tags on every resource: the program's own (Project, Stack, DrRole, ManagedBy) and the configured ones. */
export function stackTags(config: StackConfig, stackName: string): Record<string, string> {
  return { ...config.tags, Project: CONFIG_NAMESPACE, Stack: stackName, DrRole: config.role, ManagedBy: "pulumi" };
}

/** Creates the stack's regional provider. */
export function regionalProvider(config: StackConfig, stackName: string): aws.Provider {
  return new aws.Provider(`${config.role}-${config.region}`, {
    region: config.region,
    defaultTags: { tags: stackTags(config, stackName) },
  });
}

/**
 * A provider for another region that the stack reaches into (the DR stack's alarm topics in the
 * primary region and us-east-1, its backup plan in the primary region), with the stack's tags.
 *
 * Its STS calls go to the stack's own region (`stsRegion`: "The region where AWS STS operations will
 * take place", node_modules/@pulumi/aws/provider.d.ts). Configuring the AWS provider validates the
 * credentials and reads the account id through STS GetCallerIdentity; without `stsRegion` that call
 * goes to the provider's `region`, so even a plan that only drops this provider's resources (the
 * engine configures every provider of the state, pulumi/pulumi pkg/resource/deploy/providers/registry.go)
 * would need the region it deploys to. With it, configuring the provider needs only the DR region.
 * `skipCredentialsValidation` as well: the Pulumi provider's own credential check (pulumi-aws
 * `provider/resources.go` validateCredentials) builds its client from `region` and does not read
 * `stsRegion`, so with credentials that need a call (a profile that assumes a role, web identity) it
 * would reach the failed region; skipping it moves a credentials error to the first API call, in the
 * DR region (the account id is still read, through `stsRegion`).
 * @param name the provider's logical name, unique in the stack.
 */
export function otherRegionProvider(name: string, region: string, config: StackConfig, stackName: string): aws.Provider {
  return new aws.Provider(name, {
    region,
    stsRegion: config.region,
    skipCredentialsValidation: true,
    defaultTags: { tags: stackTags(config, stackName) },
  });
}

/** Options that put a component in the stack's region. */
export function inRegion(provider: aws.Provider): pulumi.ComponentResourceOptions {
  return { providers: { aws: provider } };
}

/**
 * The tag a stateful resource kept with `retainOnDelete` instead of `protect` carries (value `"true"`):
 * the policy pack sees `protect` but not `retainOnDelete` (@pulumi/policy 1.21 PolicyResourceOptions),
 * so the mandatory `stateful-resources-protected` policy accepts an unprotected key or vault that
 * carries this tag, and DR invariant 10, which sees the real option, checks it.
 */
export { RETAINED_TAG };

/** One resource {@link RetainedInRegion} marked, by logical name. */
export interface RetainedResource {
  name: string;
  type: string;
  resource: pulumi.CustomResource;
}

/** Which custom children of a component {@link RetainedInRegion.transformation} marks. */
export type RetainedSelector = (args: pulumi.ResourceTransformationArgs) => boolean;

/**
 * The resources the DR stack places in its primary region (and us-east-1 when that is the primary
 * region), deployed so that a later program without them drops them from the state without a call:
 * `retainOnDelete` ("the resource will not be deleted from the cloud provider when it is removed from
 * the Pulumi program", Pulumi docs, "Resource option: retainOnDelete"; the engine skips the provider's
 * Delete for it, pulumi/pulumi pkg/resource/deploy/step.go DeleteStep.Apply) and never `protect`,
 * which the same DeleteStep.Apply checks first and refuses ("cannot be deleted because it is protected").
 *
 * Used only in the protected mode (`protect: true`): the teardown mode keeps deleting everything.
 * Stateful ones (keys, vaults) also get {@link RETAINED_TAG}. With `adopt` (logical name -> physical id,
 * from the stack's `primaryRegionResourceIds` output), a marked resource gets the `import` option:
 * the way back after the outage adopts the resources the outage mode dropped instead of creating them
 * again (a vault name or a KMS alias that still exists would be refused: CreateBackupVault
 * AlreadyExistsException, CreateAlias AlreadyExistsException). An `import` of a resource already in the
 * state with that id is no import (pulumi/pulumi step_generator.go: `isImport` needs no old state or
 * another id), so leaving `adopt` set is harmless.
 */
export class RetainedInRegion {
  private readonly marked: RetainedResource[] = [];
  private readonly used = new Set<string>();

  /**
   * @param region the region whose resources are marked, e.g. `us-east-1`.
   * @param adopt logical name -> physical id to import; default none.
   */
  constructor(
    readonly region: string,
    private readonly adopt: Readonly<Record<string, string>> = {},
  ) {}

  /**
   * A `transformations` entry for a component: marks each custom child `select` accepts (default all).
   * Pulumi applies a component's transformations to all its descendants (Pulumi docs, "transformations").
   */
  transformation(select: RetainedSelector = () => true): pulumi.ResourceTransformation {
    return (args) => {
      if (!(args.resource instanceof pulumi.CustomResource) || args.type.startsWith("pulumi:providers:") || !select(args)) return undefined;
      this.marked.push({ name: args.name, type: args.type, resource: args.resource });
      const id = this.adopt[args.name];
      if (id !== undefined) this.used.add(args.name);
      const stateful = STATEFUL_RETAINED_TYPES.includes(args.type);
      const props = stateful ? { ...args.props, tags: { ...(args.props.tags as Record<string, string> | undefined), [RETAINED_TAG]: "true" } } : args.props;
      const adoption = id === undefined ? {} : { import: id, ...(NOT_READ_BACK[args.type] ? { ignoreChanges: NOT_READ_BACK[args.type] } : {}) };
      return { props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true, protect: false, ...adoption }) };
    };
  }

  /** The marked resources, in registration order. */
  get resources(): readonly RetainedResource[] {
    return this.marked;
  }

  /** Logical name -> import id of every marked resource (`importIdOf`): the stack's `primaryRegionResourceIds` output. */
  ids(): pulumi.Output<Record<string, string>> {
    return pulumi
      .all(this.marked.map(({ name, type, resource }) => importIdOf(type, resource).apply((id): [string, string] => [name, id])))
      .apply((entries): Record<string, string> => Object.fromEntries(entries));
  }

  /** Names in `adopt` that named no marked resource: typos, or resources of another configuration. */
  unusedAdoptions(): string[] {
    return Object.keys(this.adopt).filter((name) => !this.used.has(name));
  }
}

/**
 * The id `pulumi import` (and the `import` resource option) takes for a resource: its physical id,
 * except where the provider documents another form. An AWS Backup selection imports as
 * `<plan id>|<selection id>` (the provider's `aws.backup.Selection` import section).
 */
export function importIdOf(type: string, resource: pulumi.CustomResource): pulumi.Output<string> {
  if (type === "aws:backup/selection:Selection") return pulumi.interpolate`${(resource as aws.backup.Selection).planId}|${resource.id}`;
  // A web ACL imports as <id>/<name>/<scope> (Pulumi aws.wafv2.WebAcl, "Import"); the edge's has scope CLOUDFRONT (components/edge/webAcl.ts).
  if (type === "aws:wafv2/webAcl:WebAcl") {
    const acl = resource as aws.wafv2.WebAcl;
    return pulumi.interpolate`${resource.id}/${acl.name}/${acl.scope}`;
  }
  return resource.id;
}

/**
 * Inputs the provider cannot read back from AWS, by type, ignored when a resource is adopted: an
 * import whose inputs differ from what the provider read fails ("inputs to import do not match the
 * existing resource", Pulumi docs, "Importing resources"), unless the property is in `ignoreChanges`.
 * A KMS key's deletion window and policy-lockout bypass are arguments of the call, not attributes of
 * the key (KMS DescribeKey returns neither); a vault's `forceDestroy` is the provider's own switch.
 */
const NOT_READ_BACK: Readonly<Record<string, string[]>> = {
  "aws:kms/key:Key": ["deletionWindowInDays", "bypassPolicyLockoutSafetyCheck"],
  "aws:backup/vault:Vault": ["forceDestroy"],
  // A function's deployment package is not read back (pulumi/pulumi-aws#3376: functions built from archives fail to import
  // cleanly): the Region switch plan's primary-region action function (components/regionSwitchPlan.ts) is adopted as it is.
  "aws:lambda/function:Function": ["code"],
};

/** The stateful types the DR stack may place in the primary region: tagged {@link RETAINED_TAG}. */
const STATEFUL_RETAINED_TYPES = ["aws:kms/key:Key", "aws:backup/vault:Vault"];

/** Selects resources with an explicit provider among `providers`, or whose v7 per-resource `region` is `region`. */
export function inProviderOrRegion(providers: readonly aws.Provider[], region: string): RetainedSelector {
  return (args) => (args.opts.provider !== undefined && providers.includes(args.opts.provider as aws.Provider)) || args.props.region === region;
}

export { resourcePrefix } from "../config/conventions";
