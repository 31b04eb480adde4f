// libuv's thread pool sized to the cores plus one, before anything uses it (the entry points import this module first;
// the pool starts at its first job). argon2 runs there, one hash a core at a time (auth/passwords.ts hashSlots), and
// every pool thread that has hashed keeps the hash's 19 MiB in its malloc arena: with libuv's default of four
// threads, ~30 MiB more resident memory under createUser than with three on 2 cores (BENCHMARKS.md). The thread
// more than the hashes use keeps the pool's other jobs (a webhook's DNS look-up, the data folder's lock refresh)
// from waiting behind them; on one core, a pool of one would have stalled them all. An operator's own
// UV_THREADPOOL_SIZE is kept (an empty one is not a size).
import { availableParallelism } from 'node:os';

process.env.UV_THREADPOOL_SIZE ||= String(availableParallelism() + 1);
