"""Free ports for local emulator stacks, kept apart between the processes of one machine.

`bind(("127.0.0.1", 0))` names a port nothing listens on, but an emulator binds it only seconds
later (DynamoDB Local's JVM is slow to start), and in that window another test run may be handed
the same port and bind it first: the stack then talks to someone else's emulator. So each port
picked here is also locked (`flock` on a file named after it), and the lock is held until the
process exits; a port another live process holds is passed over. Standard library only: the test
settings call this before Django is configured.

Process-wide state: the open lock files. Safe with several threads: two of them never get one port,
as a second `flock` of the same file fails even within one process.
"""

from __future__ import annotations

import fcntl
import socket
import tempfile
from pathlib import Path

LOCKS_DIR = Path(tempfile.gettempdir()) / "mysite-port-locks"
ATTEMPTS = 200

_held: list = []  # this process's lock files: closing one (or exiting) frees its port for others


def reserve_port() -> int:
    """A port of 127.0.0.1 that nothing listens on and no other live process has reserved."""
    LOCKS_DIR.mkdir(exist_ok=True)
    for _ in range(ATTEMPTS):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        lock = (LOCKS_DIR / str(port)).open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # held by another process, or by this one (flock is per open file)
            lock.close()
            continue
        _held.append(lock)
        return port
    raise OSError(f"No free port after {ATTEMPTS} tries (reservations in {LOCKS_DIR}).")
