/**
 * The dashboard's browser tests: Debian's Chromium (chromium.ts) driven by playwright-core, and pages
 * opened already signed in with a key, each in its own context (closed by the test's afterAll).
 */
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { findChromium } from './chromium.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}

/**
 * A page at `url` in a new context of `browser` (added to `contexts`), with `key` stored as the
 * dashboard's sign-in unless the page stored another since.
 */
export async function openSignedInPage(
  browser: Browser,
  contexts: BrowserContext[],
  url: string,
  key: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext(options);
  contexts.push(context);
  await context.addInitScript({
    content: `if (!localStorage.getItem('reelqueue.apiKey')) localStorage.setItem('reelqueue.apiKey', ${JSON.stringify(key)});`,
  });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}
