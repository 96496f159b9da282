import { expect, test } from "@playwright/test";
import { adminPassword } from "../playwright.config";
import { LoginPage } from "./pages/login";

test.use({ storageState: { cookies: [], origins: [] } });

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  const login = new LoginPage(page);
  await login.logIn("admin", "not the password");
  await expect(page.getByRole("alert")).toHaveText(/wrong user name or password/);
  await login.expectShown();
});

test("log in, see Activity, log out and be sent to login", async ({ page, request }) => {
  await page.goto("/?range=24h");
  const login = new LoginPage(page);
  await login.expectShown();
  await login.logIn("admin", adminPassword);
  await expect(page).toHaveURL(/\/\?range=24h$/);
  await expect(page.getByRole("heading", { name: "Activity" })).toBeVisible();
  await expect(page.getByText("admin (admin)")).toBeVisible();

  await page.getByRole("button", { name: "Log out" }).click();
  await login.expectShown();
  await page.goto("/");
  await login.expectShown();
  expect((await request.get("/api/activity/timeline?range=all")).status()).toBe(401);
});
