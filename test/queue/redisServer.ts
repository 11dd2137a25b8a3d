/**
 * Test helpers: a private redis-server on a free loopback port (no persistence, in a temporary folder) and
 * `delta-sparsity` child processes (workers, coordinators) whose output is collected.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');

/** The redis-server binary, or undefined when Debian's `redis-server` package is not installed. */
export function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const file = found.stdout.trim();
  return found.status === 0 && file !== '' ? file : undefined;
}

/** CI (or DELTA_REQUIRE_REDIS=1) must run these tests: a missing redis-server fails them there. */
export const redisRequired = process.env.CI === 'true' || process.env.DELTA_REQUIRE_REDIS === '1';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  /** redis://[:password@]127.0.0.1:port/0 */
  url: string;
  password?: string;
  /** True once the server process has exited. */
  readonly stopped: boolean;
  stop(): Promise<void>;
}

/**
 * Starts redis-server (with `requirepass` when a password is given; on `port`, e.g. to restart one, else on a
 * free port) and waits until it accepts connections.
 */
export async function startRedis(password?: string, onPort?: number): Promise<RedisServer> {
  const binary = findRedisServer();
  if (binary === undefined) throw new Error('redis-server is not installed: apt-get install -y redis-server');
  const port = onPort ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-test-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (password !== undefined) args.push('--requirepass', password);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => /Ready to accept connections/.test(output), 10_000, () => `redis-server did not start: ${output}`);
  return {
    port,
    password,
    url: `redis://${password !== undefined ? `:${password}@` : ''}127.0.0.1:${port}/0`,
    get stopped() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    async stop() {
      // Idempotent: waiting for the 'exit' of a server already gone would hang the caller (an afterAll hook).
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A `delta-sparsity` child process with its stdout and stderr collected. */
export interface CliProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export const childEnv = { ...process.env, DELTA_BACKEND: 'wasm', DELTA_THREADS: '1', CI: process.env.CI ?? '' };

export function startCli(args: string[], cwd = repoRoot): CliProcess {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': all of the output has been read by then.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Runs a command to the end without blocking this process (workers' output keeps being read meanwhile). */
export async function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { status, stdout, stderr };
}

/** Starts a worker and waits until it takes jobs. */
export async function startWorker(url: string, workDir: string, extra: string[] = []): Promise<CliProcess> {
  const worker = startCli(['worker', '--queue', url, '--work-dir', workDir, '--lock-seconds', '8', ...extra]);
  await waitFor(() => /worker: taking jobs/.test(worker.output()) || worker.child.exitCode !== null, 60_000, () => `worker did not start:\n${worker.output()}`);
  if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
  return worker;
}

export async function stopProcess(processes: CliProcess[]): Promise<void> {
  for (const p of processes) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }
}

/** Every file under `folder`, recursively. */
export function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}
