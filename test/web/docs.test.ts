/**
 * `/docs` carries the security headers the dashboard has, and Swagger UI still renders under its
 * Content-Security-Policy in a real browser (Chromium driven by playwright-core), with no violation.
 */
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../support/api-server.js';
import { launchChromium } from '../support/dashboard-browser.js';

describe('/docs (Swagger UI)', () => {
  let api: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    api = await startApi({}, { workers: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('answers every /docs file with a Content-Security-Policy, nosniff, no referrer and no framing', async () => {
    for (const path of [
      '/docs',
      '/docs/',
      '/docs/static/index.html',
      '/docs/json',
      '/docs/static/swagger-ui.css',
    ]) {
      const response = await api.call(null, 'GET', path);
      await response.arrayBuffer();
      expect(response.status, path).toBeLessThan(400);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });

  it('renders the API’s operations in Chromium without a single Content-Security-Policy violation', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
    await page.goto(`${api.baseUrl}/docs`);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'reelqueue' }).waitFor();
    await page.locator('.opblock-summary-path', { hasText: '/api/presentations/generate' }).first().waitFor();
    // Open one operation: its parameters and schemas render too.
    await page.locator('.opblock-summary', { hasText: '/api/presentations/jobs/health' }).first().click();
    await page.locator('.opblock-body .parameters').first().waitFor();
    expect(violations).toEqual([]);
    await page.close();
  });
});
