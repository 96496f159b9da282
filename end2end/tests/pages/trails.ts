import { expect, type Locator, type Page } from "@playwright/test";

/** Page object of the Trails screen and of one trail's page. */
export class TrailsPage {
  readonly matrix: Locator;
  readonly gaps: Locator;
  readonly cis: Locator;
  readonly selectedCell: Locator;

  constructor(readonly page: Page) {
    this.matrix = page.getByRole("table", { name: "Coverage by Region and account" });
    this.gaps = page.getByRole("region", { name: "Coverage gaps and limits" });
    this.cis = page.getByRole("table", { name: /CIS AWS Foundations/ });
    this.selectedCell = page.getByRole("region", { name: "Selected cell" });
  }

  async open() {
    await this.page.goto("/trails");
    await expect(this.page.getByRole("heading", { name: "Trails", level: 1 })).toBeVisible();
  }

  /** The matrix cell of an account and Region (its link's accessible name starts with both). */
  cell(account: string, region: string): Locator {
    return this.matrix.getByRole("link", { name: new RegExp(`^${account} ${region}: `) });
  }
}
