import type { WebhookRequest } from "./http/request.js";
import type { ChallengeFormat, Outcome } from "./outcome.js";

/**
 * Longest challenge value echoed back; Alma's are far shorter.
 *
 * @example
 * ```ts
 * createWebhookRouter({ ...options, maxChallengeLength: DEFAULT_MAX_CHALLENGE_LENGTH });
 * ```
 */
export const DEFAULT_MAX_CHALLENGE_LENGTH = 1024;

/**
 * Answers Alma's GET challenge: echo the `challenge` query parameter, nothing else. Unsigned by design,
 * so it touches no state and starts nothing.
 *
 * @example
 * ```ts
 * answerChallenge(request, "text"); // { kind: "challenge", challenge: "abc", format: "text" }
 * ```
 */
export function answerChallenge(
  request: WebhookRequest,
  format: ChallengeFormat,
  maxLength = DEFAULT_MAX_CHALLENGE_LENGTH,
): Outcome {
  const challenge = request.query.challenge;
  if (challenge === undefined) return { kind: "challenge-missing" };
  if (challenge.length > maxLength) return { kind: "challenge-too-long", limit: maxLength };
  return { kind: "challenge", challenge, format };
}
