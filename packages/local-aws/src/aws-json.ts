// What the local AWS endpoint's operations share: the error answer and the JSON field readers.
import { AlmaWebhooksError } from "@alma-webhooks/core";

/** An AWS error answer; thrown by the operations and turned into a response by the dispatcher. */
export class ApiError extends AlmaWebhooksError {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type JsonObject = Record<string, unknown>;

export function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== "string") {
    throw new ApiError("SerializationException", `'${field}' must be a string`);
  }
  return value;
}

export function requiredString(body: JsonObject, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined) {
    throw new ApiError(
      "ValidationException",
      `Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}
