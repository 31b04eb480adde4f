// The embedded database's folder: private to the server's user (0700; it holds password hashes), and held by one
// process at a time. PGlite is a single-process database: a second process on the same folder would start, answer,
// and lose one side's committed writes. proper-lockfile keeps a lock directory beside the folder and refreshes it;
// a crashed holder's lock goes stale and is taken over.
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
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
  // A lock refreshed lately belongs to a live process: say so at once instead of waiting for it to go stale.
  try {
    if (Date.now() - statSync(lockDir).mtimeMs < STALE_MS / 2) throw new DataFolderInUse(folder);
  } catch (e) {
    if (e instanceof DataFolderInUse) throw e;
  }
  try {
    return await lockfile.lock(folder, {
      lockfilePath: lockDir,
      stale: STALE_MS,
      update: UPDATE_MS,
      // A crashed holder's lock: wait until it is stale, then take it over.
      retries: { retries: 8, factor: 1, minTimeout: STALE_MS / 8, maxTimeout: STALE_MS / 8 },
      onCompromised: (e) => {
        // Another process may be writing now: stopping is the only safe answer.
        logError('lost the lock on the data folder', e);
        process.exit(70);
      },
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'ELOCKED') throw new DataFolderInUse(folder);
    throw e;
  }
}
