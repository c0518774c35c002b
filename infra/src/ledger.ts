import { aws_dynamodb as dynamodb, aws_iam as iam, type RemovalPolicy } from "aws-cdk-lib";
import { Construct } from "constructs";

/** What the function does with the ledger. The `alma-webhook deliveries` CLI scans it with an operator's credentials, not the function's. */
export const LEDGER_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
] as const;

export interface DeliveryLedgerProps {
  /** The webhook function's role: it gets {@link LEDGER_ACTIONS} on this table, nothing else. */
  readonly role: iam.Role;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The delivery ledger (`ALMA_IDEMPOTENCY_TABLE`): one item per delivery per target, keyed `id`, which the
 * function stamps with an `expiration` (epoch seconds) past Alma's 10-hour retry schedule; DynamoDB's TTL
 * then deletes it. The same items are the delivery history, so point-in-time recovery is on.
 */
export class DeliveryLedger extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DeliveryLedgerProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: { name: "id", type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: "expiration",
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The aws/dynamodb key: encrypted with a KMS key the account can audit, and no key policy to keep.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy,
    });
    props.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "RecordDeliveries",
        actions: [...LEDGER_ACTIONS],
        resources: [this.table.tableArn],
      }),
    );
  }
}
