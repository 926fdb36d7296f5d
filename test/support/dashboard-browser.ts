/**
 * The dashboard's browser tests: Debian's Chromium (chromium.ts) driven by playwright-core against a
 * real service. `useDashboardHarness()` sets up what every such test file needs (the built dashboard,
 * a service, one browser) in the file's beforeAll and tears it down in its afterAll; pages open
 * already signed in with a key, each in its own browser context.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { SettingsInput } from '../../src/config.js';
import { startApi, type ApiHarness } from './api-server.js';
import { findChromium } from './chromium.js';

/** Where the browser tests write the screenshots a reviewer looks at. */
export const SCREENSHOTS = path.resolve('test-output/screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface DashboardHarnessOptions {
  /** The service's settings (startApi's first argument). */
  settings?: SettingsInput;
  /** Worker slots in the service; 0 (the default) leaves every job where the test puts it. */
  workers?: number;
  /** Context options every page gets unless openPage overrides them (viewport, time zone, …). */
  context?: BrowserContextOptions;
}

export interface PageOptions extends BrowserContextOptions {
  /** The service the page opens on; the harness's own by default. */
  on?: ApiHarness;
}

export interface DashboardHarness {
  /** The service (available once the file's beforeAll has run). */
  readonly api: ApiHarness;
  readonly browser: Browser;
  /**
   * A fresh browser profile at `hash` on the service. With a key, the page opens signed in (as after
   * pasting it once) unless the page stores another key since. Any confirm/alert box fails the test:
   * the dashboard asks in the page, never with a dialog that would block it.
   */
  openPage(key: string | null, hash?: string, options?: PageOptions): Promise<Page>;
  /** The page's main heading named exactly `name`. */
  heading(page: Page, name: string): Locator;
  /** A full-page screenshot at test-output/screenshots/<name>.png. */
  shoot(page: Page, name: string): Promise<Buffer>;
  /** How far the page scrolls sideways (0 or less: it fits its viewport's width). */
  sidewaysOverflow(page: Page): Promise<number>;
  /** Starts another service (open pages on it with `on`), closed with the harness after its pages. */
  startAnotherApi(settings?: SettingsInput, options?: { workers?: number }): Promise<ApiHarness>;
}

/** Registers the set-up and tear-down of a dashboard browser test file; call it inside `describe`. */
export function useDashboardHarness(options: DashboardHarnessOptions = {}): DashboardHarness {
  let api: ApiHarness | undefined;
  let browser: Browser | undefined;
  const others: ApiHarness[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // The server registers one route per built file when it starts: build the dashboard first.
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'pipe' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    api = await startApi(options.settings ?? {}, { workers: options.workers ?? 0 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await Promise.all([api?.close(), ...others.map((other) => other.close())]);
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the dashboard harness has no ${what} before beforeAll ran`);
    return value;
  };

  return {
    get api() {
      return ready(api, 'service');
    },
    get browser() {
      return ready(browser, 'browser');
    },
    async openPage(key, hash = '', { on, ...contextOptions } = {}) {
      const context = await ready(browser, 'browser').newContext({ ...options.context, ...contextOptions });
      contexts.push(context);
      if (key !== null) {
        await context.addInitScript({
          content: `if (!localStorage.getItem('reelqueue.apiKey')) localStorage.setItem('reelqueue.apiKey', ${JSON.stringify(key)});`,
        });
      }
      const page = await context.newPage();
      page.on('dialog', (dialog) => {
        throw new Error(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
      });
      await page.goto(`${(on ?? ready(api, 'service')).baseUrl}/${hash}`);
      return page;
    },
    heading: (page, name) => page.getByRole('heading', { level: 1, name, exact: true }),
    shoot: (page, name) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true }),
    sidewaysOverflow: (page) =>
      page
        .locator('html')
        .evaluate((html) => html.scrollWidth - (html as unknown as { clientWidth: number }).clientWidth),
    async startAnotherApi(settings = {}, { workers = 0 } = {}) {
      const other = await startApi(settings, { workers });
      others.push(other);
      return other;
    },
  };
}
