// The DynamoDB client and the commands the ledger uses, behind one module that the ledger imports
// dynamically: the bundle puts it in a chunk of its own (chunks/dynamodb-sdk-*.mjs), loaded only with a table.
export {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
