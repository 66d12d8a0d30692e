"""Port reservations keep concurrent stacks apart: a port one process picked is never handed to another."""

from __future__ import annotations

import subprocess
import sys
import threading

from mysite import localports

TRY_PORT = """
import socket
import sys

from mysite import localports

offered = [int(sys.argv[1])]


class Handed(socket.socket):
    # bind(0) hands out the port the parent reserved first (as it may before the parent's emulator binds it).
    def getsockname(self):
        address = super().getsockname()
        return (address[0], offered.pop()) if offered else address


socket.socket = Handed
print(localports.reserve_port())
"""


def test_another_process_is_never_handed_a_port_this_one_reserved():
    mine = localports.reserve_port()
    child = subprocess.run([sys.executable, "-c", TRY_PORT, str(mine)], capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    theirs = int(child.stdout)
    assert theirs != mine
    assert 1024 < theirs < 65536


def test_once_the_reserving_process_exits_its_ports_are_free_again():
    child = subprocess.run(
        [sys.executable, "-c", "from mysite import localports; print(localports.reserve_port())"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    port = int(child.stdout)
    # Its lock went with it: this process can take the same port's lock now.
    lock = (localports.LOCKS_DIR / str(port)).open("a")
    try:
        localports.fcntl.flock(lock, localports.fcntl.LOCK_EX | localports.fcntl.LOCK_NB)
    finally:
        lock.close()


def test_threads_of_one_process_get_distinct_ports():
    ports: list[int] = []

    def take() -> None:
        for _ in range(10):
            ports.append(localports.reserve_port())

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(ports) == 40
    assert len(set(ports)) == 40
