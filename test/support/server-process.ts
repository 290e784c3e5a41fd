import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** stdout and stderr up to the moment it listened, for assertion messages. */
  output(): string;
  exited: Promise<number | null>;
}

export interface StartOptions {
  /** Extra arguments for node itself, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  startTimeoutMs?: number;
  /** Keep echoing what the server prints on stderr after it listens (benchmarks show warnings). */
  echoStderr?: boolean;
}

/** Starts `tutela serve` as a real process on a free port and resolves once it prints where it listens. */
export function startServer(storeEnv: Record<string, string>, options: StartOptions = {}): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: '0', TUTELA_LOG_LEVEL: 'warn', TUTELA_TOTP_WINDOW_STEPS: '10', ...storeEnv };
  if (!storeEnv.DATABASE_URL) delete env.DATABASE_URL;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(repoRoot, 'bin/tutela.mjs'), 'serve'],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not start in ${timeoutMs / 1000} s:\n${out}`)); }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Tutela is serving on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      if (options.echoStderr) {
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stderr!.on('data', (c: Buffer) => process.stderr.write(`  server: ${c}`));
      }
      resolve({ child, url: m[1]!, output: () => out, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before listening:\n${out}`)); });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopServer(server: ServerProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  await server.exited;
  clearTimeout(timer);
}
