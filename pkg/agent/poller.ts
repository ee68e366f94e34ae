/** Runs an async pass again `pollMs` after the previous one ended (never two at once) until stopped. */
export class Poller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly pollMs: number,
    private readonly onError: (err: Error) => void
  ) {}

  start(): void {
    const tick = () => {
      this.running = this.pass()
        .catch(this.onError)
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.pollMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops, after the pass under way (if any) ends. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}

/** The default scan period: half of --settle, between 100 ms and 1 s. */
export function defaultPollMs(settleMs: number): number {
  return Math.max(100, Math.min(1000, settleMs / 2));
}
