/**
 * JSON schema of the shell's own variables (each plugin declares its own), compiled ahead of time by
 * scripts/generate-validators.mjs. Values arrive trimmed, with empty ones left out.
 */
export const shellConfigurationSchema = {
  type: "object",
  required: ["WORKSPACE", "ALMA_CHALLENGE_SECRET"],
  properties: {
    WORKSPACE: { type: "string", pattern: "^[A-Za-z0-9_-]{1,32}$" },
    ALMA_CHALLENGE_SECRET: { type: "string", minLength: 1 },
    ALMA_PREVIOUS_CHALLENGE_SECRETS: { type: "string" },
    // Self-hosted Sentry may serve under a path: https://key@host/sentry/42.
    SENTRY_DSN: { type: "string", pattern: "^https?://[^@\\s]+@[^/\\s]+(?:/[^\\s]*)?/\\d+$" },
    ALMA_WEBHOOK_MAX_BODY_BYTES: { type: "string", pattern: "^[1-9][0-9]{0,9}$" },
  },
} as const;
