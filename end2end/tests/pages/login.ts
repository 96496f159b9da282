import { expect, type Page } from "@playwright/test";

/** Page object of the login screen. */
export class LoginPage {
  constructor(readonly page: Page) {}

  async logIn(name: string, password: string) {
    await this.page.getByLabel("User name").fill(name);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Log in" }).click();
  }

  async expectShown() {
    await expect(this.page).toHaveURL(/\/login/);
    await expect(this.page.getByRole("heading", { name: "Log in to Trailscope" })).toBeVisible();
  }
}
