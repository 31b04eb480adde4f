// libuv's thread pool sized to the cores, before anything uses it (the entry points import this module first; the
// pool starts at its first job). argon2 runs there, one hash a core at a time (auth/passwords.ts hashSlots), and
// every pool thread that has hashed keeps the hash's 19 MiB in its malloc arena: with libuv's default of four
// threads, ~38 MiB more resident memory under createUser than with two on 2 cores (BENCHMARKS.md). The other jobs of
// the pool (a webhook's DNS look-up) then wait for at most one hash. An operator's own UV_THREADPOOL_SIZE is kept.
import { availableParallelism } from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism());
