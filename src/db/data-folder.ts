// The embedded database's folder: private to the server's user (0700; it holds password hashes), and held by one
// process at a time. PGlite is a single-process database: a second process on the same folder would start, answer,
// and lose one side's committed writes. proper-lockfile keeps a lock directory beside the folder and refreshes it; the
// holder's pid in it lets a restart after a crash take the lock over at once, and a lock from another machine is
// taken over once stale.
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { logError } from '../log.js';

const STALE_MS = 30_000;
const UPDATE_MS = 5_000;

export class DataFolderInUse extends Error {
  constructor(folder: string) {
    super(
      `The data folder ${folder} is in use by another process (a running server?). Stop it first, or point DATA_DIR elsewhere; ` +
        'one process at a time may open an embedded database.',
    );
    this.name = 'DataFolderInUse';
  }
}

/**
 * Folders 0700, files 0600. PGlite's file system layer creates its files 0666 whatever the umask, so the tree is
 * tightened when the database opens and when it closes; in between, the folder's 0700 already keeps others out.
 */
export function makePrivate(folder: string): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      chmodSync(path, 0o700);
      makePrivate(path);
    } else if (entry.isFile()) chmodSync(path, 0o600);
  }
}

/** Creates the folder 0700 (and makes an existing one so), then takes its lock; returns the release. */
export async function holdDataFolder(folder: string): Promise<() => Promise<void>> {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  const lockDir = `${folder}.lock`;
  // Beside the lock directory, not in it: proper-lockfile removes the directory with rmdir, which needs it empty.
  const ownerFile = `${lockDir}.owner`;
  const options = { lockfilePath: lockDir, stale: STALE_MS, update: UPDATE_MS, onCompromised };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(folder, { ...options, retries: 0 });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ELOCKED') throw e;
    const owner = ownerOf(ownerFile);
    // The holder is a process of this machine: alive, the folder is in use; gone (a crash), its lock is taken over.
    if (owner && owner.host === hostname()) {
      if (processAlive(owner.pid)) throw new DataFolderInUse(folder);
      // proper-lockfile only unlocks its own locks: a dead process's lock directory is removed here.
      rmSync(lockDir, { recursive: true, force: true });
    }
    // Held from another machine (a shared disk), or of unknown owner: wait until the lock goes stale.
    try {
      release = await lockfile.lock(folder, {
        ...options,
        retries: { retries: 8, factor: 1, minTimeout: STALE_MS / 8, maxTimeout: STALE_MS / 8 },
      });
    } catch (again) {
      if ((again as { code?: string }).code === 'ELOCKED') throw new DataFolderInUse(folder);
      throw again;
    }
  }
  writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, host: hostname() }), { mode: 0o600 });
  return async () => {
    rmSync(ownerFile, { force: true });
    await release();
  };
}

function ownerOf(ownerFile: string): { pid: number; host: string } | null {
  try {
    const owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as { pid?: unknown; host?: unknown };
    return typeof owner.pid === 'number' && typeof owner.host === 'string'
      ? { pid: owner.pid, host: owner.host }
      : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

function onCompromised(e: Error): void {
  // Another process may be writing now (this one was suspended past the stale time): stopping is the only safe answer.
  logError('lost the lock on the data folder', e);
  process.exit(70);
}
