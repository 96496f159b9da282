import { expect, test as setup } from "@playwright/test";
import { adminPassword, adminState } from "../playwright.config";
import { LoginPage } from "./pages/login";

setup("log in as the first admin", async ({ page }) => {
  await page.goto("/");
  const login = new LoginPage(page);
  await login.expectShown();
  await login.logIn("admin", adminPassword);
  await expect(page.getByRole("heading", { name: "Activity" })).toBeVisible();
  await page.context().storageState({ path: adminState });
});
