// A one-line progress bar on a TTY (rewritten in place), plain periodic lines otherwise (CI logs).
export class ProgressLine {
  private lastPlain = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(done: number, total: number, detail: string): void {
    const fraction = total ? done / total : 0;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.stream.write(`\r${bar} ${String(done).padStart(String(total).length)}/${total} ${detail}`.slice(0, (this.stream.columns ?? 120) - 1).padEnd(Math.min(this.stream.columns ?? 120, 120) - 1));
    } else if (done === total || Date.now() - this.lastPlain > 5000) {
      this.lastPlain = Date.now();
      this.stream.write(`step ${done}/${total} ${detail}\n`);
    }
  }

  /** A transient status line (TTY only; replaced by the next update or line). */
  status(text: string): void {
    if (this.stream.isTTY) this.stream.write(`\r\x1b[K${text}`.slice(0, (this.stream.columns ?? 120) - 1));
  }

  /** Prints a line above the bar. */
  log(line: string): void {
    if (this.stream.isTTY) this.stream.write(`\r\x1b[K${line}\n`);
    else this.stream.write(`${line}\n`);
  }

  end(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
