// bench/first-load's browser half: node bench/first_load.js BASE_URL USER PASSWORD RTT_MS MBIT_S
// Prints one line: the login page on an empty cache, and Activity on an empty cache with a session, each the
// median of 5 runs of ms to `networkidle`, bytes on the wire (encoded) and requests.
const path = require("path");
const { chromium } = require(path.join(__dirname, "..", "end2end", "node_modules", "playwright"));

const [base, user, password, rttArg, mbitArg] = process.argv.slice(2);
const rtt = Number(rttArg), mbit = Number(mbitArg), RUNS = 5;

/** A page of `context` whose traffic is throttled to the profile and counted. */
async function throttledPage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const bytesPerSecond = (mbit * 1e6) / 8;
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: rtt, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond,
  });
  const traffic = { bytes: 0, requests: 0 };
  cdp.on("Network.loadingFinished", (e) => { traffic.bytes += e.encodedDataLength; traffic.requests += 1; });
  return { page, traffic };
}

/** Milliseconds until `url` has loaded and the network is idle, with the traffic it took. */
async function timedLoad(context, url) {
  const { page, traffic } = await throttledPage(context);
  const start = Date.now();
  await page.goto(url, { waitUntil: "networkidle" });
  return { page, ms: Date.now() - start, traffic };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const login = [], activity = [];
  for (let run = 0; run < RUNS; run++) {
    const fresh = await browser.newContext();
    const first = await timedLoad(fresh, `${base}/login`);
    login.push(first);
    await first.page.getByLabel("User name").fill(user);
    await first.page.getByLabel("Password").fill(password);
    await Promise.all([
      first.page.waitForURL((url) => !url.pathname.startsWith("/login")),
      first.page.getByRole("button", { name: "Log in" }).click(),
    ]);
    const session = await fresh.storageState();
    await fresh.close();
    const returning = await browser.newContext({ storageState: session });
    const landed = await timedLoad(returning, `${base}/`);
    if (!(await landed.page.getByRole("heading", { name: "Activity" }).isVisible())) {
      throw new Error("the session did not open Activity");
    }
    activity.push(landed);
    await returning.close();
  }
  await browser.close();
  const line = (runs) =>
    `${median(runs.map((r) => r.ms))} ms, ${median(runs.map((r) => r.traffic.bytes))} bytes, ` +
    `${median(runs.map((r) => r.traffic.requests))} requests`;
  console.log(`RTT ${rtt} ms, ${mbit} Mbit/s: login (empty cache) ${line(login)}; Activity (empty cache) ${line(activity)}`);
})().catch((error) => { console.error(error); process.exit(1); });
