"""`python -m devstack`: the whole site on the local stack, stopped cleanly by Ctrl-C.

Starts the emulators (data in .devdata/), provisions what is missing, seeds the
demo users on a new data folder, then runs the Django server and the event
dispatcher until interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import environ

from devstack.stack import LocalStack, Ports, StackError, port_in_use

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    # The ports in .env must be the ones the stack listens on, not only the ones settings read.
    environ.Env.read_env(ROOT / ".env")
    data_dir = Path(os.environ.get("DEVDATA_DIR", ROOT / ".devdata"))
    ports = Ports.from_environment()
    web_port = int(os.environ.get("PORT", 8000))
    stack = LocalStack(data_dir, ports)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mysite.settings.local",
        "DEVDATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
    }
    children: list[subprocess.Popen] = []
    stopping = threading.Event()

    def stop(*_args) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if port_in_use(web_port):
            raise StackError(f"Port {web_port} (the web server) is already in use; stop that process or set PORT.")
        print(f"Starting the local stack (data in {data_dir})...", flush=True)
        stack.start()
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "provision"], env=env, check=True)
        subprocess.run([*manage, "seed_demo"], env=env, check=True)
        children.append(subprocess.Popen([*manage, "dispatch_events"], env=env, start_new_session=True))
        children.append(
            subprocess.Popen([*manage, "runserver", f"127.0.0.1:{web_port}"], env=env, start_new_session=True)
        )
        print(f"\n  The site is at http://127.0.0.1:{web_port}/  (Ctrl-C stops everything)\n", flush=True)
        while not stopping.wait(0.5):
            for child in children:
                if child.poll() is not None:
                    raise StackError(f"{' '.join(child.args[1:3])} exited with code {child.returncode}.")
    except StackError as error:
        print(f"\nError: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"\nError: {' '.join(map(str, error.cmd[1:]))} failed (exit {error.returncode}).", file=sys.stderr)
        return 1
    finally:
        print("\nStopping...", flush=True)
        for child in reversed(children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        stack.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
