/**
 * The part of autocannon (8.x, which ships no types) that the http scenario uses: one run against
 * one URL, awaited for its result.
 */
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      headers?: Record<string, string>;
    }

    /** Average and percentiles of a histogram (latency in ms, requests per 1 s sample). */
    interface Distribution {
      average: number;
      min: number;
      max: number;
      p50: number;
      p99: number;
    }

    interface Result {
      /** Seconds the run lasted. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      latency: Distribution;
      requests: Distribution & { total: number; sent: number };
    }
  }

  /** Without a callback the returned tracker is also a promise of the result. */
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;

  export = autocannon;
}
