/**
 * Status lines about a Redis connection that keeps failing. ioredis retries a lost connection about once a
 * second and every client (a worker has several) reports each failed attempt; printed as they come, one outage
 * fills the log. Here an outage gives three lines: the first error, one "unreachable, retrying…" notice and,
 * when a command succeeds again, one "reconnected" line.
 */

/** What an error message says about the server: gone, or there but refusing us. */
function isUnreachable(message: string): boolean {
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|EPIPE|timed? ?out|Connection is closed|connect/i.test(message);
}

export class RedisNotices {
  private failing = false;

  /**
   * @param redacted the URL as it may be printed (password hidden)
   * @param log where the lines go
   * @param prefix the start of every line, e.g. `worker`
   */
  constructor(
    private readonly redacted: string,
    private readonly log: (line: string) => void,
    private readonly prefix: string,
  ) {}

  /** True between the first error of an outage and the next `recovered()`. */
  get down(): boolean {
    return this.failing;
  }

  /** An error of any of the clients (its message already password-free). Only the first of an outage is printed. */
  error(message: string): void {
    if (this.failing) return;
    this.failing = true;
    this.log(`${this.prefix}: Redis ${this.redacted}: ${message}`);
    this.log(
      isUnreachable(message)
        ? `${this.prefix}: Redis unreachable at ${this.redacted}, retrying… (not repeated; a line follows when it is back)`
        : `${this.prefix}: Redis at ${this.redacted} refuses this client, retrying… (not repeated; a line follows when it works again)`,
    );
  }

  /** A command succeeded: ends an outage with one line. */
  recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log(`${this.prefix}: reconnected to Redis ${this.redacted}`);
  }
}
