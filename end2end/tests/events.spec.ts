import { expect, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { EventsPage } from "./pages/events";

const staging = "210987654321";

test("three filters find the leaked key's refused probes; an event pivots, compares and exports", async ({ page }) => {
  const events = new EventsPage(page);
  await events.open("?range=7d");
  await page.getByTestId("read-only-toggle").click();
  await expect(page).toHaveURL(/rw=all/);

  // Account, identity and errors only, together: the 80 refused reconnaissance calls of the demo's intruder.
  await events.filter("account", staging);
  await events.filter("user", "svc-backup");
  await events.errorsOnly();
  await events.search();
  await expect(page).toHaveURL(/account=210987654321/);
  await expect(page).toHaveURL(/user=svc-backup/);
  await expect(page).toHaveURL(/errors=1/);
  await expect(events.total).toHaveText("80");
  await expect(events.rows).toHaveCount(50);
  expect(new Set(await events.column("Identity"))).toEqual(new Set(["svc-backup"]));
  expect(new Set(await events.column("Account"))).toEqual(new Set([staging]));
  expect((await events.column("Error")).every((e) => /AccessDenied|UnauthorizedOperation/.test(e))).toBe(true);

  // Back and forward move between searches.
  await page.goBack();
  await expect(page).not.toHaveURL(/user=svc-backup/);
  await page.goForward();
  await expect(events.total).toHaveText("80");

  // Open an event, then pivot to everything its identity did.
  const first = events.rows.first();
  const name = (await first.locator("td:nth-child(3)").innerText()).trim();
  await first.getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/events\/event\?id=/);
  await expect(page.getByTestId("event-title")).toContainText(name);
  const who = page.getByRole("region", { name: "Identity chain" });
  await expect(who).toContainText("arn:aws:iam::210987654321:user/svc-backup");
  // The pivot names the principal exactly (its ARN) in the event's account, over all the store holds.
  await page.getByRole("link", { name: "Same identity (svc-backup), all time" }).click();
  await expect(page).toHaveURL(/user=arn%3Aaws%3Aiam%3A%3A210987654321%3Auser%2Fsvc-backup/);
  await expect(page).toHaveURL(/account=210987654321/);
  await expect(page).not.toHaveURL(/errors=1/);
  const all = Number((await events.total.innerText()).replace(/,/g, ""));
  expect(all).toBeGreaterThan(80); // the probes and the StopLogging that followed them
  expect(new Set(await events.column("Identity"))).toEqual(new Set(["svc-backup"]));
  await expect(events.rows.filter({ hasText: "StopLogging" })).toHaveCount(1);

  // Compare the StopLogging call with the probe before it.
  await events.rows.filter({ hasText: "StopLogging" }).getByRole("checkbox").check();
  await events.rows.filter({ hasNotText: "StopLogging" }).first().getByRole("checkbox").check();
  await page.getByTestId("compare").click();
  await expect(page).toHaveURL(/\/events\/compare\?id=.*&id=/);
  await expect(page.getByTestId("differing-fields")).toContainText("fields differ");
  const differs = page.locator("table.compare-table tr.differs");
  await expect(differs.filter({ has: page.getByRole("rowheader", { name: "eventName", exact: true }) })).toHaveCount(1);
  await expect(page.locator("table.compare-table tr.same").filter({ hasText: "sourceIPAddress" })).toHaveCount(1);

  // Download the pivot's result set as CSV: one row per event, every one by svc-backup.
  await page.goBack();
  const downloading = page.waitForEvent("download");
  await page.getByTestId("export-csv").click();
  const download = await downloading;
  const csv = await readFile((await download.path()) as string, "utf8");
  const lines = csv.split("\r\n").filter((l) => l.length > 0);
  expect(lines[0]).toContain("event_time,event_id,account,region,event_source,event_name,identity");
  expect(lines.length - 1).toBe(all);
  expect(lines.slice(1).every((l) => l.split(",")[6] === "svc-backup")).toBe(true);
});

test("a filter holding a literal percent searches for what was typed, on the server and in the browser", async ({ page }) => {
  // `svc%2Dbackup` is not the intruder `svc-backup`: read twice, its `%2D` would become a hyphen and find them.
  const events = new EventsPage(page);
  await events.open("?range=7d&rw=all");
  await events.filter("user", "svc%2Dbackup");
  await events.search();
  await expect(page).toHaveURL(/user=svc%252Dbackup/);
  await expect(events.total).toHaveText("0");
  await expect(page.getByTestId("filter-user")).toHaveValue("svc%2Dbackup");
  // The page as the server renders it, before the WASM runs, reads the link the same way.
  await page.reload();
  await expect(events.total).toHaveText("0");
  await expect(page.getByTestId("filter-user")).toHaveValue("svc%2Dbackup");
});

test("columns and page sizes change the table and stay in the URL", async ({ page }) => {
  const events = new EventsPage(page);
  await events.open("?range=7d");
  await page.getByText("Columns").click();
  await page.getByTestId("column-agent").click();
  await expect(page).toHaveURL(/cols=[^&]*agent/);
  await expect(events.table.locator("thead")).toContainText("User agent");
  await page.getByRole("navigation", { name: "Page size" }).getByRole("link", { name: "25", exact: true }).click();
  await expect(page).toHaveURL(/size=25/);
  await expect(events.rows).toHaveCount(25);
  await page.getByTestId("next-page").click();
  await expect(page).toHaveURL(/after=/);
  await expect(events.rows).toHaveCount(25);
  await expect(events.table.locator("thead")).toContainText("User agent");
});
