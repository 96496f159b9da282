// Serves the bound WASM bench (argument: its folder) on 127.0.0.1 and loads it in Debian's Chromium;
// prints the timings the page measured. Run by bench/billing.
const http = require("http");
const fs = require("fs");
const path = require("path");
const { chromium } = require("@playwright/test");

const dir = path.resolve(process.argv[2]);
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const server = http.createServer((req, res) => {
  const file = path.join(dir, path.normalize(new URL(req.url, "http://x").pathname === "/" ? "index.html" : req.url));
  if (!file.startsWith(dir) || !fs.existsSync(file)) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { "Content-Type": types[path.extname(file)] ?? "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});

server.listen(0, "127.0.0.1", async () => {
  const { port } = server.address();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    page.on("console", (m) => console.error(`browser: ${m.text()}`));
    await page.goto(`http://127.0.0.1:${port}/`);
    const result = await page.waitForFunction(() => window.benchResult, null, { timeout: 300_000 });
    console.log(JSON.stringify(await result.jsonValue(), null, 2));
  } finally {
    await browser.close();
    server.close();
  }
});
