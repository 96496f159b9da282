"""moto_server with CloudTrail's ListPublicKeys, which moto lacks (AWS-FACTS §5.4): the answer is every key
of the JSON file named by TRAILSCOPE_TEST_PUBLIC_KEYS, a list of {"Value": base64 of the DER,
"Fingerprint", "ValidityStartTime", "ValidityEndTime"} as the API returns them, whatever window is asked.
Arguments are moto_server's. Run with the Python of .tools/moto (scripts/setup.sh)."""
import json
import os
import sys

from moto.cloudtrail.responses import CloudTrailResponse
from moto.server import main


def list_public_keys(self):
    with open(os.environ["TRAILSCOPE_TEST_PUBLIC_KEYS"]) as keys:
        return json.dumps({"PublicKeyList": json.load(keys)})


CloudTrailResponse.list_public_keys = list_public_keys

if __name__ == "__main__":
    main(sys.argv[1:])
