import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (`npx playwright install` cannot download here).
 * .ci/run installs the package; without it, browser tests fail saying so, never skip.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests leave their screenshots (kept as CI artifacts, ignored by git). */
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      // This machine's network is closed: without these, Chromium tries Google's hosts at every start.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (err) {
    throw new Error(`Could not start Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH): ${(err as Error).message}`);
  }
}
