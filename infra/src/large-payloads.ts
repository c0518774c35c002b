import { Duration, aws_iam as iam, type RemovalPolicy, aws_s3 as s3 } from "aws-cdk-lib";
import * as cxapi from "aws-cdk-lib/cx-api";
import { Construct } from "constructs";

/** How long a large payload is kept: long past Alma's 10-hour retries and a target's own retries. */
export const LARGE_PAYLOAD_EXPIRATION = Duration.days(30);

/** How long the bucket's server access logs are kept. */
export const ACCESS_LOG_EXPIRATION = Duration.days(90);

export interface LargePayloadBucketProps {
  /** The webhook function's role: it gets `s3:PutObject` on the bucket's objects, nothing else. */
  readonly role: iam.Role;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Where a body too large for a target goes, to be sent by reference (`ALMA_LARGE_PAYLOAD_BUCKET`): private,
 * TLS only, S3-managed encryption, objects expire after {@link LARGE_PAYLOAD_EXPIRATION}. Not versioned: each
 * object is written once under its own key. Its server access logs go to a second bucket, `accessLogs`.
 */
export class LargePayloadBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: LargePayloadBucketProps) {
    super(scope, id);
    // Log delivery is allowed by a bucket policy (logging.s3.amazonaws.com, this bucket only), not by the
    // LogDeliveryWrite ACL, which would need ACLs turned back on for the log bucket.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
    };
    this.accessLogs = new s3.Bucket(this, "AccessLogs", {
      ...common,
      lifecycleRules: [{ id: "ExpireAccessLogs", expiration: ACCESS_LOG_EXPIRATION }],
    });
    this.bucket = new s3.Bucket(this, "Bucket", {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: "large-payloads/",
      lifecycleRules: [
        {
          id: "ExpireLargePayloads",
          expiration: LARGE_PAYLOAD_EXPIRATION,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    // Not grantPut: that adds s3:Abort*, PutObjectTagging, PutObjectRetention and PutObjectLegalHold, none of
    // which the function uses.
    props.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "StoreLargePayloads",
        actions: ["s3:PutObject"],
        resources: [this.bucket.arnForObjects("*")],
      }),
    );
  }
}
