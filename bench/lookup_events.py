#!/usr/bin/env python3
"""Event History for bench/load: a local server that answers the calls `trailscope sync` makes with the real AWS
SDK (pointed at it with AWS_ENDPOINT_URL), as AWS does:
  - CloudTrail `LookupEvents` (JSON protocol, by X-Amz-Target): newest first, at most 50 a page with NextToken,
    StartTime and EndTime inclusive, 2 calls a second per Region (the Region of the request's signature); a
    third call in the same second gets ThrottlingException, as AWS answers it.
    https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
  - STS `GetCallerIdentity` (query protocol), naming ACCOUNT.
It holds EVENTS read-only management events spread over the hour before it started, with event IDs new at each
start, so a sync always has EVENTS to write. The sync tests' own server is server/tests/common/fake_history.rs
(in Rust, inside the test binary); this one runs beside a real `trailscope serve` for the length of a bench.

Usage: bench/lookup_events.py PORT_FILE EVENTS ACCOUNT
Writes the port it listens on (127.0.0.1) to PORT_FILE; on SIGTERM prints the calls served and throttled.
Standard library only."""
import http.server
import json
import random
import signal
import sys
import threading
import time
import uuid

NAMES = [
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("s3.amazonaws.com", "ListBuckets"),
    ("iam.amazonaws.com", "GetUser"),
    ("sts.amazonaws.com", "GetCallerIdentity"),
    ("lambda.amazonaws.com", "ListFunctions20150331"),
]


def record(account, region, at, event_id):
    """The same record each time an event is asked for."""
    rng = random.Random(event_id)
    source, name = rng.choice(NAMES)
    user = rng.choice(["alice", "bob", "deploy-bot"])
    return {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE" + user.upper().replace("-", ""),
            "arn": f"arn:aws:iam::{account}:user/{user}",
            "accountId": account,
            "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
            "userName": user,
        },
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": f"198.51.100.{rng.randrange(1, 255)}",
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
        "requestParameters": None,
        "responseElements": None,
        "requestID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "eventID": event_id,
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }


class History:
    def __init__(self, events, account):
        self.account = account
        self.lock = threading.Lock()
        self.calls = {}
        self.served = self.throttled = 0
        rng = random.Random()
        now = time.time()
        # (event time, event ID), newest first
        self.events = sorted(
            ((int(now - rng.uniform(60, 3600)), str(uuid.UUID(int=rng.getrandbits(128), version=4))) for _ in range(events)),
            reverse=True,
        )

    def admit(self, region):
        """Whether a call of this Region fits in AWS's 2 calls a second."""
        with self.lock:
            now = time.monotonic()
            recent = [t for t in self.calls.get(region, []) if now - t < 1.0]
            if len(recent) >= 2:
                self.throttled += 1
                self.calls[region] = recent
                return False
            recent.append(now)
            self.calls[region] = recent
            self.served += 1
            return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, content_type, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, kind, message):
        self.answer(status, "application/x-amz-json-1.1", json.dumps({"__type": kind, "message": message}))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        history = self.server.history
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            if b"Action=GetCallerIdentity" not in body:
                return self.error(400, "InvalidAction", body.decode(errors="replace")[:100])
            arn = f"arn:aws:iam::{history.account}:user/bench"
            xml = (
                '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
                f"<Arn>{arn}</Arn><UserId>AIDAEXAMPLEBENCH</UserId><Account>{history.account}</Account>"
                "</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
                "</GetCallerIdentityResponse>"
            )
            return self.answer(200, "text/xml", xml)
        if not self.headers.get("X-Amz-Target", "").endswith(".LookupEvents"):
            return self.error(400, "UnknownOperationException", self.headers.get("X-Amz-Target", ""))
        # Credential=KEY/DATE/REGION/SERVICE/aws4_request
        scope = self.headers.get("Authorization", "").split("Credential=")[-1].split("/")
        region = scope[2] if len(scope) > 2 else "us-east-1"
        if not history.admit(region):
            return self.error(400, "ThrottlingException", "Rate exceeded")
        request = json.loads(body or b"{}")
        start, end = request.get("StartTime", float("-inf")), request.get("EndTime", float("inf"))
        per_page = min(int(request.get("MaxResults", 50)), 50)
        offset = int(request.get("NextToken", "0"))
        matching = [e for e in history.events if start <= e[0] <= end]
        page = []
        for at, event_id in matching[offset : offset + per_page]:
            full = record(history.account, region, at, event_id)
            page.append(
                {
                    "EventId": event_id,
                    "EventName": full["eventName"],
                    "ReadOnly": "true",
                    "EventTime": float(at),
                    "EventSource": full["eventSource"],
                    "Username": full["userIdentity"]["userName"],
                    "CloudTrailEvent": json.dumps(full),
                }
            )
        answer = {"Events": page}
        if offset + per_page < len(matching):
            answer["NextToken"] = str(offset + per_page)
        self.answer(200, "application/x-amz-json-1.1", json.dumps(answer))


def main():
    port_file, events, account = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.history = History(events, account)

    def stop(*_):
        print(f"LookupEvents: {server.history.served} calls served, {server.history.throttled} throttled", flush=True)
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    with open(port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
