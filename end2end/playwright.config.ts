import { defineConfig, devices } from "@playwright/test";
import { baseURL, databaseUrl, maildir, python, repoRoot, serverBinary, smtpPort } from "./support/env";

const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: { baseURL, trace: "retain-on-failure", screenshot: "only-on-failure" },
  projects: [
    // The owner's first run happens once, before everything else.
    { name: "first-run", testMatch: /first-run\.spec\.ts/, use: { ...devices["Desktop Chrome"], ...chromium } },
    {
      name: "desktop",
      testIgnore: /first-run\.spec\.ts/,
      dependencies: ["first-run"],
      use: { ...devices["Desktop Chrome"], ...chromium },
    },
    {
      name: "mobile",
      testMatch: /(sign-in|member)\.spec\.ts/,
      dependencies: ["first-run"],
      use: { ...devices["Pixel 7"], ...chromium },
    },
    {
      // Pages that must work before (or without) the Wasm.
      name: "no-javascript",
      testMatch: /sign-in\.spec\.ts/,
      dependencies: ["first-run"],
      use: { ...devices["Desktop Chrome"], ...chromium, javaScriptEnabled: false },
    },
  ],
  webServer: [
  {
    // A real SMTP server on loopback; the tests read what Postern sent.
    command: `${python} scripts/smtp-sink.py --port ${smtpPort} --maildir ${maildir}`,
    cwd: repoRoot,
    port: smtpPort,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: "ignore",
    stderr: "pipe",
  },
  {
    command: `${serverBinary} serve --bind ${new URL(baseURL).host}`,
    cwd: repoRoot,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: {
      POSTERN_DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ROOT: "target/site",
      POSTERN_LOG: "warn",
      POSTERN_SMTP_HOST: "127.0.0.1",
      POSTERN_SMTP_PORT: String(smtpPort),
      POSTERN_SMTP_TLS: "none",
      POSTERN_SMTP_FROM: "Postern <doors@e2e.example.com>",
    },
    stdout: "ignore",
    stderr: "pipe",
  },
  ],
});
