import { expect, type Locator, type Page } from "@playwright/test";

/** Page object of the Integrity screen. */
export class IntegrityPage {
  readonly problems: Locator;
  readonly hours: Locator;
  readonly stretches: Locator;
  readonly validate: Locator;
  readonly progress: Locator;
  readonly validatedAt: Locator;

  constructor(readonly page: Page) {
    this.problems = page.getByRole("region", { name: "Problems" });
    this.hours = page.getByRole("table", { name: /by UTC day and hour$/ });
    this.stretches = page.getByRole("table", { name: /as stretches$/ });
    this.validate = page.getByRole("button", { name: "Validate everything now" });
    this.progress = page.getByTestId("integrity-progress");
    this.validatedAt = page.getByTestId("validated-at");
  }

  async open(query = "") {
    await this.page.goto(`/integrity${query}`);
    await expect(this.page.getByRole("heading", { name: "Integrity", level: 1 })).toBeVisible();
  }

  /** Reloads until a validation is stored: the server validates the demo's digests once it has started. */
  async waitForValidation() {
    await expect(async () => {
      await this.page.reload();
      await expect(this.validatedAt.first()).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 180_000 });
  }

  /** The problem rows that name `key`. */
  problem(key: string | RegExp): Locator {
    return this.problems.getByRole("row").filter({ hasText: key });
  }

  /** The link of a chain (`ACCOUNT REGION TRAIL`) in an archive's table of chains. */
  chain(label: string): Locator {
    return this.page.getByRole("link", { name: label, exact: true });
  }
}
