import { expect, type Locator, type Page } from "@playwright/test";

/** Page object of the Billing screen. */
export class BillingPage {
  readonly total: Locator;
  readonly savings: Locator;
  readonly whatIf: Locator;
  readonly perTrail: Locator;
  readonly lines: Locator;
  readonly costChart: Locator;

  constructor(readonly page: Page) {
    this.total = page.getByTestId("billing-total");
    this.savings = page.getByRole("region", { name: "Savings" });
    this.whatIf = page.getByRole("region", { name: "What if" });
    this.perTrail = page.getByRole("table", { name: "Per trail" });
    this.lines = page.getByTestId("lines");
    this.costChart = page.getByRole("img", { name: /Monthly cost per trail/ });
  }

  /** Opens the page and waits until the network is quiet, so the WebAssembly client has hydrated it. */
  async open(query = "") {
    await this.page.goto(`/billing${query}`, { waitUntil: "networkidle" });
    await expect(this.page.getByRole("heading", { name: "Billing", level: 1 })).toBeVisible();
  }

  /** An amount the page shows, in micro-dollars (its `data-micro-usd`), exact where the text is rounded. */
  static async micro(amount: Locator): Promise<number> {
    return Number(await amount.getAttribute("data-micro-usd"));
  }

  /** The saving proposed for a trail. */
  saving(trail: string): Locator {
    return this.savings.locator(`li[data-trail="${trail}"]`).getByTestId("saving");
  }

  /** The what-if field scoping a trail's data rule (numbered from 1) to named buckets or ARNs. */
  scope(trail: string, rule: number, resourceType: string): Locator {
    const what = resourceType === "AWS::S3::Object" ? "buckets" : "ARNs";
    return this.whatIf.getByRole("combobox", { name: `${trail} data rule ${rule} (${resourceType}): only these ${what}` });
  }

  /** The section setting the estimate beside CloudTrail's bill. */
  get againstBill(): Locator {
    return this.page.getByRole("region", { name: "Estimate against the bill" });
  }

  /** The what-if checkbox that turns a trail's delivery on and off. */
  delivers(trail: string): Locator {
    return this.whatIf.getByRole("checkbox", { name: `${trail} delivers events` });
  }
}
