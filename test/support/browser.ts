// A real Chromium for the dashboard tests (Debian's package, driven by
// playwright-core). null when none is installed: the tests then skip with a
// printed reason (README, "Dashboard"; .ci/run installs Debian's chromium).
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";

export const CHROMIUM = process.env.BEADHUB_CHROMIUM ?? "/usr/bin/chromium";

export function browserAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    // As root Chromium needs --no-sandbox; the rest keep it off the (closed) network.
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"],
  });
}
