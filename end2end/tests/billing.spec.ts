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

  // The what-if is in the URL: loaded afresh, the server renders the same total. The 30-day window ends at
  // "now", so a reload seconds later may move the rates by a few micro-dollars: the total is the one with the
  // trail off (within 1% of its saving), far from the total with it on.
  await page.reload();
  await expect(billing.delivers("security-team-copy")).not.toBeChecked();
  const reloaded = await BillingPage.micro(billing.total);
  expect(Math.abs(reloaded - (before - saving))).toBeLessThan(saving / 100);
});

test("without a configured account the page says why there is no bill beside the estimate", async ({ page }) => {
  const billing = new BillingPage(page);
  await billing.open();
  await expect(billing.againstBill.getByTestId("no-bill")).toContainText("No AWS account is configured");
  await expect(billing.againstBill.getByTestId("no-bill")).toContainText("cost_explorer = true");
  await expect(billing.againstBill.getByRole("table")).toHaveCount(0);
});

test("scoping a data rule to one bucket in what-if lowers the total, with no request", async ({ page }) => {
  const billing = new BillingPage(page);
  await billing.open();
  const before = await BillingPage.micro(billing.total);
  const requests: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname !== "/favicon.svg") requests.push(`${r.method()} ${r.url()}`);
  });
  const scope = billing.scope("s3-lambda-data-events", 1, "AWS::S3::Object");
  await scope.fill("orders-data-prod");
  await scope.press("Enter");

  await expect(page).toHaveURL(/change=data%3A0%3Aonly%3Dorders(-|%2D)data(-|%2D)prod%40arn%3Aaws%3Acloudtrail%3Aus(-|%2D)east(-|%2D)1%3A123456789012%3Atrail%2Fs3(-|%2D)lambda(-|%2D)data(-|%2D)events/);
  await expect(page.getByTestId("difference")).toHaveAttribute("data-micro-usd", /^-\d+$/);
  const after = await BillingPage.micro(billing.total);
  expect(after).toBeLessThan(before);
  expect(after - before).toEqual(await BillingPage.micro(page.getByTestId("difference")));
  expect(requests).toEqual([]);

  // Shared by its URL: the server renders the scoped total and the field shows the scope. The 30-day window
  // ends at "now", so the rates move by a few micro-dollars in the seconds between the two renders: the total
  // is the scoped one (far from the unscoped), not the same to the micro-dollar.
  await page.reload();
  const reloaded = await BillingPage.micro(billing.total);
  expect(Math.abs(reloaded - after)).toBeLessThan((before - after) / 100);
  await expect(billing.scope("s3-lambda-data-events", 1, "AWS::S3::Object")).toHaveValue("orders-data-prod");
});

test("the events per day that drive the estimate are charted, with a table", async ({ page }) => {
  const billing = new BillingPage(page);
  await billing.open();
  const chart = page.getByRole("img", { name: /^Events per day by kind over \d+ days/ });
  await expect(chart.locator("svg")).toBeVisible();
  await page.getByText("Events per day as a table").click();
  const rows = page.getByTestId("daily-table").locator("tbody tr");
  expect(await rows.count()).toBeGreaterThan(0);
  await expect(rows.first().getByRole("rowheader")).toHaveText(/^\d{4}-\d\d-\d\d$/);
});
