import { Duration, aws_iam as iam, type RemovalPolicy, aws_s3 as s3 } from "aws-cdk-lib";
import * as cxapi from "aws-cdk-lib/cx-api";
import { Construct } from "constructs";

/** How long a large payload is kept: long past Alma's 10-hour retries and a target's own retries. */
export const LARGE_PAYLOAD_EXPIRATION = Duration.days(30);

/** How long the bucket's server access logs are kept. */
export const ACCESS_LOG_EXPIRATION = Duration.days(90);

/** What sets one of the stack's private buckets apart: its log prefix and its objects' expiry rule. */
export interface PrivateBucketOptions {
  readonly removalPolicy: RemovalPolicy;
  /** Prefix of its server access logs in the log bucket. */
  readonly logPrefix: string;
  /** The lifecycle rule's id and how long an object is kept. */
  readonly expiry: { readonly id: string; readonly after: Duration };
}

/**
 * A private bucket of the stack (S3-managed encryption, TLS only, no public access, no ACLs) with its
 * objects' expiry, and a second such bucket, `AccessLogs`, for its server access logs, as ids `Bucket` and
 * `AccessLogs` inside `scope`. Log delivery is allowed by a bucket policy (logging.s3.amazonaws.com, this
 * bucket only), not by the LogDeliveryWrite ACL, which would need ACLs turned back on for the log bucket.
 *
 * @example
 * ```ts
 * const { bucket, accessLogs } = privateBucket(this, {
 *   removalPolicy: RemovalPolicy.RETAIN,
 *   logPrefix: "large-payloads/",
 *   expiry: { id: "ExpireLargePayloads", after: LARGE_PAYLOAD_EXPIRATION },
 * });
 * ```
 */
export function privateBucket(
  scope: Construct,
  options: PrivateBucketOptions,
): { bucket: s3.Bucket; accessLogs: s3.Bucket } {
  scope.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
  const common = {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: options.removalPolicy,
  };
  const accessLogs = new s3.Bucket(scope, "AccessLogs", {
    ...common,
    lifecycleRules: [{ id: "ExpireAccessLogs", expiration: ACCESS_LOG_EXPIRATION }],
  });
  const bucket = new s3.Bucket(scope, "Bucket", {
    ...common,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: options.logPrefix,
    lifecycleRules: [
      {
        id: options.expiry.id,
        expiration: options.expiry.after,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  return { bucket, accessLogs };
}

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
    ({ bucket: this.bucket, accessLogs: this.accessLogs } = privateBucket(this, {
      removalPolicy: props.removalPolicy,
      logPrefix: "large-payloads/",
      expiry: { id: "ExpireLargePayloads", after: LARGE_PAYLOAD_EXPIRATION },
    }));
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
