// Launches Debian's Chromium through playwright-core (no downloaded browsers); flags keep it offline and quiet.
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.THANORA_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
