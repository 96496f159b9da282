import { expect, test } from "@playwright/test";
import { TrailsPage } from "./pages/trails";

const prod = "123456789012";
const staging = "210987654321";
const dev = "444455556666";

test("the matrix shows the demo's planted problems", async ({ page }) => {
  const trails = new TrailsPage(page);
  await trails.open();
  await expect(trails.cell(prod, "us-east-1")).toHaveAccessibleName(/: covered$/);
  await expect(trails.cell(staging, "us-east-1")).toHaveAccessibleName(/: not covered$/);
  await expect(trails.cell(dev, "eu-west-1")).toHaveAccessibleName(/: not covered$/);
  await expect(trails.cell(dev, "us-west-2")).toHaveAccessibleName(/: stale delivery$/);
  await expect(trails.cell(dev, "af-south-1")).toHaveAccessibleName(/: Region not enabled$/);
  await expect(trails.gaps).toContainText("AccessDenied");
  await expect(trails.gaps).toContainText("security-team-copy");
  const cell = (name: string) => page.getByRole("cell", { name, exact: true });
  const staging31 = trails.cis.getByRole("row").filter({ has: cell(staging) }).filter({ has: cell("3.1") });
  await expect(staging31.getByRole("cell", { name: "fail", exact: true })).toBeVisible();
});

test("a cell opens its trails, and a trail shows its selectors decoded beside the raw JSON", async ({ page }) => {
  const trails = new TrailsPage(page);
  await trails.open();
  await trails.cell(prod, "us-west-2").click();
  await expect(page).toHaveURL(/cell=123456789012%2Fus-west-2/);
  await expect(trails.selectedCell).toContainText("security-team-copy");
  await trails.selectedCell.getByRole("link", { name: "s3-lambda-data-events" }).click();

  await expect(page).toHaveURL(/\/trails\/trail\?arn=/);
  await expect(page.getByRole("heading", { name: "Trail s3-lambda-data-events" })).toBeVisible();
  const decoded = page.getByTestId("decoded-selectors");
  await expect(decoded).toContainText("No management events");
  await expect(decoded).toContainText(/S3 objects/);
  await expect(decoded).toContainText(/Lambda functions/);
  await page.getByText("Raw JSON").click();
  await expect(page.locator(".raw-json pre")).toContainText('"FieldSelectors"');
});
