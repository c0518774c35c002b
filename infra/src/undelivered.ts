import { Duration, aws_iam as iam, type RemovalPolicy, type aws_s3 as s3 } from "aws-cdk-lib";
import { Construct } from "constructs";
import { privateBucket } from "./large-payloads.js";

/** Days the bytes of a webhook not delivered are kept, by default: time to notice, fix and redeliver it. */
export const DEFAULT_UNDELIVERED_RETENTION_DAYS = 30;

/** What the function does with the bucket: keep a webhook's bytes, and read them back to redeliver it. */
export const UNDELIVERED_ACTIONS = ["s3:GetObject", "s3:PutObject"] as const;

export interface UndeliveredBucketProps {
  /** The webhook function's role: it gets {@link UNDELIVERED_ACTIONS} on the bucket's objects, nothing else. */
  readonly role: iam.Role;
  readonly removalPolicy: RemovalPolicy;
  /** Days an object is kept. Default {@link DEFAULT_UNDELIVERED_RETENTION_DAYS}. */
  readonly retentionDays?: number;
}

/**
 * Where the function keeps the bytes of a webhook it could not deliver (`ALMA_UNDELIVERED_BUCKET`, keys under
 * `undelivered/` chosen by the function), so that it can be redelivered: private, TLS only, S3-managed
 * encryption, objects expire after the retention. Its server access logs go to a second bucket, `accessLogs`.
 *
 * @example
 * ```ts
 * const { bucket } = new UndeliveredBucket(this, "Undelivered", { role, removalPolicy: RemovalPolicy.RETAIN });
 * ```
 */
export class UndeliveredBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: UndeliveredBucketProps) {
    super(scope, id);
    this.retentionDays = props.retentionDays ?? DEFAULT_UNDELIVERED_RETENTION_DAYS;
    ({ bucket: this.bucket, accessLogs: this.accessLogs } = privateBucket(this, {
      removalPolicy: props.removalPolicy,
      logPrefix: "undelivered/",
      expiry: { id: "ExpireUndelivered", after: Duration.days(this.retentionDays) },
    }));
    props.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "KeepUndeliveredWebhooks",
        actions: [...UNDELIVERED_ACTIONS],
        resources: [this.bucket.arnForObjects("*")],
      }),
    );
  }
}
