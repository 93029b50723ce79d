import { chromium, type Browser } from 'playwright-core';
import { chromiumFlags } from './chromium-flags.mjs';
import { findChromium } from '../../scripts/system-deps.mjs';

/** Debian's Chromium with fake camera/mic, as the browser tests use it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium() ?? '/usr/bin/chromium',
    headless: true,
    // playwright sets its own headless mode.
    args: chromiumFlags.filter((f) => !f.startsWith('--headless')),
  });
}
