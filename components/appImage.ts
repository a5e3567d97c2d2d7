/**
 * The app's machine image in one region, from `app.image` (config/appDefinition.ts):
 * - the demo: Amazon Linux 2023 from AWS's public SSM parameter of this region (`amazonLinuxAmiParameter`);
 * - an SSM parameter of yours: read in this region at deploy time, so a parameter missing in the DR
 *   region fails the DR stack's deploy, not a scale-out during a failover;
 * - an AMI ID of the primary region: used as is there; the DR stack copies it into its own region
 *   (`aws.ec2.AmiCopy`, CopyImage called in the DR region with the primary as SourceRegion), its
 *   snapshots encrypted with the DR region's key. An AMI is a regional resource ("You can copy an AMI
 *   within or across AWS Regions", EC2 User Guide, "Copy an Amazon EC2 AMI"): a launch template of the
 *   DR region cannot use the primary's ID, and the copy, once made, needs nothing from the primary
 *   region (DR invariant "the DR launch template's image lives in the DR region").
 *
 * The copy is made when the DR stack is deployed, and again when the primary's `app.image.amiId`
 * changes (a new AMI: redeploy the primary, then the DR stack). During an outage of the primary region
 * a new copy cannot be made; the existing copy keeps serving.
 *
 * The root device name comes from the image (`aws.ec2.getAmi`, DescribeImages `RootDeviceName`), so
 * the launch template's encrypted root volume maps onto the image's own root device, whatever its name
 * (Amazon Linux uses /dev/xvda, Ubuntu /dev/sda1).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AppImage } from "../config/appDefinition";
import { ConfigError } from "../config/errors";
import { CONFIG_NAMESPACE } from "../config/schema";
import { amazonLinuxAmiParameter } from "./userData";

/** The root device of Amazon Linux 2023 AMIs (the demo's image). */
export const AMAZON_LINUX_ROOT_DEVICE = "/dev/xvda";
/** The demo's root volume, GiB (the AL2023 image's snapshot is 8 GiB; the demo keeps logs and the node exporter). */
export const DEMO_ROOT_VOLUME_GIB = 20;

export interface AppImageArgs {
  image: AppImage;
  /** `primary` or `dr`: only the DR region copies an AMI ID. */
  role: "primary" | "dr";
  /** The primary region, the source of a copied AMI, e.g. `us-east-1`. */
  primaryRegion: string;
  /** The instances' CPU architecture (`instanceArchitecture`), which picks the demo's image. */
  architecture: "arm64" | "x86_64";
  /** This region's KMS key ARN, which encrypts a copy's snapshots. */
  kmsKeyArn: pulumi.Input<string>;
  /** Name of the copy, unique in the region (EC2 takes 3-128 characters), e.g. `multi-region-dr-dr-dr-app`. */
  copyName: string;
}

/** The image a launch template uses: its id in this region and its root device name. */
export interface ResolvedAppImage {
  imageId: pulumi.Output<string>;
  rootDeviceName: pulumi.Output<string>;
  /**
   * The root volume's size, GiB: set for the demo; unset for an image of yours, so EC2 uses the size of
   * the image's root snapshot (a smaller size is refused at launch: "Volume of size ... is smaller than
   * snapshot"; EC2 User Guide, "Block device mappings": without a size, the snapshot's size).
   */
  rootVolumeSizeGib?: number;
  /** The DR region's copy of the primary's AMI, when one is made. */
  copy?: aws.ec2.AmiCopy;
}

/**
 * Resolves the image under `parent` (whose provider deploys in this region).
 * @returns the image id and root device; for an AMI ID in the DR role, a new `aws.ec2.AmiCopy`.
 */
export function resolveAppImage(name: string, args: AppImageArgs, parent: pulumi.Resource): ResolvedAppImage {
  const image = args.image;
  if (image.kind === "demo") {
    const parameter = aws.ssm.getParameterOutput({ name: amazonLinuxAmiParameter(args.architecture) }, { parent });
    return { imageId: parameter.value, rootDeviceName: pulumi.output(AMAZON_LINUX_ROOT_DEVICE), rootVolumeSizeGib: DEMO_ROOT_VOLUME_GIB };
  }
  if (image.kind === "ami" && args.role === "dr") {
    const copy = new aws.ec2.AmiCopy(
      `${name}-ami-copy`,
      {
        name: `${args.copyName}-${image.amiId}`,
        description: `The app's image ${image.amiId} copied from ${args.primaryRegion}`,
        sourceAmiId: image.amiId,
        sourceAmiRegion: args.primaryRegion,
        encrypted: true,
        kmsKeyId: args.kmsKeyArn,
      },
      // The name is unique per region: a replacement (e.g. another DR key) must delete the old copy first. Large images
      // copy for a long time; CopyImage of a multi-TB image can take hours.
      { parent, deleteBeforeReplace: true, customTimeouts: { create: "3h" } },
    );
    // No architecture check here: the copy's is known only after CopyImage (up to hours), and the primary stack,
    // whose instance type the DR stack must share, already refuses a mismatched AMI at its own preview.
    return { imageId: copy.id, rootDeviceName: copy.rootDeviceName, copy };
  }
  const imageId = image.kind === "ami" ? pulumi.output(image.amiId) : aws.ssm.getParameterOutput({ name: image.parameterName }, { parent }).value;
  // includeDeprecated: a golden image your pipeline deprecated still resolves (DescribeImages leaves deprecated
  // images out of filtered results unless IncludeDeprecated is set; EC2 API Reference, DescribeImages).
  const described = imageId.apply((id) => aws.ec2.getAmiOutput({ filters: [{ name: "image-id", values: [id] }], includeDeprecated: true }, { parent }));
  return { imageId: ofArchitecture(imageId, described.architecture, args.architecture), rootDeviceName: described.rootDeviceName };
}

/**
 * The image id, once its architecture (DescribeImages `Architecture`: `x86_64`, `arm64`, ...) is the
 * instance type's: an AMI of another architecture cannot boot on it, and the first scale-out (in the
 * DR region, perhaps during a failover) would fail to launch. An AMI ID or parameter is described at
 * preview (a data source), so the refusal comes before any resource is created.
 * @throws ConfigError at deploy, naming `app.image` and both architectures, when they differ.
 */
function ofArchitecture(imageId: pulumi.Output<string>, architecture: pulumi.Output<string>, expected: "arm64" | "x86_64"): pulumi.Output<string> {
  return pulumi.all([imageId, architecture]).apply(([id, actual]) => {
    // An image described without an architecture (older state, an import) is not judged.
    if (typeof actual === "string" && actual !== "" && actual !== expected) {
      throw new ConfigError("The app's image does not fit its instance type", [
        {
          key: `${CONFIG_NAMESPACE}:app.image`,
          value: id,
          message: `is an ${actual} image but app.instanceType runs ${expected}; build the image for ${expected} or pick an instance type of ${actual}`,
        },
      ]);
    }
    return id;
  });
}
