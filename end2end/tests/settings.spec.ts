import { expect, test } from "@playwright/test";
import { LoginPage } from "./pages/login";
import { SettingsPage } from "./pages/settings";

test("an admin creates an API token, sees it once, scripts with it and revokes it", async ({ page, request }) => {
  await page.goto("/");
  const settings = new SettingsPage(page);
  await settings.open();
  await expect(settings.row(settings.users, "admin")).toBeVisible();

  await settings.submit("Create a token", { name: "e2e-script", role: "viewer", expires: "in 30 days" }, "Create token");
  await expect(settings.newSecret).toHaveText(/^tsk_[0-9a-f]{64}$/);
  const token = (await settings.newSecret.textContent()) ?? "";
  const row = settings.row(settings.tokens, "e2e-script");
  await expect(row).toContainText(token.slice(0, 8));
  await expect(row).not.toContainText(token);

  const asScript = { headers: { Authorization: `Bearer ${token}` } };
  const choices = await request.get("/api/activity/choices", asScript);
  expect(choices.status()).toBe(200);
  expect((await choices.json()).accounts.length).toBeGreaterThan(0);

  await row.getByRole("button", { name: "Revoke token e2e-script" }).click();
  await expect(row).toHaveCount(0);
  expect((await request.get("/api/activity/choices", asScript)).status()).toBe(401);
  await expect(settings.audit.getByRole("row").nth(1)).toContainText("token.revoke");
  await expect(settings.audit).toContainText("token.add");
});

test("a user an admin adds logs in with the shown password and sees no Settings", async ({ page, browser }) => {
  await page.goto("/");
  const settings = new SettingsPage(page);
  await settings.open();
  await settings.submit("Add a user", { name: "e2e-viewer", role: "viewer" }, "Add user");
  await expect(settings.newSecret).toHaveText(/^[A-Za-z0-9]{24}$/);
  const password = (await settings.newSecret.textContent()) ?? "";
  await expect(settings.row(settings.users, "e2e-viewer")).toContainText("viewer");

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewerPage = await context.newPage();
  await viewerPage.goto("/");
  await new LoginPage(viewerPage).logIn("e2e-viewer", password);
  await expect(viewerPage.getByText("e2e-viewer (viewer)")).toBeVisible();
  await expect(viewerPage.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await viewerPage.goto("/settings");
  await expect(viewerPage.getByRole("alert").first()).toContainText("not allowed");
  await context.close();

  await page.reload();
  await expect(settings.audit).toContainText("e2e-viewer");
});

test("Settings shows the store's files with their schema versions", async ({ page }) => {
  await page.goto("/settings");
  const store = page.getByRole("table", { name: "Store" });
  await expect(store.getByRole("row", { name: /trailscope\.db/ })).toContainText(/\d+ MB/);
  await expect(store.getByRole("row", { name: /trailscope-auth\.db/ })).toBeVisible();
});
