import { describe, expect, it } from 'vitest';
import {
  bucketValue,
  GROWTH,
  histogramPercentile,
  RELATIVE_ERROR,
} from '../../src/jobs/duration-histogram.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, rollupWindow } from '../../src/jobs/rollup-statistics.js';

const NOW = Date.UTC(2026, 11, 7, 16, 30, 0, 0);

describe('a statistics window over the rollups', () => {
  it('starting on a whole minute needs no jobs counted from the table', () => {
    const window = rollupWindow(NOW, 1);
    expect(window).toEqual({
      start: NOW - HOUR_MS,
      minuteFrom: NOW - HOUR_MS,
      hourFrom: Date.UTC(2026, 11, 7, 16),
      dayFrom: Date.UTC(2026, 11, 8),
      edge: null,
    });
  });

  it('subtracts the jobs between the minute before and a start nearer to it', () => {
    const window = rollupWindow(NOW + 10_000, 1);
    expect(window.minuteFrom).toBe(NOW - HOUR_MS);
    expect(window.edge).toEqual({ from: NOW - HOUR_MS, to: NOW - HOUR_MS + 10_000, sign: -1 });
  });

  it('adds the jobs between a start and the nearer minute after it', () => {
    const window = rollupWindow(NOW + 50_000, 1);
    expect(window.minuteFrom).toBe(NOW - HOUR_MS + MINUTE_MS);
    expect(window.edge).toEqual({ from: NOW - HOUR_MS + 50_000, to: NOW - HOUR_MS + MINUTE_MS, sign: 1 });
  });

  it('reads whole hours from the next hour and whole days from the next midnight', () => {
    const window = rollupWindow(NOW, 720);
    expect(window.hourFrom % HOUR_MS).toBe(0);
    expect(window.hourFrom - window.minuteFrom).toBeLessThan(HOUR_MS);
    expect(window.dayFrom % DAY_MS).toBe(0);
    expect(window.dayFrom - window.hourFrom).toBeLessThan(DAY_MS);
  });
});

describe('the processing-time histogram', () => {
  it('reads every time within the stated relative error, from a millisecond to days', () => {
    for (let t = 0.001; t < 400_000; t *= 1.0137) {
      const bucket = Math.ceil(Math.log(t) / Math.log(GROWTH));
      expect(Math.abs(bucketValue(bucket) - t) / t).toBeLessThanOrEqual(RELATIVE_ERROR + 1e-9);
    }
  });

  it('gives the nearest-rank percentile of the counted times', () => {
    const buckets = [
      { bucket: 10, jobs: 50 },
      { bucket: 20, jobs: 45 },
      { bucket: 30, jobs: 5 },
    ];
    expect(histogramPercentile(buckets, 0.5)).toBe(bucketValue(10));
    expect(histogramPercentile(buckets, 0.95)).toBe(bucketValue(20));
    expect(histogramPercentile(buckets, 0.99)).toBe(bucketValue(30));
    expect(histogramPercentile([], 0.5)).toBeNull();
  });
});
