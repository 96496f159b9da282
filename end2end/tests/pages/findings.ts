import { expect, type Locator, type Page } from "@playwright/test";

/** Page object of the Findings screen: the findings table, one finding opened, and its triage form. */
export class FindingsPage {
  readonly table: Locator;
  readonly triage: Locator;
  readonly triageForm: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole("table", { name: "Findings" });
    this.triage = page.getByTestId("triage");
    this.triageForm = page.getByRole("form", { name: "Triage this finding" });
  }

  async open(query = "") {
    await this.page.goto(`/findings${query}`);
    await expect(this.page.getByRole("heading", { name: "Findings", level: 1 })).toBeVisible();
  }

  /** Reloads until the server has evaluated the demo (it does so once it has ingested it) and `title` is listed. */
  async waitFor(title: string) {
    await expect(async () => {
      await this.page.reload();
      await expect(this.row(title)).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 120_000 });
  }

  /** The row of the rule titled `title`. */
  row(title: string): Locator {
    return this.table.getByRole("row").filter({ has: this.page.getByRole("link", { name: title, exact: true }) });
  }

  /** The evidence table of the opened finding titled `title`. */
  evidence(title: string): Locator {
    return this.page.getByRole("table", { name: `Evidence of ${title}` });
  }
}
