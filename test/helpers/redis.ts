// A real redis-server for tests, on a free port of 127.0.0.1, with nothing
// written to disk (no RDB, no AOF), stopped by the test. When redis-server is
// not on PATH the tests that need it are skipped, saying why:
//
//   describe.skipIf(redisSkipReason !== null)(`… ${skipNote()}`, () => { … })
//
// `.ci/run` installs redis-server, so CI runs them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type AddressInfo } from 'node:net';

export interface RunningRedis {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Stop the server and wait for it to exit. */
  stop(): Promise<void>;
}

/** Why the Redis tests cannot run here, or null when redis-server is on PATH. */
export const redisSkipReason: string | null = (() => {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error) return `redis-server is not on PATH (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}); .ci/run installs it`;
  if (probe.status !== 0) return `redis-server --version exited with ${probe.status}`;
  return null;
})();

export const redisAvailable = redisSkipReason === null;

/** A title suffix saying the tests were skipped and why (empty when they run). */
export function skipNote(): string {
  return redisSkipReason === null ? '' : `(skipped: ${redisSkipReason})`;
}

if (redisSkipReason !== null) console.warn(`Redis tests skipped: ${redisSkipReason}`);

/** A port that was free a moment ago (redis-server takes no port 0; a test wanting a closed port takes one too). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** PING until PONG, or give up after `ms`. */
async function waitForPong(port: number, child: ChildProcess, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const pong = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      let answer = '';
      socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
      socket.on('error', () => resolve(false));
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        answer += chunk.toString('utf8');
        if (answer.includes('\r\n')) {
          socket.end();
          resolve(answer.startsWith('+PONG'));
        }
      });
    });
    if (pong) return;
    if (Date.now() > end) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Start a redis-server on a free port (tried again on another port if that one was taken meanwhile). */
export async function startRedis(): Promise<RunningRedis> {
  if (redisSkipReason !== null) throw new Error(redisSkipReason);
  let lastError: unknown;
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.resume();
    child.stderr?.resume();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitForPong(port, child);
    } catch (err) {
      lastError = err;
      child.kill('SIGKILL');
      await exited;
      continue;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await exited;
        }
      },
    };
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
