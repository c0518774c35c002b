import { createHash, randomUUID } from "node:crypto";
import { formatArn, queueArnOfUrl } from "@alma-webhooks/aws/arn";
import { ApiError, type JsonObject, optionalString, requiredString } from "./aws-json.js";

/** A message or event the local endpoint took: SQS `SendMessage` or one EventBridge `PutEvents` entry. */
export interface LocalMessage {
  readonly kind: "message";
  readonly service: "sqs" | "eventbridge";
  /** The queue or bus ARN. */
  readonly targetArn: string;
  /** `MessageId` or `EventId`. */
  readonly id: string;
  /** The FIFO deduplication id, or the event's detail type. */
  readonly name: string;
  /** `MessageBody` or `Detail`. */
  readonly input: string;
  /** The FIFO message group. */
  readonly group?: string;
  readonly startDate: Date;
}

/** The region and account of what the endpoint names itself: AWS's documentation account, never a real one. */
export const LOCAL = { region: "us-east-1", account: "123456789012" } as const;

/** SQS keeps a FIFO deduplication id this long. */
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
/** SQS's limit on a message, its body and attributes together (1 MiB since January 2026). */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** EventBridge's limit on one entry (source, detail type, detail, resources) and on a whole PutEvents. */
const MAX_ENTRY_BYTES = 1024 * 1024;

const bytes = (text: unknown): number => (typeof text === "string" ? Buffer.byteLength(text, "utf8") : 0);

/** The bytes SQS counts for a message's attributes: each name, data type and value. */
function attributeBytes(attributes: unknown): number {
  if (typeof attributes !== "object" || attributes === null) return 0;
  let total = 0;
  for (const [name, value] of Object.entries(attributes as Record<string, Record<string, unknown>>)) {
    total += bytes(name) + bytes(value?.DataType) + bytes(value?.StringValue) + bytes(value?.BinaryValue);
  }
  return total;
}

const md5 = (text: string): string => createHash("md5").update(text, "utf8").digest("hex");

/**
 * The SQS and EventBridge operations of the local endpoint: `AmazonSQS.SendMessage` (standard and FIFO
 * queues, FIFO deduplication within SQS's 5 minutes, the body's MD5 the SDK checks) and
 * `AWSEvents.PutEvents` (each entry's bus, source, detail type and JSON detail checked, an event id each).
 * `record` journals and keeps what is taken.
 */
export function forwardOperations(
  record: (message: LocalMessage) => void,
): Map<string, (body: JsonObject) => JsonObject> {
  const deduplicated = new Map<string, { id: string; at: number; sequence: string }>();
  let sequence = 0;

  function sendMessage(body: JsonObject): JsonObject {
    const url = requiredString(body, "QueueUrl");
    const targetArn = queueArnOfUrl(url);
    if (targetArn === undefined) {
      throw new ApiError("QueueDoesNotExist", `The specified queue does not exist: ${url}`);
    }
    const name = targetArn.slice(targetArn.lastIndexOf(":") + 1);
    const messageBody = requiredString(body, "MessageBody");
    if (messageBody === "") throw new ApiError("InvalidParameterValue", "MessageBody must not be empty");
    const size = Buffer.byteLength(messageBody) + attributeBytes(body.MessageAttributes);
    if (size > MAX_MESSAGE_BYTES) {
      // SQS's own answer: a 400 InvalidParameterValue.
      throw new ApiError(
        "InvalidParameterValue",
        `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
      );
    }
    const group = optionalString(body, "MessageGroupId");
    const deduplicationId = optionalString(body, "MessageDeduplicationId");
    const fifo = name.endsWith(".fifo");
    if (fifo && (group === undefined || deduplicationId === undefined)) {
      throw new ApiError(
        "MissingParameter",
        "FIFO queues need MessageGroupId and MessageDeduplicationId (content-based deduplication is off)",
      );
    }
    if (!fifo && (group !== undefined || deduplicationId !== undefined)) {
      throw new ApiError(
        "InvalidParameterValue",
        "MessageGroupId and MessageDeduplicationId are for FIFO queues",
      );
    }
    const digest = md5(messageBody);
    if (fifo) {
      const key = `${targetArn}\n${deduplicationId}`;
      const now = Date.now();
      const seen = deduplicated.get(key);
      // As SQS: a repeat inside the window is accepted and answered with the first message's id, not queued.
      if (seen && now - seen.at < DEDUPLICATION_WINDOW_MS) {
        return { MessageId: seen.id, MD5OfMessageBody: digest, SequenceNumber: seen.sequence };
      }
      const taken = { id: randomUUID(), at: now, sequence: String(++sequence).padStart(20, "0") };
      deduplicated.set(key, taken);
      record({
        kind: "message",
        service: "sqs",
        targetArn,
        id: taken.id,
        name: deduplicationId ?? "",
        input: messageBody,
        ...(group === undefined ? {} : { group }),
        startDate: new Date(now),
      });
      return { MessageId: taken.id, MD5OfMessageBody: digest, SequenceNumber: taken.sequence };
    }
    const id = randomUUID();
    record({
      kind: "message",
      service: "sqs",
      targetArn,
      id,
      name: "",
      input: messageBody,
      startDate: new Date(),
    });
    return { MessageId: id, MD5OfMessageBody: digest };
  }

  function putEvents(body: JsonObject): JsonObject {
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw new ApiError("ValidationException", "Entries must hold 1 to 10 entries");
    }
    const total = entries.reduce((sum: number, entry: unknown) => {
      const fields = (typeof entry === "object" && entry !== null ? entry : {}) as JsonObject;
      const resources = Array.isArray(fields.Resources) ? fields.Resources : [];
      return (
        sum +
        bytes(fields.Source) +
        bytes(fields.DetailType) +
        bytes(fields.Detail) +
        resources.reduce((r: number, resource: unknown) => r + bytes(resource), 0)
      );
    }, 0);
    if (total > MAX_ENTRY_BYTES) {
      // EventBridge's own answer: a 400 ValidationException for the whole call.
      throw new ApiError(
        "ValidationException",
        "Total size of the entries in the request is over the limit.",
      );
    }
    const answers = entries.map((entry: unknown) => {
      const fields = (typeof entry === "object" && entry !== null ? entry : {}) as JsonObject;
      const bus = optionalString(fields, "EventBusName") ?? "default";
      const source = optionalString(fields, "Source");
      const detailType = optionalString(fields, "DetailType");
      const detail = optionalString(fields, "Detail");
      let parsed: unknown;
      try {
        parsed = detail === undefined ? undefined : JSON.parse(detail);
      } catch {
        parsed = undefined;
      }
      if (!source || !detailType || typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return {
          ErrorCode: "MalformedDetail",
          ErrorMessage: "Source, DetailType and a JSON object Detail are required",
        };
      }
      const id = randomUUID();
      const targetArn = bus.startsWith("arn:")
        ? bus
        : formatArn({ ...LOCAL, service: "events", resource: `event-bus/${bus}` });
      record({
        kind: "message",
        service: "eventbridge",
        targetArn,
        id,
        name: detailType,
        input: detail as string,
        startDate: new Date(),
      });
      return { EventId: id };
    });
    return { FailedEntryCount: answers.filter((answer) => "ErrorCode" in answer).length, Entries: answers };
  }

  return new Map([
    ["AmazonSQS.SendMessage", sendMessage],
    ["AWSEvents.PutEvents", putEvents],
  ]);
}
