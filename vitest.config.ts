import { defineConfig } from 'vitest/config';

// The conformance suite runs once per database; everything else runs once.
const perDialect = [
  'test/conformance/**/*.test.ts',
  'test/chaos/**/*.test.ts',
  'test/e2e/**/*.test.ts',
  'test/seeds/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/render/**/*.test.ts', 'test/web/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'sqlite',
          include: perDialect,
          env: { DB: 'sqlite' },
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'postgres',
          include: perDialect,
          env: { DB: 'postgres' },
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
