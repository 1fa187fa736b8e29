import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../src/foundation/package-files.js';
import type { ModelRuntime } from '../../src/runtimes/model-runtime.js';
import { buildApp } from '../../src/server/app.js';
import type { ServingCore } from '../../src/serving/serving-core.js';
import { testConfig, testCore } from '../server/app-harness.js';

/** Debian's Chromium: the tests drive the browser people use, never one downloaded by a tool. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Where the tests leave screenshots of every page (git-ignored). */
export const outputDirectory = join(packageRoot, 'test-output', 'console');

/**
 * Why the browser tests cannot run here, or undefined when they can. In CI (CI=true) a missing browser is a
 * failure, not a skip: .ci/run installs it.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  const message = `${chromiumPath} is missing (apt-get install chromium)`;
  if (process.env['CI'] === 'true') throw new Error(`${message}: the console's browser tests must run in CI`);
  return message;
}

export async function launchBrowser(): Promise<Browser> {
  // playwright-core gives every launch a fresh temporary profile (--user-data-dir).
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface ConsoleServer {
  app: FastifyInstance;
  core: ServingCore;
  url: string;
  close(): Promise<void>;
}

/** The real app over a runtime (the bundled model by default), listening on a free loopback port. */
export async function consoleServer(env: Record<string, string> = {}, runtime?: ModelRuntime): Promise<ConsoleServer> {
  const config = testConfig(env);
  const core = await testCore(config, runtime);
  const app = buildApp(config, core);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, core, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** A page in a fresh context (its own storage), failing the test on any script error in the page. */
export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(outputDirectory, { recursive: true });
  await page.screenshot({ path: join(outputDirectory, `${name}.png`), fullPage: true });
}
