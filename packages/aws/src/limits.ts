// How large a delivery may be, per target service, counted as the service counts it.
import type { ExecutionRequest } from "@alma-webhooks/core";
import type { serviceOf } from "./arn.js";
import { EVENT_SOURCE, IDENTITY_ATTRIBUTE, identityResource } from "./identity.js";

type Service = ReturnType<typeof serviceOf>;

/**
 * The largest delivery each service takes, in bytes: an SQS message (body and attributes) and an
 * EventBridge entry 1 MiB (both raised from 256 KiB in January 2026), a Step Functions execution input
 * 256 KiB.
 *
 * @example
 * ```ts
 * TARGET_LIMITS.sqs; // 1048576
 * ```
 */
export const TARGET_LIMITS: Readonly<Record<Service, number>> = Object.freeze({
  sqs: 1_048_576,
  "event-bus": 1_048_576,
  "step-functions": 262_144,
});

/** The SQS attribute that every message carries. */
const IDENTITY_ATTRIBUTE_NAME = IDENTITY_ATTRIBUTE;

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * The size of the delivery a request becomes, as the service counts it against {@link TARGET_LIMITS}:
 * SQS the body plus each attribute's name, type and value; EventBridge the entry's source, detail type,
 * detail and resources; Step Functions the input.
 *
 * @example
 * ```ts
 * deliverySize("step-functions", request); // Buffer.byteLength(request.input)
 * ```
 */
export function deliverySize(service: Service, request: ExecutionRequest): number {
  switch (service) {
    case "sqs":
      return bytes(request.input) + bytes(IDENTITY_ATTRIBUTE_NAME) + bytes("String") + bytes(request.name);
    case "event-bus":
      return (
        bytes(EVENT_SOURCE) +
        bytes(request.action || "webhook") +
        bytes(request.input) +
        bytes(identityResource(request.name))
      );
    case "step-functions":
      return bytes(request.input);
  }
}
