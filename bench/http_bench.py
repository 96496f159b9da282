#!/usr/bin/env python3
"""Latency of what a user gets, over HTTP: logs in through the login route as a viewer (keeping the session
cookie, as a browser does), then times the requests the Events and Activity pages make, event detail, the
billing estimate and the two pages' HTML. Prints p50/p95/p99 in milliseconds per request.

Usage: bench/http_bench.py BASE_URL STORE_DB USER PASSWORD [--only SUBSTRING | --plan SESSIONS]
(--plan: print the requests and SESSIONS more session cookies instead, for bench/load.)
STORE_DB (trailscope.db) is read, read-only, to pick the busiest identity, IP, event source, account and resource
ARN as filter values, the same way for every run. Standard library only."""
import http.client
import json
import re
import sqlite3
import sys
import time
import urllib.parse

# Per request: at least MIN_SAMPLES timed runs after WARMUP, at most MAX_SAMPLES, and no more once BUDGET_SECS
# of timed runs are spent (the slow ones get fewer samples; the count is printed).
WARMUP, MIN_SAMPLES, MAX_SAMPLES, BUDGET_SECS = 2, 5, 41, 15.0


def percentile(sorted_ms, p):
    """Nearest rank on a sorted list."""
    return sorted_ms[min(len(sorted_ms) - 1, max(0, round((len(sorted_ms) - 1) * p)))]


class Client:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.host, self.port, self.origin = url.hostname, url.port, f"{url.scheme}://{url.netloc}"
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        self.cookie = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def login(self, user, password):
        body = urllib.parse.urlencode({"username": user, "password": password, "next": "/"})
        response, _ = self.request(
            "POST",
            "/api/auth/login",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin},
        )
        cookie = response.getheader("Set-Cookie")
        if response.status >= 400 or not cookie:
            sys.exit(f"login as {user} failed: HTTP {response.status}")
        self.cookie = cookie.split(";", 1)[0]

    def get(self, path, accept="application/json"):
        response, body = self.request("GET", path, headers={"Accept": accept})
        if response.status != 200:
            sys.exit(f"GET {path}: HTTP {response.status}: {body[:300]!r}")
        return body


def busiest(db, sql):
    return db.execute(sql).fetchone()[0]


def filter_values(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    top = lambda column: busiest(
        db,
        f"""SELECT s.value FROM (SELECT {column} AS v FROM events WHERE id % 97 = 0 AND {column} IS NOT NULL
            GROUP BY v ORDER BY count(*) DESC LIMIT 1) JOIN strings s ON s.id = v""",
    )
    values = {c: top(c) for c in ("identity_name", "source_ip", "event_source", "account")}
    # event_resources keeps ARNs reversed (app/src/ssr/store/resource_arn.rs).
    values["resource"] = busiest(
        db,
        "SELECT arn_reversed FROM event_resources WHERE event % 97 = 0 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )[::-1]
    # A bare name a user would type: the busiest resource's bucket or function name (its last part).
    values["resource_name"] = re.split(r"[/:]", values["resource"])[-1]
    values["events"] = busiest(db, "SELECT max(id) FROM events")
    return values


def q(**pairs):
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def requests(client, v, details=1):
    """The timed requests as (label, path, Accept), with event detail for `details` events of a 7-day page."""
    searches = [
        ("default: 24h, read-only hidden", q()),
        ("7d, read-only hidden", q(range="7d")),
        ("30d, everything", q(range="30d", rw="all")),
        ("30d, event name ConsoleLogin", q(range="30d", name="ConsoleLogin")),
        ("30d, the busiest identity", q(range="30d", rw="all", user=v["identity_name"])),
        ("30d, the busiest source IP", q(range="30d", ip=v["source_ip"])),
        ("7d, errors only", q(range="7d", errors="1")),
        (
            "7d, account + Region + event source",
            q(range="7d", account=v["account"], region="us-east-1", source=v["event_source"]),
        ),
        ('24h, user agent contains "python"', q(rw="all", agent="python")),
        ("30d, the busiest resource ARN", q(range="30d", rw="all", resource=v["resource"])),
        ("30d, that resource by its bare name", q(range="30d", rw="all", resource=v["resource_name"])),
        ("all, category data", q(range="all", rw="all", category="data")),
    ]
    # The Events page asks one server function for the page and its total (`search_events`).
    found = [(f"search: {label}", f"/api/events/search{query}", "application/json") for label, query in searches]
    page = json.loads(client.get("/api/events/search?range=7d&rw=all"))
    middle = len(page["events"]) // 2
    for event in (page["events"] + page["events"])[middle : middle + details]:
        path = f"/api/events/event?id={urllib.parse.quote(event['event_id'])}"
        found.append(("event detail", path, "application/json"))
    for r in ("24h", "7d", "30d", "all"):
        found.append((f"activity timeline {r}", f"/api/activity/timeline?range={r}", "application/json"))
    for r in ("24h", "7d", "30d", "all"):
        found.append((f"activity top-10 {r}", f"/api/activity/top?range={r}", "application/json"))
    return found + [
        ("billing estimate", "/api/billing/estimate", "application/json"),
        ("findings summary (Activity's line)", "/api/findings/summary", "application/json"),
        ("findings report (Findings page)", "/api/findings", "application/json"),
        ("Activity page HTML (7d)", "/", "text/html"),
        ("Events page HTML (24h)", "/events", "text/html"),
        ("Findings page HTML", "/findings", "text/html"),
    ]

def main():
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        i = args.index("--only")
        only = args[i + 1]
        del args[i : i + 2]
    plan = None
    if "--plan" in args:
        i = args.index("--plan")
        plan = int(args[i + 1])
        del args[i : i + 2]
    base, db_path, user, password = args
    v = filter_values(db_path)
    client = Client(base)
    client.login(user, password)
    if plan is not None:
        # For bench/load: the events stored as "events N", PLAN more sessions, one a line as "cookie VALUE",
        # then the requests as "label<TAB>accept<TAB>path", with event detail for the 50 events of a page.
        print(f"events {v['events']}")
        for _ in range(plan):
            other = Client(base)
            other.login(user, password)
            print(f"cookie {other.cookie}")
        for label, path, accept in requests(client, v, details=50):
            print(f"{label}\t{accept}\t{path}")
        return
    print(f"store: {v['events']:,} events, {db_path}")
    print(f"{'request':<52} {'n':>3} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'bytes':>9}")
    for label, path, accept in requests(client, v):
        if only and only not in label:
            continue
        for _ in range(WARMUP):
            body = client.get(path, accept)
        samples, spent = [], 0.0
        while len(samples) < MAX_SAMPLES and (len(samples) < MIN_SAMPLES or spent < BUDGET_SECS):
            started = time.perf_counter()
            body = client.get(path, accept)
            elapsed = time.perf_counter() - started
            spent += elapsed
            samples.append(elapsed * 1000)
        samples.sort()
        p50, p95, p99 = (percentile(samples, p) for p in (0.5, 0.95, 0.99))
        print(f"{label:<52} {len(samples):>3} {p50:>9.1f} {p95:>9.1f} {p99:>9.1f} {len(body):>9}", flush=True)


if __name__ == "__main__":
    main()
