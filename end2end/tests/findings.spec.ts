import { expect, test } from "@playwright/test";
import { EventsPage } from "./pages/events";
import { FindingsPage } from "./pages/findings";
import { SettingsPage } from "./pages/settings";

/** The demo's planted incidents (app/src/ssr/findings/demo_tests.rs), with their severity. */
const PLANTED: [string, string][] = [
  ["Root console sign-in without MFA", "critical"],
  ["CloudTrail logging stopped", "high"],
  ["Security group opened to the internet", "high"],
  ["Burst of refused calls from one identity", "high"],
];

test("the demo's planted incidents are listed with their severity, and high ones only are planted", async ({ page }) => {
  const findings = new FindingsPage(page);
  await findings.open();
  await findings.waitFor(PLANTED[0][0]);
  for (const [title, severity] of PLANTED) {
    const row = findings.row(title);
    await expect(row).toHaveCount(1);
    await expect(row.getByRole("cell").first()).toHaveText(new RegExp(`${severity}$`));
    await expect(row.getByRole("img")).toHaveAccessibleName(/match(es)? from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
    await expect(row.getByRole("cell").last()).toHaveText(/Open|Acknowledged/);
  }

  // Filtered to high and above: exactly the planted ones, in the URL.
  await page.getByLabel("Severity").selectOption("high");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/severity=high/);
  await expect(findings.table.locator("tbody tr")).toHaveCount(PLANTED.length);

  // Activity's line links here.
  await page.goto("/");
  const line = page.getByTestId("findings-line");
  await expect(line).toContainText(/^Findings: 1 critical, \d+ high/);
  await line.getByRole("link").click();
  await expect(page.getByRole("heading", { name: "Findings", level: 1 })).toBeVisible();
});

test("opening a finding shows its evidence events, and each opens Events filtered to it", async ({ page }) => {
  const title = "CloudTrail logging stopped";
  const findings = new FindingsPage(page);
  await findings.open();
  await findings.waitFor(title);
  await findings.row(title).getByRole("link", { name: title }).click();
  await expect(page).toHaveURL(/open=/);
  const evidence = findings.evidence(title);
  // The planted incident (svc-backup) and bob's StopLogging on dev-trail, the gap the Integrity page shows.
  await expect(evidence.locator("tbody tr")).toHaveCount(2);
  for (const row of await evidence.locator("tbody tr").all()) {
    await expect(row).toContainText("StopLogging");
  }
  const planted = evidence.locator("tbody tr").filter({ hasText: "svc-backup" });
  await expect(planted).toHaveCount(1);

  await planted.getByRole("link", { name: /^Show StopLogging at .* in Events$/ }).click();
  await expect(page).toHaveURL(/\/events\?range=custom&from=.*&id=.*&rw=all/);
  const events = new EventsPage(page);
  await expect(events.rows).toHaveCount(1);
  expect(await events.column("Event name")).toEqual(["StopLogging"]);
});

test("an admin acknowledges a finding with a note: it stays after a reload and is in the audit log", async ({ page }) => {
  const title = "Security group opened to the internet";
  const note = `Checked with the network team ${Date.now()}`;
  const findings = new FindingsPage(page);
  await findings.open();
  await findings.waitFor(title);
  await findings.row(title).getByRole("link", { name: title }).click();
  await expect(findings.triage).toHaveText(/^Open/);
  await findings.triageForm.getByLabel("Decision").selectOption("acknowledged");
  await findings.triageForm.getByLabel("Note").fill(note);
  await findings.triageForm.getByRole("button", { name: "Save decision" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved: Acknowledged." })).toBeVisible();

  await page.reload();
  await expect(findings.triage).toHaveText(new RegExp(`^Acknowledged by admin on .*: ${note}$`));
  await expect(findings.row(title).getByRole("cell").last()).toHaveText("Acknowledged");

  await findings.open("?state=acknowledged");
  await expect(findings.table.locator("tbody tr")).toHaveCount(1);
  await expect(findings.row(title)).toHaveCount(1);

  await page.goto("/settings");
  await expect(new SettingsPage(page).audit.getByRole("row").filter({ hasText: "finding.triage" }).first()).toContainText(
    ": acknowledged",
  );
});
