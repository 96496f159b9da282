import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { LoginPage } from "./pages/login";

/** Pages visited per crawl at most: enough for every page the app has, with room to spare. */
const MAX_PAGES = 40;
/** Link shapes visited per path at most: Events alone links dozens of filter combinations. */
const MAX_SHAPES_PER_PATH = 4;
/** What axe may not find on any page. */
const BLOCKING = new Set(["serious", "critical"]);

/** A link's shape: its path and the names (not the values) of its query keys, so that a crawl visits
 * `/events?range=7d` and not also `/events?range=24h`, but does visit `/events?range=7d&user=…`. */
function shape(url: URL): string {
  const keys = [...new Set(url.searchParams.keys())].sort();
  return `${url.pathname}?${keys.join("&")}`;
}

/**
 * Follows every same-origin link reachable from `/` as whoever `page` is logged in as, one page per link
 * shape (and a few shapes per path), and returns what went wrong: 4xx/5xx answers (the page's own and every request it makes), console
 * errors, uncaught exceptions, and axe-core's serious or critical violations. Links that download (exports)
 * are fetched, not opened. Returns the paths visited too.
 */
async function crawl(page: Page): Promise<{ visited: string[]; problems: string[] }> {
  const problems: string[] = [];
  let current = "";
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${current}: console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${current}: uncaught: ${error.message}`));
  page.on("response", (response) => {
    if (response.url().startsWith(baseURL) && response.status() >= 400) {
      problems.push(`${current}: ${response.status()} from ${response.url()}`);
    }
  });

  const seen = new Set<string>();
  const shapesOfPath = new Map<string, number>();
  const queue: URL[] = [new URL("/", baseURL)];
  const visited: string[] = [];
  seen.add(shape(queue[0]));
  while (queue.length > 0 && visited.length < MAX_PAGES) {
    const url = queue.shift() as URL;
    current = url.pathname + url.search;
    visited.push(current);
    await page.goto(current, { waitUntil: "networkidle" });
    const links = await page
      .locator("a[href]")
      .evaluateAll((anchors) =>
        anchors.map((a) => ({ href: (a as HTMLAnchorElement).href, download: a.hasAttribute("download") })),
      );
    for (const link of links) {
      const target = new URL(link.href);
      target.hash = "";
      if (target.origin !== new URL(baseURL).origin || seen.has(shape(target))) continue;
      seen.add(shape(target));
      if (link.download || target.pathname.startsWith("/api/")) {
        const answer = await page.request.get(target.href);
        if (answer.status() >= 400) problems.push(`${current}: link ${target.pathname}${target.search}: ${answer.status()}`);
      } else if ((shapesOfPath.get(target.pathname) ?? 0) < MAX_SHAPES_PER_PATH) {
        shapesOfPath.set(target.pathname, (shapesOfPath.get(target.pathname) ?? 0) + 1);
        queue.push(target);
      }
    }
    // Also the experimental check that a control's accessible name holds its visible text (WCAG 2.5.3).
    const axe = await new AxeBuilder({ page })
      .options({ rules: { "label-content-name-mismatch": { enabled: true } } })
      .analyze();
    for (const violation of axe.violations.filter((v) => BLOCKING.has(v.impact ?? ""))) {
      const where = violation.nodes.map((n) => n.target.join(" ")).join(" | ");
      problems.push(`${current}: axe ${violation.impact} ${violation.id} (${violation.nodes.length}): ${where}`);
    }
  }
  return { visited, problems };
}

/** A browser context logged in as a new viewer the admin (`page`'s session) adds through the admin API. */
async function newViewer(browser: Browser, admin: Page): Promise<Page> {
  const name = `crawl-viewer-${Date.now()}`;
  const added = await admin.request.post("/api/admin/users/add", {
    form: { name, role: "viewer" },
    headers: { Origin: baseURL },
  });
  expect(added.status(), await added.text()).toBe(200);
  const { secret } = (await added.json()) as { secret: string };
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/");
  await new LoginPage(page).logIn(name, secret);
  await expect(page.getByText(`${name} (viewer)`)).toBeVisible();
  return page;
}

test.describe("every page and every link", () => {
  test.setTimeout(600_000);

  test("as an admin: every link answers, no console error, no serious accessibility violation", async ({ page }) => {
    const { visited, problems } = await crawl(page);
    expect(problems).toEqual([]);
    expect(visited).toEqual(expect.arrayContaining(["/settings", "/trails", "/billing"]));
    expect(visited.some((v) => v.startsWith("/events/event?id=")), "an event's page is reached").toBe(true);
    await page.goto("/trails");
    await expect(page.getByRole("button", { name: "Refresh now" })).toBeVisible();
  });

  test("as a viewer: the same, and no admin-only control is offered", async ({ browser, page }) => {
    const viewer = await newViewer(browser, page);
    const { visited, problems } = await crawl(viewer);
    expect(problems).toEqual([]);
    expect(visited).toContain("/trails");
    expect(visited.filter((v) => v.startsWith("/settings"))).toEqual([]);
    await viewer.goto("/trails");
    await expect(viewer.getByRole("heading", { name: "Trails", level: 1 })).toBeVisible();
    await expect(viewer.getByRole("button", { name: "Refresh now" })).toHaveCount(0);
    await viewer.context().close();
  });

  test("the demo has no AWS account, so Events does not offer to ask Event History live", async ({ page }) => {
    await page.goto("/events?range=7d");
    await expect(page.getByTestId("event-total")).toBeVisible();
    await expect(page.getByRole("link", { name: "Ask Event History live" })).toHaveCount(0);
  });
});
