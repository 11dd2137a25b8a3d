/**
 * Progress reporting for long work (decoding, training, sweeps). In a terminal it draws a cli-progress
 * bar with done/total, rate and ETA on stderr, so that `--json` output on stdout stays clean; elsewhere
 * (CI logs) it prints a plain line now and then; `silent` prints nothing. A `ProgressSink` (e.g.
 * `notebookProgress()` of lib/viz/live.ts) receives the same lines instead, to draw them in one
 * overwriting notebook output.
 */
import { SingleBar, Presets } from 'cli-progress';
import { invalidArgument } from './errors';

/**
 * Receives progress lines instead of stderr. Every `createProgress` call gets its own `id`; a sink shows the
 * latest `line` of each id (overwriting the previous one), and `finished` marks the id's last line.
 */
export interface ProgressSink {
  show(id: number, line: string, finished: boolean): void;
}

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'silent' | ProgressSink;

/** True when `mode` is a sink rather than one of the named modes. */
export function isProgressSink(mode: ProgressMode | undefined): mode is ProgressSink {
  return typeof mode === 'object' && mode !== null && typeof mode.show === 'function';
}

/**
 * `mode` with `prefix` put before every line when it is a sink (so that nested work says which run or
 * point it belongs to, e.g. "delta · epoch 3/8: ..."); named modes are returned unchanged.
 */
export function prefixProgress(mode: ProgressMode | undefined, prefix: string): ProgressMode | undefined {
  if (!isProgressSink(mode)) return mode;
  return { show: (id, line, finished) => mode.show(id, `${prefix} · ${line}`, finished) };
}

let nextProgressId = 1;

export interface ProgressOptions {
  /** What is being done, e.g. "decode" or "epoch 3/10". */
  label: string;
  /** Number of units of work. */
  total: number;
  /** Unit name shown after the rate, e.g. "videos" or "clips". Default "items". */
  unit?: string;
  /** `auto` (default): a bar when stderr is a terminal, plain lines otherwise; a sink gets the lines. */
  mode?: ProgressMode;
}

/**
 * A progress display. `update` takes the number done so far, an optional short status text, and how many of
 * those were reused (found finished, e.g. cached runs): they take no time, so the rate and the ETA leave them
 * out (a rerun that first skips 9 cached runs would otherwise promise the rest in seconds).
 */
export interface Progress {
  update(done: number, status?: string, reused?: number): void;
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
  private readonly id = nextProgressId++;
  private lastPrintedAt = 0;
  private stopped = false;
  private done = 0;
  private reused = 0;
  private status = '';

  /** `sink` undefined: lines on stderr every 5 s; a sink: every second, since it overwrites in place. */
  constructor(
    private readonly options: Required<Pick<ProgressOptions, 'label' | 'total' | 'unit'>>,
    private readonly sink?: ProgressSink,
  ) {}

  update(done: number, status = '', reused = 0): void {
    if (this.stopped) return;
    this.done = done;
    this.reused = reused;
    this.status = status;
    const now = Date.now();
    if (now - this.lastPrintedAt >= (this.sink ? 1000 : 5000) || done >= this.options.total) {
      this.lastPrintedAt = now;
      this.print(false);
    }
  }

  stop(): void {
    if (this.stopped) return;
    if (this.sink) this.print(true);
    else if (this.lastPrintedAt === 0 || this.done < this.options.total) this.print(true);
    this.stopped = true;
  }

  private print(finished: boolean): void {
    const line = progressLine(this.options, this.done, (Date.now() - this.startedAt) / 1000, this.status, this.reused);
    if (this.sink) this.sink.show(this.id, line, finished);
    else process.stderr.write(`${line}\n`);
  }
}

/** Units per second of the units computed so far (`done − reused`), over `elapsedSeconds` since the start. */
function computedRate(done: number, elapsedSeconds: number, reused: number): number {
  return elapsedSeconds > 0 ? Math.max(done - reused, 0) / elapsedSeconds : 0;
}

/**
 * One progress line: `label: done/total unit (rate unit/s, ETA 1m05s) status`, the rate and ETA from the mean
 * rate so far (`elapsedSeconds` since the start) of the units computed, the `reused` ones left out.
 */
export function progressLine(
  options: Required<Pick<ProgressOptions, 'label' | 'total' | 'unit'>>,
  done: number,
  elapsedSeconds: number,
  status = '',
  reused = 0,
): string {
  const { label, total, unit } = options;
  const rate = computedRate(done, elapsedSeconds, reused);
  const reusedText = reused > 0 ? `, ${reused} reused` : '';
  return `${label}: ${done}/${total} ${unit} (${rate.toFixed(2)} ${unit}/s, ETA ${etaText(total, done, elapsedSeconds, reused)}${reusedText})${status ? ` ${status}` : ''}`;
}

/**
 * Time left at the mean rate so far, e.g. `1m05s`; `?` while nothing is computed yet (cli-progress's own ETA
 * token shows `0s`, then `NFs`, until the first unit finishes; reused units tell nothing of the rate), `0s`
 * when all is done.
 */
export function etaText(total: number, done: number, elapsedSeconds: number, reused = 0): string {
  if (done >= total) return formatSeconds(0);
  const rate = computedRate(done, elapsedSeconds, reused);
  return formatSeconds(rate > 0 ? (total - done) / rate : Number.NaN);
}

class BarProgress implements Progress {
  private readonly bar: SingleBar;
  private stopped = false;

  constructor(options: Required<Pick<ProgressOptions, 'label' | 'total' | 'unit'>>) {
    this.bar = new SingleBar(
      {
        format: `${options.label} |{bar}| {value}/{total} ${options.unit} | {rate} ${options.unit}/s | ETA {eta_text} {status}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    this.bar.start(options.total, 0, { rate: '0.00', eta_text: '?', status: '' });
    this.startedAt = Date.now();
    this.total = options.total;
  }

  private readonly startedAt: number;
  private readonly total: number;

  update(done: number, status = '', reused = 0): void {
    if (this.stopped) return;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const reusedText = reused > 0 ? `(${reused} reused) ` : '';
    this.bar.update(done, { rate: computedRate(done, elapsed, reused).toFixed(2), eta_text: etaText(this.total, done, elapsed, reused), status: `${reusedText}${status}` });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bar.stop();
  }
}

const PROGRESS_MODES = ['auto', 'bar', 'lines', 'silent'] as const;

/**
 * Creates a progress display for `total` units of work. Throws a DeltaSparsityError (argument `progress`) for a
 * mode that is neither one of 'auto', 'bar', 'lines', 'silent' nor a ProgressSink.
 */
export function createProgress(options: ProgressOptions): Progress {
  const mode = options.mode ?? 'auto';
  if (!isProgressSink(mode) && !(PROGRESS_MODES as readonly unknown[]).includes(mode)) {
    throw invalidArgument('progress', `one of ${PROGRESS_MODES.join(', ')}, or a progress sink (notebookProgress())`, mode);
  }
  if (mode === 'silent' || options.total <= 0) return silentProgress;
  const resolved = { label: options.label, total: options.total, unit: options.unit ?? 'items' };
  if (isProgressSink(mode)) return new LineProgress(resolved, mode);
  const useBar = mode === 'bar' || (mode === 'auto' && process.stderr.isTTY === true);
  return useBar ? new BarProgress(resolved) : new LineProgress(resolved);
}
