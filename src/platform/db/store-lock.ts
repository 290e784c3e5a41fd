import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

/**
 * PGlite has no cross-process lock: two processes writing one folder silently lose data
 * (stack.md §1.5). We hold `tutela.lock` with our pid for as long as the store is open.
 * A lock left by a process that no longer runs (SIGKILL, power cut) is taken over, so a
 * crash never needs a human to delete a file; a lock held by a live process is refused.
 */
export class StoreLock {
  private released = false;
  private constructor(readonly file: string) {}

  static acquire(dataDir: string): StoreLock {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'tutela.lock');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', 0o600);
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
        fs.closeSync(fd);
        const lock = new StoreLock(file);
        process.once('exit', () => lock.release());
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = readHolder(file);
        if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
          throw new AppError('store.locked', { data_dir: dataDir, pid: holder },
            `The data folder ${dataDir} is in use by another Tutela process (pid ${holder}). ` +
            'Stop it first, or run this command through the running server.');
        }
        fs.rmSync(file, { force: true }); // stale: its process is gone
      }
    }
    throw new AppError('store.locked', { data_dir: dataDir }, `Could not take the lock on ${dataDir}.`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (readHolder(this.file) === process.pid) fs.rmSync(this.file, { force: true });
  }
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number(JSON.parse(fs.readFileSync(file, 'utf8')).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // unreadable or half-written: treat as stale
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
