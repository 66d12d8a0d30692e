"""The local stack's start-up checks give one clear message instead of a traceback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.stack import CodeRelay, LocalStack, Ports, StackError, free_port, port_in_use

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def busy_port():
    """A port something is listening on, for as long as the test runs."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield busy.getsockname()[1]


def test_port_in_use_is_reported_with_what_to_do(tmp_path, busy_port):
    stack = LocalStack(tmp_path, Ports(dynamodb=busy_port, cognito=free_port(), s3=free_port()), in_memory=True)
    with pytest.raises(StackError) as error:
        stack.start()
    assert f"Port {busy_port} (DynamoDB Local) is already in use" in str(error.value)
    assert "DEVSTACK_DYNAMODB_PORT" in str(error.value)


def test_a_busy_identity_port_is_reported_before_anything_starts(tmp_path, busy_port):
    ports = Ports(dynamodb=free_port(), cognito=free_port(), s3=free_port(), identity=busy_port)
    stack = LocalStack(tmp_path, ports, in_memory=True)
    with pytest.raises(StackError) as error:
        stack.start()
    others_free = [not port_in_use(p) for p in (ports.dynamodb, ports.cognito, ports.s3)]
    assert f"Port {busy_port} (moto (Cognito Identity, STS)) is already in use" in str(error.value)
    assert "DEVSTACK_IDENTITY_PORT" in str(error.value)
    assert others_free == [True, True, True]


def test_ports_come_from_the_environment_with_defaults_for_the_rest():
    ports = Ports.from_environment({"DEVSTACK_IDENTITY_PORT": "6123", "DEVSTACK_S3_PORT": "6124"})
    assert ports == Ports(dynamodb=8100, cognito=9229, s3=6124, identity=6123)


def test_the_local_moto_server_is_the_moto_the_tests_pin():
    def moto_pin(name: str) -> str:
        lines = (ROOT / "requirements" / name).read_text().splitlines()
        return next(line.split("==")[1] for line in lines if line.startswith("moto["))

    assert moto_pin("local.txt") == moto_pin("dev.txt")
    assert "moto" not in (ROOT / "requirements" / "base.txt").read_text()  # never in the Lambda package


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as /proc/net shows them) of the sockets listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            columns = line.split()
            address, hex_port = columns[1].split(":")
            if columns[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_missing_java_is_reported_with_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH, java included
    stack = LocalStack(tmp_path, Ports.free(), in_memory=True)
    with pytest.raises(StackError) as error:
        stack.start()
    assert "Java is missing" in str(error.value)
    assert "apt-get install -y default-jre-headless" in str(error.value)


def test_devstack_command_prints_the_problem_not_a_traceback(tmp_path, busy_port):
    result = subprocess.run(
        [sys.executable, "-m", "devstack"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEVDATA_DIR": str(tmp_path), "PORT": str(busy_port), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"Error: Port {busy_port} (the web server) is already in use" in result.stderr
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
    import urllib.error
    import urllib.request

    names = ("DEVSTACK_DYNAMODB_PORT", "DEVSTACK_COGNITO_PORT", "DEVSTACK_S3_PORT", "DEVSTACK_IDENTITY_PORT")
    ports = {name: free_port() for name in names}
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

        # The bucket admits browser uploads from the origin actually served, and not from another port.
        def preflight(origin: str) -> int:
            request = urllib.request.Request(
                f"http://127.0.0.1:{ports['DEVSTACK_S3_PORT']}/mysite-local/users/someone/file.txt",
                method="OPTIONS",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    return answer.status
            except urllib.error.HTTPError as refused:
                return refused.code

        assert preflight(f"http://127.0.0.1:{web}") == 200
        assert preflight(f"http://127.0.0.1:{web + 1}") == 403
        outputs = json.loads((tmp_path / "data" / "stack.json").read_text())
        assert outputs["COGNITO_IDENTITY_POOL_ID"].startswith("us-east-1:")
        assert outputs["COGNITO_IDENTITY_ROLE_ARN"].endswith(":role/local-todos-user-files")
        # The stand-ins that can choose bind the loopback only (DynamoDB Local has no such option).
        for name in ("DEVSTACK_COGNITO_PORT", "DEVSTACK_S3_PORT", "DEVSTACK_IDENTITY_PORT"):
            assert listening_addresses(ports[name]) == {"0100007F"}, name
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "Stopped." in rest
    for port in [*ports.values(), web]:
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still served after Ctrl-C"
