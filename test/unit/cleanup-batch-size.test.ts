import { describe, expect, it } from 'vitest';
import { CLEANUP_BATCH_TARGET_MS, CleanupBatchSize } from '../../src/jobs/cleanup-batches.js';
import { CLEANUP_BATCH } from '../../src/jobs/cleanup-filter.js';

describe('the size of a cleanup batch', () => {
  it('starts at CLEANUP_BATCH, halves after slow batches down to 100, doubles after fast ones up to 5,000', () => {
    const batch = new CleanupBatchSize();
    expect(batch.size).toBe(CLEANUP_BATCH);
    batch.took(CLEANUP_BATCH_TARGET_MS * 3);
    expect(batch.size).toBe(CLEANUP_BATCH / 2);
    for (let i = 0; i < 20; i++) batch.took(500);
    expect(batch.size).toBe(100);
    batch.took(CLEANUP_BATCH_TARGET_MS);
    expect(batch.size).toBe(100);
    for (let i = 0; i < 20; i++) batch.took(1);
    expect(batch.size).toBe(5_000);
  });
});
