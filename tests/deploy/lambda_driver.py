"""Runs inside the unzipped Lambda package, in a Python with no site-packages: Zappa's handler, event by event.

Protocol: one JSON event per line on stdin, one JSON line back on the original stdout;
everything the function prints goes to stderr. Started by tests/deploy/test_package.py.
"""

import contextlib
import io
import json
import os
import sys
import sysconfig

ROOT = sys.argv[1]
sys.path.insert(0, ROOT)
os.chdir(ROOT)  # Lambda's working directory is the package root (/var/task)

protocol = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)


class Context:
    """What Lambda passes as the context object."""

    function_name = "mysite-lambdatest"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:mysite-lambdatest"
    aws_request_id = "local-request"

    def get_remaining_time_in_millis(self):
        return 60_000


def foreign_modules():
    """Modules loaded from anywhere but the package or the standard library."""
    stdlib = sysconfig.get_paths()["stdlib"]
    found = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name in {"__main__", "__mp_main__"}:
            continue  # this driver
        if path and not path.startswith(ROOT) and (not path.startswith(stdlib) or "site-packages" in path):
            found.append(f"{name}: {path}")
    return found


from zappa.handler import LambdaHandler  # noqa: E402

for line in sys.stdin:
    event = json.loads(line)
    if event.get("driver") == "modules":
        answer = {"foreign": foreign_modules(), "site_enabled": "site" in sys.modules}
    else:
        printed = io.StringIO()  # what the function prints: CloudWatch Logs on AWS
        try:
            with contextlib.redirect_stdout(printed):
                answer = {"result": LambdaHandler.lambda_handler(event, Context())}
        except Exception as error:
            answer = {"error": f"{type(error).__name__}: {error}"}
        answer["stdout"] = printed.getvalue()
        sys.stderr.write(answer["stdout"])
    protocol.write(json.dumps(answer, default=str) + "\n")
    protocol.flush()
