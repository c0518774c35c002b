// Where a forwarded message carries its delivery's name (the route's prefix and the webhook's identity, see
// core's webhookIdentity), so a consumer reads it without parsing the body.

/**
 * The message attribute that carries the delivery's name on every SQS message (FIFO or standard queue):
 * a consumer de-duplicates on it without parsing the body. On a FIFO queue it is also the deduplication id.
 *
 * @example
 * ```ts
 * message.MessageAttributes?.[IDENTITY_ATTRIBUTE]?.StringValue;
 * ```
 */
export const IDENTITY_ATTRIBUTE = "alma-webhook-id";

/** The `source` of every event put on a bus: what a rule matches on. */
export const EVENT_SOURCE = "alma-webhooks";

/**
 * Where an event carries the delivery's name: its only entry of `resources`, as
 * `alma-webhook-id:<name>` (the detail stays the payload itself, as consumers read it today).
 *
 * @example
 * ```ts
 * identityResource("circulation-loan-20241106T150000-Vt8leuCxhd"); // "alma-webhook-id:circulation-loan-…"
 * ```
 */
export const identityResource = (name: string): string => `${IDENTITY_ATTRIBUTE}:${name}`;
