import { AlmaWebhooksError } from "@alma-webhooks/core";

/**
 * The base of every error the local server and the CLI report as one line, without a stack: its message is
 * the whole story. The CLI tells these apart from bugs with `instanceof LocalToolingError`.
 *
 * @example
 * ```ts
 * class JournalError extends LocalToolingError {}
 * new JournalError("The journal is not writable").name; // "JournalError"
 * ```
 */
export class LocalToolingError extends AlmaWebhooksError {}

/** A local setting with an unusable value; the message says which and what is expected. */
export class LocalSettingsError extends LocalToolingError {}

/** The port is taken by another process. */
export class PortInUseError extends LocalToolingError {
  constructor(
    readonly port: number,
    /** The setting that chooses the port, named in the message. */
    readonly setting = "PORT",
    options?: ErrorOptions,
  ) {
    super(`Port ${port} is already in use: stop the other process or set ${setting}=${port + 1}`, options);
  }
}

/** Listening failed for another reason (no permission, unknown host, ...). */
export class ListenError extends LocalToolingError {}
