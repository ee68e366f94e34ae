/** A one-line progress bar for terminals: `leaky.eventlog [######----]  61%  3.2 MiB/s  ETA 4s`. */
import { formatBytes, formatDuration } from './units';

export class ProgressBar {
  private sent = 0;
  private lastDraw = 0;
  private readonly started: number;

  constructor(
    private readonly write: (text: string) => void,
    private readonly name: string,
    private readonly total: number,
    private readonly width = 24,
    private readonly now: () => number = Date.now
  ) {
    this.started = now();
  }

  /** Restarts the count (a retried upload sends the file again). */
  reset(): void {
    this.sent = 0;
  }

  add(bytes: number): void {
    this.sent += bytes;
    const t = this.now();
    if (t - this.lastDraw >= 100 || this.sent >= this.total) {
      this.lastDraw = t;
      this.write(`\r${this.render(t)}\x1b[K`);
    }
  }

  /** Erases the bar so the result line can take its place. */
  clear(): void {
    this.write('\r\x1b[K');
  }

  render(t = this.now()): string {
    const fraction = this.total > 0 ? Math.min(1, this.sent / this.total) : 1;
    const filled = Math.floor(fraction * this.width);
    const seconds = Math.max(0.001, (t - this.started) / 1000);
    const rate = this.sent / seconds;
    const eta = rate > 0 ? ((this.total - this.sent) / rate) * 1000 : Infinity;
    const bar = '#'.repeat(filled) + '-'.repeat(this.width - filled);
    return `${this.name} [${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${formatBytes(rate)}/s  ETA ${formatDuration(eta)}`;
  }
}
