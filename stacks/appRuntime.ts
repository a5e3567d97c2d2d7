/**
 * What the app needs in one region, whichever role it plays: its definition (config/appDefinition.ts),
 * this region's copies of its secrets and parameters, and the user data rendered with this region's
 * values. The primary builds it from its config and the secrets it creates (`primaryAppRuntime`);
 * the DR stack from the primary's outputs, with the secrets' replica ARNs in its own region
 * (`drAppRuntime`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AppDefinition, renderUserDataTemplate } from "../config/appDefinition";
import { type PrimaryOutputs } from "../config/primaryContract";
import { type Engine } from "../config/schema";
import { type AppAccess } from "../components/appTier";
import { type AppSecrets, replicaSecretArn } from "../components/appSecrets";
import { renderAppUserData } from "../components/userData";
import { instanceArchitecture } from "../config/rules";

/** The app in one region. */
export interface AppRuntime {
  definition: AppDefinition;
  /** The app's SSM parameter path (the same in both regions). */
  parameterPath: string;
  /** The database the app uses, e.g. `app`. */
  databaseName: string;
  /** This region's copy of the database credentials secret: its ARN and its name (the same in both regions). */
  databaseCredentialsSecretArn: pulumi.Input<string>;
  databaseCredentialsSecretName: pulumi.Input<string>;
  /** Short name to ARN of this region's copy of each app secret. */
  secretArns: pulumi.Input<Record<string, string>>;
  /** The KMS key of this region that encrypts those copies. */
  secretsKeyArn: pulumi.Input<string>;
}

/** The instances' access in this region: every secret copy, their key, the parameter path, the data bucket and its key. */
export function appAccessOf(runtime: AppRuntime, data: { bucketArn: pulumi.Input<string>; keyArn: pulumi.Input<string> }): AppAccess {
  return {
    dataBucketArn: data.bucketArn,
    dataKeyArn: data.keyArn,
    secretArns: pulumi
      .all([runtime.databaseCredentialsSecretArn, runtime.secretArns])
      .apply(([credentials, secrets]) => [credentials, ...Object.values(secrets)]),
    secretsKeyArn: runtime.secretsKeyArn,
    parameterPath: runtime.parameterPath,
  };
}

/** The primary region's runtime: the secrets this stack creates. */
export function primaryAppRuntime(definition: AppDefinition, parameterPath: string, databaseName: string, secrets: AppSecrets): AppRuntime {
  return {
    definition,
    parameterPath,
    databaseName,
    databaseCredentialsSecretArn: secrets.databaseCredentialsSecretArn,
    databaseCredentialsSecretName: secrets.databaseCredentialsSecretName,
    secretArns: secrets.secretArns,
    secretsKeyArn: secrets.keyArn,
  };
}

/**
 * The DR region's runtime from the primary's outputs: the replicas' ARNs are the primary's with the
 * region changed (components/appSecrets.ts), decrypted by the replica key in this region. Each replica
 * is looked up in this region (DescribeSecret, through `invokeOptions`' DR provider), so a replica that
 * does not exist (replication is asynchronous and can fail, e.g. on a name already taken in this
 * region: Secrets Manager User Guide, "Troubleshoot replication") fails the DR stack's deploy instead
 * of an instance's boot during a failover; the lookup needs nothing from the primary region.
 * @throws Error when the primary's secrets are not replicated to this region (config validation
 *   refuses that pair first: `crossStackProblems`).
 */
export function drAppRuntime(primary: PrimaryOutputs, region: string, invokeOptions: pulumi.InvokeOutputOptions): AppRuntime {
  const app = primary.app;
  if (app === undefined) throw new Error("the primary exports no app: redeploy the primary with this version of the program");
  if (app.secrets.standbyRegion !== region || app.secrets.standbyKeyArn === undefined) {
    throw new Error(`the primary's app secrets are not replicated to ${region}: set standbyRegion: ${region} in the primary's stack file and redeploy it`);
  }
  const replica = (arn: string) => aws.secretsmanager.getSecretOutput({ arn: replicaSecretArn(arn, region) }, invokeOptions).arn;
  const secretNames = Object.keys(app.secrets.secretArns);
  return {
    definition: app.definition,
    parameterPath: app.parameterPath,
    databaseName: app.databaseName,
    databaseCredentialsSecretArn: replica(app.secrets.databaseCredentialsSecretArn),
    databaseCredentialsSecretName: app.secrets.databaseCredentialsSecretName,
    secretArns: pulumi
      .all(secretNames.map((name) => replica(app.secrets.secretArns[name])))
      .apply((arns) => Object.fromEntries(secretNames.map((name, index) => [name, arns[index]]))),
    secretsKeyArn: app.secrets.standbyKeyArn,
  };
}

/** This region's values for the user data. */
export interface RegionalAppValues {
  region: string;
  role: "primary" | "dr";
  port: number;
  instanceType: string;
  engine: Engine;
  databaseHost: string;
  databasePort: number;
  bucketName: pulumi.Input<string>;
}

/**
 * The user data for this region: the app's own template rendered with this region's values; else,
 * for the demo image, the demo's user data; else (an image of yours and no template) none.
 * @throws Error (inside the Output) when the rendered script exceeds EC2's 16 KB.
 */
export function appUserData(runtime: AppRuntime, values: RegionalAppValues): pulumi.Output<string> {
  const definition = runtime.definition;
  return pulumi
    .all([runtime.databaseCredentialsSecretArn, runtime.databaseCredentialsSecretName, runtime.secretArns, values.bucketName])
    .apply(([credentialsArn, credentialsName, secretArns, bucketName]) => {
      if (definition.userDataTemplate !== undefined) {
        return renderUserDataTemplate(definition.userDataTemplate, {
          region: values.region,
          role: values.role,
          port: String(values.port),
          healthPath: definition.healthPath,
          databaseHost: values.databaseHost,
          databasePort: String(values.databasePort),
          databaseName: runtime.databaseName,
          databaseCredentialsSecretArn: credentialsArn,
          parameterPath: runtime.parameterPath,
          bucketName,
          secretArns,
        });
      }
      if (definition.image.kind !== "demo") return "";
      return renderAppUserData({
        region: values.region,
        role: values.role,
        port: values.port,
        healthPath: definition.healthPath,
        engine: values.engine,
        databaseHost: values.databaseHost,
        databasePort: values.databasePort,
        databaseName: runtime.databaseName,
        databaseCredentialsSecretName: credentialsName,
        architecture: instanceArchitecture(values.instanceType),
      });
    });
}
