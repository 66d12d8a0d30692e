"""Runs inside the unzipped Lambda package with no site-packages: import Zappa's handler, answer one event, report.

argv: package root, then the event as JSON. Prints one JSON line with the timings.
"""

import json
import os
import sys
import time

started = time.perf_counter()
ROOT = sys.argv[1]
sys.path.insert(0, ROOT)
os.chdir(ROOT)  # Lambda's working directory is the package root (/var/task)


class Context:
    function_name = "mysite-bench"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:mysite-bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self):
        return 60_000


from zappa.handler import LambdaHandler  # noqa: E402

imported = time.perf_counter()
event = json.loads(sys.argv[2])
first = LambdaHandler.lambda_handler(event, Context())
answered = time.perf_counter()
# The parent stops its clock at this line: the first response is out.
print(
    "BENCH "
    + json.dumps(
        {
            "status": first.get("statusCode"),
            "body": str(first.get("body"))[:300] if first.get("statusCode") != 200 else "",
            "import_s": imported - started,
            "first_request_s": answered - imported,
        }
    ),
    file=sys.__stdout__,
    flush=True,
)
warm_started = time.perf_counter()
LambdaHandler.lambda_handler(event, Context())
print("BENCH " + json.dumps({"warm_request_s": time.perf_counter() - warm_started}), file=sys.__stdout__, flush=True)
