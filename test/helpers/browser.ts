import { chromium, type Browser } from 'playwright-core';
import { chromiumFlags } from './chromium-flags.mjs';
import { findChromium } from '../../scripts/system-deps.mjs';

/**
 * Debian's Chromium with fake camera/mic, as the browser tests use it.
 * `args`: further flags; `executablePath`: a wrapper to start it through
 * (test/helpers/impair.ts runs it inside a network namespace that way).
 */
export function launchChromium(opts: { args?: string[]; executablePath?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: opts.executablePath ?? findChromium() ?? '/usr/bin/chromium',
    headless: true,
    // playwright sets its own headless mode.
    args: [...chromiumFlags.filter((f) => !f.startsWith('--headless')), ...(opts.args ?? [])],
  });
}
