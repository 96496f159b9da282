import { expect, test } from "@playwright/test";
import { adminPassword } from "../playwright.config";
import { LoginPage } from "./pages/login";

test.use({ storageState: { cookies: [], origins: [] } });

test("without JavaScript the login form works too", async ({ page }) => {
  await page.goto("/?range=7d");
  const login = new LoginPage(page);
  await login.expectShown();
  await login.logIn("admin", "not the password");
  await login.expectShown();
  await expect(page.getByRole("alert")).toHaveText(/wrong user name or password/);
  await login.logIn("admin", adminPassword);
  await expect(page.getByRole("heading", { name: "Activity" })).toBeVisible();
});
