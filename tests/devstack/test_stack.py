"""The local stack's start-up checks give one clear message instead of a traceback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.stack import CodeRelay, LocalStack, Ports, StackError, free_port

ROOT = Path(__file__).resolve().parents[2]


def test_port_in_use_is_reported_with_what_to_do(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        stack = LocalStack(tmp_path, Ports(dynamodb=port, cognito=free_port(), s3=free_port()), in_memory=True)
        with pytest.raises(StackError) as error:
            stack.start()
    assert f"Port {port} (DynamoDB Local) is already in use" in str(error.value)
    assert "DEVSTACK_DYNAMODB_PORT" in str(error.value)


def test_missing_java_is_reported_with_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH, java included
    stack = LocalStack(tmp_path, Ports.free(), in_memory=True)
    with pytest.raises(StackError) as error:
        stack.start()
    assert "Java is missing" in str(error.value)
    assert "apt-get install -y default-jre-headless" in str(error.value)


def test_devstack_command_prints_the_problem_not_a_traceback(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "devstack"],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "DEVDATA_DIR": str(tmp_path), "PORT": str(port), "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Error: Port {port} (the web server) is already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_code_relay_mails_each_new_code_once(tmp_path):
    db = tmp_path / "db"
    db.mkdir()
    pool = db / "local_pool.json"
    user = {"Attributes": [{"Name": "email", "Value": "a@example.com"}], "ConfirmationCode": "111111"}
    pool.write_text(json.dumps({"Users": {"u1": user}}))
    relay = CodeRelay(db, tmp_path / "mail")
    relay._scan(deliver=False)  # codes present at start-up were mailed before
    relay._scan(deliver=True)
    assert not (tmp_path / "mail").exists()

    user["ConfirmationCode"] = "222222"
    pool.write_text(json.dumps({"Users": {"u1": user}}))
    relay._scan(deliver=True)
    relay._scan(deliver=True)
    mails = list((tmp_path / "mail").glob("*.eml"))
    assert len(mails) == 1
    assert "Your verification code is 222222" in mails[0].read_text()


def test_devstack_serves_the_site_and_ctrl_c_stops_everything(tmp_path):
    import signal
    import time
    import urllib.request

    ports = {name: free_port() for name in ("DEVSTACK_DYNAMODB_PORT", "DEVSTACK_COGNITO_PORT", "DEVSTACK_S3_PORT")}
    web = free_port()
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DEVDATA_DIR": str(tmp_path / "data"),
        "PORT": str(web),
        **{name: str(port) for name, port in ports.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "The site is at" in line or process.poll() is not None:
                break
        output = "".join(lines)
        assert "Demo users (shown once" in output
        assert "reader@example.com" in output
        for _ in range(50):  # the server may need a moment after saying so
            try:
                home = urllib.request.urlopen(f"http://127.0.0.1:{web}/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        assert home.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "Stopped." in rest
    for port in [*ports.values(), web]:
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still served after Ctrl-C"
