import cliProgress from 'cli-progress';
import type { CliIo } from './io';

/** A progress bar on a terminal, silence elsewhere (pipes, CI, --json consumers). */
export class ProgressReporter {
  private bar?: cliProgress.SingleBar;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    private readonly total?: number,
  ) {}

  update(value: number): void {
    if (!this.io.isTty) return;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { format: this.total ? `${this.label} [{bar}] {value}/{total}` : `${this.label}: {value}`, stream: process.stderr, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.total ?? 0, 0);
    }
    this.bar.update(value);
  }

  stop(): void {
    this.bar?.stop();
  }
}
