import { defineConfig } from "@playwright/test";

// E2E_PORT lets two checkouts run the browser tests side by side.
const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;
/** The first admin's password, given to the server so the tests can log in. */
export const adminPassword = "e2e admin password";
/** The session the setup project saves after logging in. */
export const adminState = ".auth/admin.json";

// Debian's chromium, never a downloaded browser. The flags keep it off the (closed) network.
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  },
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"], ["json", { outputFile: "test-results/results.json" }]],
  use: { baseURL, trace: "retain-on-failure" },
  projects: [
    { name: "setup", use: { ...chromium }, testMatch: /\.setup\.ts$/ },
    { name: "hydrated", use: { ...chromium, storageState: adminState }, dependencies: ["setup"], testIgnore: /no-js|\.setup\./ },
    {
      name: "no-javascript",
      use: { ...chromium, javaScriptEnabled: false, storageState: adminState },
      dependencies: ["setup"],
      testMatch: /no-js/,
    },
  ],
  webServer: {
    command: "../target/release/trailscope serve",
    url: `${baseURL}/healthz`,
    // The first start writes and ingests the demo archive.
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      TRAILSCOPE_ADDR: `127.0.0.1:${port}`,
      TRAILSCOPE_DATA_DIR: ".data",
      LEPTOS_SITE_ROOT: "../target/site",
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_ENV: "PROD",
      TRAILSCOPE_ADMIN_PASSWORD: adminPassword,
    },
  },
});
