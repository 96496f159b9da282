import { expect, type Locator, type Page } from "@playwright/test";

/** Page object of the Activity screen. */
export class ActivityPage {
  readonly totalEvents: Locator;
  readonly totalErrors: Locator;
  readonly chart: Locator;
  readonly account: Locator;
  readonly region: Locator;
  readonly readWrite: Locator;
  readonly errorsOnly: Locator;

  constructor(readonly page: Page) {
    this.totalEvents = page.getByTestId("total-events");
    this.totalErrors = page.getByTestId("total-errors");
    this.chart = page.getByRole("img", { name: /Events per/ });
    this.account = page.getByLabel("Account");
    this.region = page.getByLabel("Region");
    this.readWrite = page.getByLabel("Read/write");
    this.errorsOnly = page.getByLabel("Errors only");
  }

  /** Opens the page and waits until the network is quiet, so the WebAssembly client has hydrated it (a filter
   * changed before that has no handler yet: the URL stays as it was). */
  async open(query = "") {
    await this.page.goto(`/${query}`, { waitUntil: "networkidle" });
    await expect(this.page.getByRole("heading", { name: "Activity" })).toBeVisible();
  }

  range(label: string): Locator {
    return this.page.getByRole("navigation", { name: "Time range" }).getByRole("link", { name: label, exact: true });
  }

  topTable(title: string): Locator {
    return this.page.getByRole("table", { name: title });
  }

  /** A displayed count such as "12,345" as a number. */
  static number(text: string | null): number {
    return Number((text ?? "").replace(/,/g, ""));
  }
}
