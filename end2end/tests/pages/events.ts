import { expect, type Locator, type Page } from "@playwright/test";

/** Page object of the Events explorer, one event's page and the compare page. */
export class EventsPage {
  readonly total: Locator;
  readonly table: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.total = page.getByTestId("event-total");
    this.table = page.locator("table.events-table");
    this.rows = this.table.locator("tbody tr[data-event-id]");
  }

  async open(query = "") {
    await this.page.goto(`/events${query}`);
    await expect(this.page.getByRole("heading", { name: "Events", level: 1 })).toBeVisible();
  }

  /** Types into a filter box by its URL key (opening "More filters" when it is there). */
  async filter(key: string, value: string) {
    const input = this.page.getByTestId(`filter-${key}`);
    if (!(await input.isVisible())) await this.page.getByText("More filters").click();
    await input.fill(value);
  }

  async errorsOnly() {
    if (!(await this.page.getByLabel("Errors only").isVisible())) await this.page.getByText("More filters").click();
    await this.page.getByLabel("Errors only").check();
  }

  async search() {
    await this.page.getByTestId("apply-filters").click();
  }

  /** The text of one column for every row shown. */
  async column(heading: string): Promise<string[]> {
    const headings = await this.table.locator("thead th").allInnerTexts();
    const index = headings.findIndex((h) => h.trim() === heading);
    if (index < 0) throw new Error(`no column ${heading} in ${headings.join(", ")}`);
    return this.rows.locator(`td:nth-child(${index + 1})`).allInnerTexts();
  }
}
