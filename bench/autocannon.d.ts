// autocannon ships no types; this is the part of its API the harness uses (see its README).
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      requests?: { setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }[];
      verifyBody?: (body: string) => boolean;
    }
    interface Histogram {
      average: number;
      total: number;
      p50: number;
      p99: number;
    }
    interface Result {
      /** `total` counts the answers, `sent` the requests sent (some are still being answered when the run ends). */
      requests: Histogram & { sent: number };
      latency: Histogram;
      errors: number;
      timeouts: number;
      non2xx: number;
    }
  }
  /** The run, awaitable; it emits 'response' at each answer. */
  function autocannon(
    options: autocannon.Options,
  ): Promise<autocannon.Result> & { on(event: 'response', listener: () => void): void };
  export default autocannon;
}
