import { expect, test } from "@playwright/test";
import { IntegrityPage } from "./pages/integrity";
import { SettingsPage } from "./pages/settings";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The UTC time a CloudTrail file name states (`…_20261120T1005Z_…` or a digest's `…_20261120T100512Z.json.gz`). */
function nameTime(key: string): number {
  const m = key.match(/_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z[_.]/);
  if (!m) throw new Error(`no time in ${key}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
}

test("the demo's tampered log file and its stopped trail show on the Integrity page with their keys", async ({ page }) => {
  const integrity = new IntegrityPage(page);
  await integrity.open();
  await integrity.waitForValidation();

  // The one log file the intruder edited after its digest was signed: staging's, us-east-1, about 3 days 7 h ago.
  const modified = integrity.problems.getByRole("row").filter({ hasText: "hash value doesn't match" });
  await expect(modified).toHaveCount(1);
  const logKey = (await modified.locator("code").textContent()) ?? "";
  expect(logKey).toMatch(
    /\/AWSLogs\/210987654321\/CloudTrail\/us-east-1\/\d{4}\/\d{2}\/\d{2}\/210987654321_CloudTrail_us-east-1_\d{8}T\d{4}Z_\w+\.json\.gz$/,
  );
  const logAge = Date.now() - nameTime(logKey);
  expect(logAge).toBeGreaterThan(3 * DAY + 6 * HOUR);
  expect(logAge).toBeLessThan(3 * DAY + 8 * HOUR);

  // Its chain is the one shown first; its hour is the one invalid cell, and links to the problem.
  await expect(page.getByRole("heading", { name: "Digest hours: 210987654321 us-east-1 management-events" })).toBeVisible();
  const invalid = integrity.hours.getByRole("link", { name: "✗", exact: true });
  await expect(invalid).toHaveCount(1);
  await invalid.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#problem-210987654321-us-east-1-management-events-\d+$/);

  // The development trail's StopLogging/StartLogging: a gap before its starting digest, about 9 days ago.
  const gap = integrity.problems.getByRole("row").filter({ hasText: "No log files were delivered by CloudTrail between" });
  await expect(gap).toHaveCount(1);
  const digestKey = (await gap.locator("code").textContent()) ?? "";
  expect(digestKey).toMatch(
    /\/AWSLogs\/444455556666\/CloudTrail-Digest\/us-east-1\/\d{4}\/\d{2}\/\d{2}\/444455556666_CloudTrail-Digest_us-east-1_dev-trail_us-east-1_\d{8}T\d{6}Z\.json\.gz$/,
  );
  const gapAge = Date.now() - nameTime(digestKey);
  expect(gapAge).toBeGreaterThan(8 * DAY + 12 * HOUR);
  expect(gapAge).toBeLessThan(9 * DAY + 12 * HOUR);

  await integrity.chain("444455556666 us-east-1 dev-trail").click();
  await expect(page).toHaveURL(/chain=444455556666(%20|\+)us-east-1(%20|\+)dev-trail/);
  await expect(page.getByRole("heading", { name: "Digest hours: 444455556666 us-east-1 dev-trail" })).toBeVisible();
  await expect(integrity.hours.getByRole("link", { name: "–", exact: true }).first()).toBeVisible();
  await page.getByText("The same hours as a table").click();
  await expect(integrity.stretches.getByRole("row").filter({ hasText: "gap in delivery" })).toHaveCount(1);

  // Activity says it in one line, linking here.
  await page.goto("/");
  const line = page.getByTestId("integrity-line");
  await expect(line).toContainText(/^Integrity: 1 log file modified, 1 gap · validated/);
  await line.getByRole("link").click();
  await expect(page.getByRole("heading", { name: "Integrity", level: 1 })).toBeVisible();
});

test("an admin validates everything again, audited", async ({ page }) => {
  const integrity = new IntegrityPage(page);
  await integrity.open();
  await integrity.waitForValidation();
  await integrity.validate.click();
  await expect(page.getByRole("status").filter({ hasText: /Validation started|already running/ })).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(integrity.validatedAt.first()).toContainText("every digest last validated", { timeout: 1_000 });
    await expect(integrity.progress).toHaveCount(0, { timeout: 1_000 });
  }).toPass({ timeout: 180_000 });
  await page.goto("/settings");
  await expect(new SettingsPage(page).audit).toContainText("integrity.validate");
});
