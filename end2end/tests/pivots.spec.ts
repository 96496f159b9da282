import { expect, test, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

// An account the demo never uses, so every search below sees this test's events and no others' pages.
const account = "135792468024";
const DAY = 86_400_000;

/** `2026-08-03T09:30:00Z`, as CloudTrail writes eventTime. */
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** A record shaped like CloudTrail's (User Guide, "CloudTrail record contents"): a role session's S3 call. */
function record(id: string, ms: number, session: string, key: string, eventName: string, readOnly: boolean) {
  return {
    eventVersion: "1.10",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROAEXAMPLEDEPLOYER:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/Deployer/${session}`,
      accountId: account,
      accessKeyId: key,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROAEXAMPLEDEPLOYER",
          arn: `arn:aws:iam::${account}:role/ci/Deployer`,
          accountId: account,
          userName: "Deployer",
        },
        attributes: { creationDate: iso(ms - 60_000), mfaAuthenticated: "false" },
      },
    },
    eventTime: iso(ms),
    eventSource: "s3.amazonaws.com",
    eventName,
    awsRegion: "eu-west-1",
    sourceIPAddress: "198.51.100.42",
    userAgent: "aws-cli/2.15.0",
    requestParameters: { bucketName: "e2e-release-artifacts" },
    responseElements: null,
    requestID: randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase(),
    eventID: id,
    readOnly,
    resources: [{ accountId: account, type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::e2e-release-artifacts" }],
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
  };
}

/** Writes `records` as one gzip log file at its CloudTrail key below `root`. */
function writeLog(root: string, ms: number, records: object[]) {
  const [y, m, d] = iso(ms).slice(0, 10).split("-");
  const hhmm = iso(ms).slice(11, 16).replace(":", "");
  const name = `${account}_CloudTrail_eu-west-1_${y}${m}${d}T${hhmm}Z_${randomUUID().slice(0, 16)}.json.gz`;
  const path = join(root, "AWSLogs", account, "CloudTrail", "eu-west-1", y, m, d, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
}

/** Whether the Events page now shown lists `id`, following "next page" links until it does or they end. */
async function listsEvent(page: Page, id: string): Promise<boolean> {
  for (let pages = 0; pages < 50; pages++) {
    await expect(page.getByTestId("event-total")).toBeVisible();
    if ((await page.locator(`tr[data-event-id="${id}"]`).count()) > 0) return true;
    const next = page.getByTestId("next-page");
    const href = (await next.count()) > 0 ? await next.getAttribute("href") : null;
    if (!href) return false;
    await page.goto(href);
  }
  return false;
}

test("every link on a 90-day-old event's page leads to a search that contains it", async ({ page }) => {
  // The archive: the old event, the same session an hour later, and another session of the role.
  const old = Math.floor((Date.now() - 90 * DAY) / 60_000) * 60_000;
  const id = randomUUID();
  const root = mkdtempSync(join(tmpdir(), "trailscope-pivots-"));
  try {
    writeLog(root, old, [
      record(id, old, "release-4711", "ASIAEXAMPLEE2E00001", "PutBucketPolicy", false),
      record(randomUUID(), old + 3_600_000, "release-4711", "ASIAEXAMPLEE2E00001", "GetBucketPolicy", true),
      record(randomUUID(), old + 2 * 3_600_000, "release-4712", "ASIAEXAMPLEE2E00002", "PutBucketTagging", false),
    ]);
    // `serve` and `ingest` share the store in .data (the server's data directory in playwright.config.ts).
    const end2end = resolve(__dirname, "..");
    execFileSync(join(end2end, "..", "target", "release", "trailscope"), ["ingest", root], {
      cwd: end2end,
      env: { ...process.env, TRAILSCOPE_DATA_DIR: ".data" },
      stdio: "pipe",
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  const eventPage = `/events/event?id=${id}`;
  await page.goto(eventPage);
  await expect(page.getByTestId("event-title")).toContainText("PutBucketPolicy");
  const regions = ["Pivots", "Identity chain", "Resources"];
  const links: string[] = [];
  for (const name of regions) {
    const hrefs = await page
      .getByRole("region", { name })
      .locator("a[href]")
      .evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href") ?? ""));
    expect(hrefs.length, `links in ${name}`).toBeGreaterThan(0);
    links.push(...hrefs);
  }
  // Identity ×3, access key, source IP, resource ×2, account; session, role, key, account; the bucket.
  expect(links.length).toBeGreaterThanOrEqual(12);
  const pivots = page.getByRole("region", { name: "Pivots" });
  await expect(pivots.getByRole("link", { name: /±15 minutes$/ }).first()).toBeVisible();
  await expect(pivots.getByRole("link", { name: /±7 days$/ }).first()).toBeVisible();
  await expect(pivots.getByRole("link", { name: /all time$/ }).first()).toBeVisible();

  for (const href of links) {
    expect(href, "a link to the Events explorer").toMatch(/^\/events\?/);
    expect(href, "never relative to now").not.toMatch(/range=(30m|1h|3h|12h|24h|7d|30d)(&|$)/);
    const response = await page.goto(href);
    expect(response?.ok(), `${href} answers`).toBe(true);
    expect(await listsEvent(page, id), `${href} lists the event`).toBe(true);
    if (href.includes("user=") || href.includes("key=")) expect(href).toContain(`account=${account}`);
  }

  // The role's link finds both sessions of the role, which the role's own ARN never would.
  await page.goto(eventPage);
  await page.getByRole("region", { name: "Identity chain" }).getByRole("link", { name: /role\/ci\/Deployer/ }).click();
  await expect(page).toHaveURL(/role=arn%3Aaws%3Aiam%3A%3A135792468024%3Arole%2Fci%2FDeployer/);
  await expect(page.getByTestId("event-total")).toHaveText("3");
});
