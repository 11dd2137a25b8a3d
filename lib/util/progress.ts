/**
 * Progress reporting for long work (decoding, training, sweeps). In a terminal it draws a cli-progress
 * bar with done/total, rate and ETA on stderr, so that `--json` output on stdout stays clean; elsewhere
 * (CI logs, notebooks) it prints a plain line now and then; `silent` prints nothing.
 */
import { SingleBar, Presets } from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'silent';

export interface ProgressOptions {
  /** What is being done, e.g. "decode" or "epoch 3/10". */
  label: string;
  /** Number of units of work. */
  total: number;
  /** Unit name shown after the rate, e.g. "videos" or "clips". Default "items". */
  unit?: string;
  /** `auto` (default): a bar when stderr is a terminal, plain lines otherwise. */
  mode?: ProgressMode;
}

/** A progress display. `update` takes the number done so far and an optional short status text. */
export interface Progress {
  update(done: number, status?: string): void;
  /** Finishes the display; further updates are ignored. */
  stop(): void;
}

const silentProgress: Progress = { update: () => undefined, stop: () => undefined };

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

class LineProgress implements Progress {
  private readonly startedAt = Date.now();
  private lastPrintedAt = 0;
  private stopped = false;
  private done = 0;
  private status = '';

  constructor(private readonly options: Required<Pick<ProgressOptions, 'label' | 'total' | 'unit'>>) {}

  update(done: number, status = ''): void {
    if (this.stopped) return;
    this.done = done;
    this.status = status;
    const now = Date.now();
    if (now - this.lastPrintedAt >= 5000 || done >= this.options.total) {
      this.lastPrintedAt = now;
      this.print();
    }
  }

  stop(): void {
    if (this.stopped) return;
    if (this.lastPrintedAt === 0 || this.done < this.options.total) this.print();
    this.stopped = true;
  }

  private print(): void {
    const { label, total, unit } = this.options;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 ? (total - this.done) / rate : Number.NaN;
    const status = this.status ? ` ${this.status}` : '';
    process.stderr.write(
      `${label}: ${this.done}/${total} ${unit} (${rate.toFixed(2)} ${unit}/s, ETA ${formatSeconds(eta)})${status}\n`,
    );
  }
}

class BarProgress implements Progress {
  private readonly bar: SingleBar;
  private stopped = false;

  constructor(options: Required<Pick<ProgressOptions, 'label' | 'total' | 'unit'>>) {
    this.bar = new SingleBar(
      {
        format: `${options.label} |{bar}| {value}/{total} ${options.unit} | {rate} ${options.unit}/s | ETA {eta_formatted} {status}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    this.bar.start(options.total, 0, { rate: '0.00', status: '' });
    this.startedAt = Date.now();
  }

  private readonly startedAt: number;

  update(done: number, status = ''): void {
    if (this.stopped) return;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    this.bar.update(done, { rate: elapsed > 0 ? (done / elapsed).toFixed(2) : '0.00', status });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bar.stop();
  }
}

/** Creates a progress display for `total` units of work. */
export function createProgress(options: ProgressOptions): Progress {
  const mode = options.mode ?? 'auto';
  if (mode === 'silent' || options.total <= 0) return silentProgress;
  const resolved = { label: options.label, total: options.total, unit: options.unit ?? 'items' };
  const useBar = mode === 'bar' || (mode === 'auto' && process.stderr.isTTY === true);
  return useBar ? new BarProgress(resolved) : new LineProgress(resolved);
}
