import { expect, test } from "@playwright/test";
import { ActivityPage } from "./pages/activity";
import { timeline, top } from "./api";

test("the activity page shows the numbers the API gives", async ({ page, request }) => {
  const activity = new ActivityPage(page);
  await activity.open("?range=all");
  const api = await timeline(request, "?range=all");
  // The demo was ingested: its 21 days hold about 300,000 events (fewer since its staging trail stops logging).
  expect(api.totals.events).toBeGreaterThan(250_000);
  await expect(activity.totalEvents).toHaveText(api.totals.events.toLocaleString("en-US"));
  await expect(activity.totalErrors).toHaveText(api.totals.errors.toLocaleString("en-US"));
  await expect(activity.chart.locator("svg")).toBeVisible();

  const names = await top(request, "?range=all");
  const table = activity.topTable("Top event names");
  await expect(table.getByRole("row").nth(1).getByRole("cell").first()).toHaveText(names.event_names[0].value);
  await expect(table.getByRole("row").nth(1).getByRole("cell").nth(1)).toHaveText(names.event_names[0].count.toLocaleString("en-US"));
  // The user agents that made the calls, e.g. the AWS CLI's `aws-cli/2.x Python/3.x ...`, most frequent first.
  expect(names.user_agents.length).toBeGreaterThan(3);
  const agents = activity.topTable("Top user agents");
  await expect(agents.getByRole("row").nth(1).getByRole("cell").first()).toHaveText(names.user_agents[0].value);
  await expect(agents.getByRole("row")).toHaveCount(names.user_agents.length + 1);
});

test("changing a filter updates the URL and the numbers without a reload", async ({ page, request }) => {
  const activity = new ActivityPage(page);
  await activity.open("?range=all");
  await expect(activity.totalEvents).not.toHaveText("");
  // A marker that a full page load would erase.
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  const before = ActivityPage.number(await activity.totalEvents.textContent());
  const chartBefore = await activity.chart.innerHTML();

  await activity.account.selectOption("210987654321");
  await expect(page).toHaveURL(/account=210987654321/);
  const staging = await timeline(request, "?range=all&account=210987654321");
  await expect(activity.totalEvents).toHaveText(staging.totals.events.toLocaleString("en-US"));
  expect(staging.totals.events).toBeLessThan(before);
  // The browser redrew the chart (plotters in WebAssembly) for the new data.
  await expect(activity.chart).toHaveAttribute("aria-label", new RegExp(`${staging.totals.events.toLocaleString("en-US")} in total`));
  expect(await activity.chart.innerHTML()).not.toEqual(chartBefore);
  await expect(activity.chart.locator("svg rect").first()).toBeVisible();

  await activity.errorsOnly.check();
  await expect(page).toHaveURL(/errors=1/);
  const errors = await timeline(request, "?range=all&account=210987654321&errors=1");
  await expect(activity.totalEvents).toHaveText(errors.totals.events.toLocaleString("en-US"));
  await expect(activity.topTable("Top error codes").getByRole("cell", { name: "AccessDenied", exact: true })).toBeVisible();

  await activity.range("7 days").click();
  await expect(page).toHaveURL(/range=7d/);
  await expect(page).toHaveURL(/account=210987654321/);
  const week = await timeline(request, "?range=7d&account=210987654321&errors=1");
  await expect(activity.totalEvents).toHaveText(week.totals.events.toLocaleString("en-US"));

  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);

  await page.goBack();
  await expect(page).toHaveURL(/range=all/);
  await expect(activity.totalEvents).toHaveText(errors.totals.events.toLocaleString("en-US"));
});

test("the read/write filter and region narrow the counts", async ({ page, request }) => {
  const activity = new ActivityPage(page);
  await activity.open("?range=all&region=eu-west-1");
  await activity.readWrite.selectOption("write");
  await expect(page).toHaveURL(/rw=write/);
  const writes = await timeline(request, "?range=all&region=eu-west-1&rw=write");
  await expect(activity.totalEvents).toHaveText(writes.totals.events.toLocaleString("en-US"));
  expect(writes.totals.read).toBe(0);
  await expect(page.getByTestId("total-read")).toHaveText("0");
});

test("no section of the navigation is a placeholder", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Findings", exact: true }).click();
  await expect(page).toHaveURL(/\/findings$/);
  await expect(page.getByRole("heading", { name: "Findings", exact: true })).toBeVisible();
  await expect(page.getByRole("table", { name: "Findings" })).toBeVisible();
  await expect(page.getByText("Not built yet.")).toHaveCount(0);
});
