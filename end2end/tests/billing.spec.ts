import { expect, test } from "@playwright/test";
import { BillingPage } from "./pages/billing";

test("the billing page shows the demo's breakdown, every line opening to its formula", async ({ page }) => {
  const billing = new BillingPage(page);
  await billing.open();
  expect(await BillingPage.micro(billing.total)).toBeGreaterThan(0);
  await expect(billing.total).toHaveText(/^\$[\d,]+\.\d\d$/);
  for (const trail of ["org-trail", "s3-lambda-data-events", "security-team-copy"]) {
    await expect(billing.perTrail.getByRole("row", { name: new RegExp(`^${trail}`) })).toBeVisible();
  }
  for (const table of ["Per account", "Per Region", "Per line item"]) {
    await expect(page.getByRole("table", { name: table })).toBeVisible();
  }
  await expect(billing.costChart.locator("svg")).toBeVisible();
  await expect(page.getByTestId("window")).toContainText(/Volumes measured over/);

  // The duplicate trail's paid copies: a line that opens (by keyboard) to its formula.
  const paid = billing.lines.locator("details").filter({ hasText: /security-team-copy .* paid copies \(2nd copy\)/ }).first();
  await paid.locator("summary").focus();
  await page.keyboard.press("Enter");
  await expect(paid.locator(".formula")).toBeVisible();
  await expect(paid.locator(".formula")).toHaveText(/^security-team-copy in us-west-2: .* management events, 2nd copy → .* × \$2\.00\/100k = \$[\d,]+\.\d\d$/);
  await expect(paid).toContainText("AWS pricing page or documentation");

  await expect(billing.saving("security-team-copy")).toBeVisible();
});

test("turning the duplicate trail off in what-if lowers the total by its saving, with no request", async ({ page }) => {
  const billing = new BillingPage(page);
  await billing.open();
  const before = await BillingPage.micro(billing.total);
  const saving = await BillingPage.micro(billing.saving("security-team-copy"));
  expect(saving).toBeGreaterThan(0);
  const chartBefore = await billing.costChart.innerHTML();

  const requests: string[] = [];
  // Chromium asks for the tab's icon again on a history change; that is the browser, not the page's model.
  page.on("request", (r) => {
    if (new URL(r.url()).pathname !== "/favicon.svg") requests.push(`${r.method()} ${r.url()}`);
  });
  await billing.delivers("security-team-copy").uncheck();

  await expect(page).toHaveURL(/change=off%40arn%3Aaws%3Acloudtrail%3Aus-west-2%3A123456789012%3Atrail%2Fsecurity-team-copy/);
  await expect(billing.total).toHaveAttribute("data-micro-usd", String(before - saving));
  await expect(page.getByTestId("difference")).toHaveAttribute("data-micro-usd", String(-saving));
  // Its saving is gone (it is taken), the chart redrawn in the browser.
  await expect(billing.saving("security-team-copy")).toHaveCount(0);
  expect(await billing.costChart.innerHTML()).not.toEqual(chartBefore);
  expect(requests).toEqual([]);

  // The what-if is in the URL: loaded afresh, the server renders the same total.
  await page.reload();
  await expect(billing.total).toHaveAttribute("data-micro-usd", String(before - saving));
  await expect(billing.delivers("security-team-copy")).not.toBeChecked();
});
