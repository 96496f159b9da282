import { expect, test } from "@playwright/test";
import { ActivityPage } from "./pages/activity";
import { timeline } from "./api";

test("without JavaScript the server renders the same page and the filter form works", async ({ page, request }) => {
  const activity = new ActivityPage(page);
  await activity.open("?range=all");
  const all = await timeline(request, "?range=all");
  await expect(activity.totalEvents).toHaveText(all.totals.events.toLocaleString("en-US"));
  await expect(activity.chart.locator("svg")).toBeVisible();
  await expect(activity.topTable("Top identities").getByRole("row")).toHaveCount(11);

  await activity.account.selectOption("444455556666");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/account=444455556666/);
  const security = await timeline(request, "?range=all&account=444455556666");
  await expect(activity.totalEvents).toHaveText(security.totals.events.toLocaleString("en-US"));

  await activity.range("30 days").click();
  await expect(page).toHaveURL(/range=30d/);
  await expect(page).toHaveURL(/account=444455556666/);
});
