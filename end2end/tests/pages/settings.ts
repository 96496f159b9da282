import { expect, type Locator, type Page } from "@playwright/test";

/** Page object of the Settings screen (admins): users, API tokens, audit log. */
export class SettingsPage {
  readonly users: Locator;
  readonly tokens: Locator;
  readonly audit: Locator;
  readonly newSecret: Locator;

  constructor(readonly page: Page) {
    this.users = page.getByRole("table", { name: "Users" });
    this.tokens = page.getByRole("table", { name: "API tokens" });
    this.audit = page.getByRole("table", { name: "Audit log" });
    this.newSecret = page.getByTestId("new-secret");
  }

  async open() {
    await this.page.getByRole("link", { name: "Settings" }).click();
    await expect(this.page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  }

  /** Fills and submits one of the page's forms ("Add a user", "Create a token"). */
  async submit(form: string, fields: { name: string; role: string; expires?: string }, button: string) {
    const f = this.page.getByRole("form", { name: form });
    await f.getByLabel("Name").fill(fields.name);
    await f.getByLabel("Role").selectOption(fields.role);
    if (fields.expires) await f.getByLabel("Expires").selectOption({ label: fields.expires });
    await f.getByRole("button", { name: button }).click();
  }

  row(table: Locator, name: string): Locator {
    return table.getByRole("row").filter({ has: this.page.getByRole("cell", { name, exact: true }) });
  }
}
