/**
 * Headless Chromium, used to look at figures as a person would: render a saved figure page to a PNG
 * (static notebook outputs that GitHub can show) and dump the DOM after the scripts ran (tests count the
 * SVG traces Plotly drew). Nothing here is needed to build or save figures.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { invalidArgument } from '../util/errors';
import { figuresToStandaloneHtml } from './html';
import type { Figure } from './types';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/**
 * The Chromium executable: `$CHROMIUM_PATH` when set, else the first of chromium, chromium-browser,
 * google-chrome, google-chrome-stable on `$PATH`. `undefined` when none is found.
 */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fs.existsSync(fromEnv) ? fromEnv : undefined;
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of CANDIDATES) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export interface ChromiumRenderOptions {
  /** Viewport width in pixels. Default: 1000. */
  width?: number;
  /** Viewport height in pixels. Default: 700. */
  height?: number;
  /** Virtual time the page may run before the DOM is dumped / the shot taken, in ms. Default: 15000. */
  virtualTimeBudgetMs?: number;
  /** Wall-clock limit for the Chromium process, in ms. Default: 120000. */
  timeoutMs?: number;
  /** Chromium executable. Default: `findChromium()`. */
  executable?: string;
}

function chromiumArgs(userDataDir: string, options: ChromiumRenderOptions): string[] {
  const args = [
    '--headless',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--hide-scrollbars',
    '--mute-audio',
    `--user-data-dir=${userDataDir}`,
    `--window-size=${options.width ?? 1000},${options.height ?? 700}`,
    `--virtual-time-budget=${options.virtualTimeBudgetMs ?? 15000}`,
  ];
  // Chromium refuses to start its sandbox as root (containers, CI); as a normal user the sandbox stays on.
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  return args;
}

function runChromium(extraArgs: string[], url: string, options: ChromiumRenderOptions): string {
  const executable = options.executable ?? findChromium();
  if (!executable) {
    throw invalidArgument('chromium', 'a Chromium executable on PATH or in $CHROMIUM_PATH (Debian: apt-get install chromium)', 'not found');
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'delta-chromium-'));
  try {
    const result = spawnSync(executable, [...chromiumArgs(userDataDir, options), ...extraArgs, url], {
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error) throw result.error;
    if (result.status !== 0) {
      throw new Error(`chromium exited with status ${result.status}: ${result.stderr.slice(-2000)}`);
    }
    return result.stdout;
  } finally {
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

/** The DOM of a local HTML file after its scripts ran (Chromium `--dump-dom`). */
export function dumpDom(htmlFile: string, options: ChromiumRenderOptions = {}): string {
  return runChromium(['--dump-dom'], fileUrl(htmlFile), options);
}

/** Screenshots a local HTML file to `pngFile` (Chromium `--screenshot`). Returns the PNG path. */
export function screenshotHtml(htmlFile: string, pngFile: string, options: ChromiumRenderOptions = {}): string {
  const target = path.resolve(pngFile);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { force: true });
  runChromium([`--screenshot=${target}`], fileUrl(htmlFile), options);
  if (!fs.existsSync(target)) throw new Error(`chromium did not write the screenshot ${target}`);
  return target;
}

/**
 * Renders one figure to PNG bytes in headless Chromium (the viewport is the figure's size, default
 * 900 x its layout height). Takes a few seconds: Chromium parses the inlined Plotly bundle each time.
 */
export function figureToPng(figure: Figure, options: ChromiumRenderOptions = {}): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'delta-figure-'));
  try {
    const html = path.join(dir, 'figure.html');
    const width = options.width ?? figure.layout.width ?? 900;
    const height = options.height ?? (figure.layout.height ?? 450);
    // No page margin, fixed width: the screenshot is exactly the plot.
    // A still image: no mode bar, no hover layer.
    const page = figuresToStandaloneHtml({ data: figure.data, layout: { ...figure.layout, width, height } }, { config: { staticPlot: true } })
      .replace('body{font-family:sans-serif;margin:16px;}', 'body{font-family:sans-serif;margin:0;}')
      .replace('.delta-sparsity-figure{margin-bottom:24px;}', '.delta-sparsity-figure{margin:0;}');
    fs.writeFileSync(html, page);
    const png = screenshotHtml(html, path.join(dir, 'figure.png'), { ...options, width, height });
    return new Uint8Array(fs.readFileSync(png));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function fileUrl(file: string): string {
  return `file://${path.resolve(file).split(path.sep).map(encodeURIComponent).join('/')}`;
}
