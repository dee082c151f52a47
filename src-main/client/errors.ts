/** An API request that did not succeed: the HTTP status and the server's own message. */
export class MailbeaconError extends Error {
  constructor(
    readonly status: number,
    /** The server's message (the `Error` field of a JSON error, or the plain-text body). */
    readonly serverMessage: string,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method} ${url} → ${status}: ${serverMessage}`);
    this.name = 'MailbeaconError';
  }
}

/** Nothing matching arrived in time; the message says what was waited for. */
export class MailbeaconTimeoutError extends Error {
  constructor(
    readonly waitedFor: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${waitedFor}`);
    this.name = 'MailbeaconTimeoutError';
  }
}
