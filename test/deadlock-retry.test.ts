// againIfDeadlocked as a plain function: a statement PostgreSQL failed to break a deadlock (SQLSTATE 40P01, wrote
// nothing) is sent once more; any other error, or a second deadlock, is the caller's.
import { describe, expect, it } from 'vitest';
import { againIfDeadlocked } from '../src/db/client.js';

const failing = (...codes: string[]) => {
  let calls = 0;
  const run = async () => {
    const code = codes[calls++];
    // As Drizzle wraps the driver's error: the SQLSTATE on its cause.
    if (code) throw Object.assign(new Error('query failed'), { cause: Object.assign(new Error('driver'), { code }) });
    return 'written';
  };
  return { run, calls: () => calls };
};

describe('againIfDeadlocked', () => {
  it('sends a statement failed by a deadlock once more', async () => {
    const f = failing('40P01');
    expect(await againIfDeadlocked(f.run)).toBe('written');
    expect(f.calls()).toBe(2);
  });

  it('gives up after a second deadlock', async () => {
    const f = failing('40P01', '40P01');
    await expect(againIfDeadlocked(f.run)).rejects.toThrow('query failed');
    expect(f.calls()).toBe(2);
  });

  it('never repeats a statement failed for another reason', async () => {
    for (const code of ['23505', '23514', '40001']) {
      const f = failing(code);
      await expect(againIfDeadlocked(f.run)).rejects.toThrow('query failed');
      expect(f.calls()).toBe(1);
    }
  });
});
