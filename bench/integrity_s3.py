"""Helper of bench/integrity, run with the Python of .tools/moto (it has boto3):

  sizes DIR                  decompressed MB of the log files the digests under DIR list (gzip ISIZE trailers)
  keys DIR OUT               the demo's public keys as ListPublicKeys answers them, for the moto wrapper
  upload DIR ENDPOINT ACCT…  puts the digests of these accounts (signature metadata from their KEY.meta.json
                             sidecars) and the log files they list into the buckets the digests name; prints one
                             line per chain: bucket account region trail home, and the MB of log data uploaded
"""
import base64
import concurrent.futures
import gzip
import hashlib
import json
import os
import sys


def digests(root):
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".json.gz") and "CloudTrail-Digest" in folder:
                path = os.path.join(folder, name)
                yield path, os.path.relpath(path, root)


def isize(path):
    with open(path, "rb") as f:
        f.seek(-4, os.SEEK_END)
        return int.from_bytes(f.read(4), "little")


def listed(root, accounts=None):
    for path, key in digests(root):
        if accounts and not any(f"/{a}/" in f"/{key}" for a in accounts):
            continue
        with gzip.open(path) as f:
            digest = json.load(f)
        yield path, key, digest


def sizes(root):
    total = sum(isize(os.path.join(root, log["s3Object"])) for _, _, d in listed(root) for log in d["logFiles"])
    print(f"{total / 1e6:.1f}")


def keys(root, out):
    folder = os.path.join(root, "public-keys")
    entries = []
    for name in os.listdir(folder):
        pem = open(os.path.join(folder, name)).read()
        body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
        der = base64.b64decode(body)
        entries.append({"Value": base64.b64encode(der).decode(), "Fingerprint": hashlib.md5(der).hexdigest(),
                        "ValidityStartTime": 0, "ValidityEndTime": 4102444800})
    json.dump(entries, open(out, "w"))


def upload(root, endpoint, accounts):
    import boto3
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    puts, chains, buckets, total = [], set(), set(), 0
    for path, key, digest in listed(root, accounts):
        meta = json.load(open(path + ".meta.json"))
        puts.append((digest["digestS3Bucket"], key, path, meta))
        buckets.add(digest["digestS3Bucket"])
        # ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOME_DATE[_backfill].json.gz
        region = key.split("/CloudTrail-Digest/")[1].split("/")[0]
        stem = os.path.basename(key).split("_CloudTrail-Digest_")[1][len(region) + 1:]
        stem = stem.replace("_backfill.json.gz", "").replace(".json.gz", "")
        trail, home = stem.rsplit("_", 1)[0].rsplit("_", 1)
        chains.add((digest["digestS3Bucket"], digest["awsAccountId"], region, trail, home))
        for log in digest["logFiles"]:
            log_path = os.path.join(root, log["s3Object"])
            puts.append((log["s3Bucket"], log["s3Object"], log_path, None))
            buckets.add(log["s3Bucket"])
            total += isize(log_path)
    for bucket in buckets:
        s3.create_bucket(Bucket=bucket)

    def put(item):
        bucket, key, path, meta = item
        with open(path, "rb") as body:
            s3.put_object(Bucket=bucket, Key=key, Body=body.read(), **({"Metadata": meta} if meta else {}))

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(put, puts))
    for chain in sorted(chains):
        print("chain", *chain)
    print(f"uploaded {len(puts)} objects, {total / 1e6:.1f} MB of log data")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"sizes": lambda: sizes(*args), "keys": lambda: keys(*args),
     "upload": lambda: upload(args[0], args[1], args[2:])}[command]()
