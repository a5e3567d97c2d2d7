/**
 * The viewer certificate: a public ACM certificate for the application name in us-east-1, validated by
 * DNS in the application's public hosted zone.
 *
 * us-east-1 because CloudFront takes ACM certificates from there only ("To use an ACM certificate with
 * CloudFront, make sure you request (or import) the certificate in the US East (N. Virginia) Region",
 * CloudFront Developer Guide, "Requirements for using SSL/TLS certificates with CloudFront"); DNS
 * validation so ACM renews it by itself while the CNAME stays (ACM User Guide, "DNS validation",
 * "Managed certificate renewal"). Public ACM certificates cost nothing (AWS Certificate Manager pricing).
 * The validation record is an ordinary CNAME of the zone: Route 53's control plane, at deploy only.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_CERTIFICATE_REGION } from "../../config/edge";

/** The one region CloudFront reads ACM certificates from (config/edge.ts). */
export { CLOUDFRONT_CERTIFICATE_REGION };

export interface ViewerCertificateArgs {
  /** The application name, e.g. `app.example.com`. */
  domainName: string;
  /** The public hosted zone holding it (its validation CNAME goes there). */
  hostedZoneId: pulumi.Input<string>;
}

/**
 * Requests the certificate, writes its validation record and waits for ACM to issue it, all under
 * `opts` (whose provider must be of us-east-1).
 * @returns the ARN of the issued certificate (from the validation, so the distribution waits for it).
 */
export function viewerCertificate(name: string, args: ViewerCertificateArgs, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  const certificate = new aws.acm.Certificate(
    `${name}-certificate`,
    { domainName: args.domainName, validationMethod: "DNS", keyAlgorithm: "RSA_2048", region: CLOUDFRONT_CERTIFICATE_REGION },
    opts,
  );
  // One name, one validation option (ACM returns one record per name); read through outputs, no resource in an apply.
  const option = certificate.domainValidationOptions.apply((options) => options?.[0]);
  const record = new aws.route53.Record(
    `${name}-certificate-validation-record`,
    {
      zoneId: args.hostedZoneId,
      name: option.apply((o) => o?.resourceRecordName ?? `_validation.${args.domainName}`),
      type: option.apply((o) => o?.resourceRecordType ?? "CNAME"),
      records: [option.apply((o) => o?.resourceRecordValue ?? "")],
      ttl: 300,
      // A certificate re-created for the same name gets the same CNAME (ACM User Guide, "DNS validation").
      allowOverwrite: true,
    },
    opts,
  );
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate-validation`,
    { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn], region: CLOUDFRONT_CERTIFICATE_REGION },
    opts,
  );
  return validation.certificateArn;
}
