"""Start the local emulators as child processes, wait until each answers, stop them all."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from devstack.install import DYNAMODB_DIR, JAR
from mysite.localports import reserve_port
from mysite.mail import write_mail  # the same mailbox files as the site's MailboxBackend

DEVSTACK_DIR = Path(__file__).resolve().parent
NODE_MODULES = DEVSTACK_DIR / "node_modules"

# Local emulators accept any credentials, except s3rver, which admits this fixed pair
# (and the temporary keys the local STS issued).
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}

# DynamoDB Local's JVM: the client compiler only and a single-threaded collector. A stack serves
# short bursts of small requests on a 2-core machine, where the optimising compiler's threads
# cost more CPU than its code ever gives back (`python -m benchmarks.dynamodb_jvm` measures it).
DYNAMODB_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


class StackError(Exception):
    """Something the developer has to fix; the message says what to do."""


@dataclass(frozen=True)
class Ports:
    dynamodb: int = 8100
    cognito: int = 9229
    s3: int = 4569
    identity: int = 5050  # moto: Cognito identity pools, STS and IAM

    @classmethod
    def free(cls) -> Ports:
        """Four ports nothing listens on, for a throw-away test stack."""
        return cls(*(free_port() for _ in range(4)))

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Ports:
        """The ports named by DEVSTACK_<NAME>_PORT, defaults for the rest."""
        environ = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            **{
                name: int(environ.get(f"DEVSTACK_{name.upper()}_PORT", getattr(defaults, name)))
                for name in ("dynamodb", "cognito", "s3", "identity")
            }
        )


def free_port() -> int:
    return reserve_port()  # also kept from other processes' stacks until this one exits


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Emulator:
    name: str
    port: int
    command: list[str]
    cwd: Path
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        if port_in_use(self.port):
            raise StackError(
                f"Port {self.port} ({self.name}) is already in use. Stop whatever listens "
                f"there (`lsof -i :{self.port}`), or pick other ports in .env."
            )
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor, which stops us in order
        )
        log.close()

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StackError(f"{self.name} exited at start-up; see {self.log_path}:\n{self.log_tail()}")
            try:
                urllib.request.urlopen(url, timeout=1).close()
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer means the server is up
            except OSError:
                time.sleep(0.1)
        raise StackError(f"{self.name} did not answer on {url} within {timeout:.0f}s; see {self.log_path}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class CodeRelay:
    """Mails the confirmation and reset codes that cognito-local issues to the local mailbox.

    cognito-local only logs codes (and not reliably), but it always stores the
    latest one on the user in its data file; watching that file turns each new
    code into an email a developer (and the tests) can read like a real one.
    """

    def __init__(self, db_dir: Path, mailbox_dir: Path, interval: float = 0.05):
        self.db_dir = db_dir
        self.mailbox_dir = mailbox_dir
        self.interval = interval
        self.seen: dict[tuple[str, str], str | None] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._scan(deliver=False)  # codes issued before a restart were mailed then
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            self._scan(deliver=True)

    def _scan(self, *, deliver: bool) -> None:
        for path in self.db_dir.glob("*.json"):
            try:
                users = json.loads(path.read_text()).get("Users", {})
            except (OSError, ValueError):
                continue  # being written; read it next time
            for username, user in users.items():
                code = user.get("ConfirmationCode")
                key = (path.name, username)
                if code and self.seen.get(key) != code and deliver:
                    email = next((a["Value"] for a in user.get("Attributes", []) if a["Name"] == "email"), None)
                    if email:
                        self.deliver(email, code)
                self.seen[key] = code

    def deliver(self, destination: str, code: str) -> None:
        message = EmailMessage()
        message["Subject"] = f"Your verification code is {code}"
        message["From"] = "cognito-local <no-reply@localhost>"
        message["To"] = destination
        message.set_content(f"Your verification code is {code}.\n")
        write_mail(self.mailbox_dir, message.as_bytes())


def dynamodb_emulator(
    port: int, *, storage: list[str], log_path: Path, jvm_options: tuple[str, ...] = DYNAMODB_JVM_OPTIONS
) -> Emulator:
    """DynamoDB Local on `port`; `storage` is `["-inMemory"]` or `["-dbPath", folder]`."""
    return Emulator(
        name="DynamoDB Local",
        port=port,
        command=[
            "java",
            *jvm_options,
            f"-Djava.library.path={DYNAMODB_DIR / 'DynamoDBLocal_lib'}",
            "-jar",
            str(JAR),
            "-port",
            str(port),
            "-sharedDb",
            "-disableTelemetry",
            *storage,
        ],
        cwd=DYNAMODB_DIR,
        log_path=log_path,
        env={"DDB_LOCAL_TELEMETRY": "0"},
    )


class LocalStack:
    """DynamoDB Local, cognito-local, s3rver and moto's server, the first three keeping data under one folder.

    moto keeps its state in memory only (it has no persistence), so the identity pool
    and role it serves are re-created by `provision` at every start.
    """

    def __init__(self, data_dir: Path, ports: Ports | None = None, *, in_memory: bool = False):
        self.data_dir = Path(data_dir)
        self.ports = ports or Ports()
        self.in_memory = in_memory
        self.emulators: list[Emulator] = []
        self.code_relay: CodeRelay | None = None

    @property
    def mailbox_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def s3_event_log(self) -> Path:
        return self.data_dir / "s3" / "events.jsonl"

    @property
    def identity_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports.identity}"

    def endpoints(self) -> dict[str, str]:
        return {
            "DYNAMODB_ENDPOINT_URL": f"http://127.0.0.1:{self.ports.dynamodb}",
            "COGNITO_ENDPOINT_URL": f"http://127.0.0.1:{self.ports.cognito}",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.ports.s3}",
            "COGNITO_IDENTITY_ENDPOINT_URL": self.identity_endpoint,
            "STS_ENDPOINT_URL": self.identity_endpoint,
            "IAM_ENDPOINT_URL": self.identity_endpoint,
            "LOCAL_MAILBOX_DIR": str(self.mailbox_dir),
            "LOCAL_S3_EVENT_LOG": str(self.s3_event_log),
        }

    def _emulators(self) -> list[Emulator]:
        logs = self.data_dir / "logs"
        storage = ["-inMemory"] if self.in_memory else ["-dbPath", str(self.data_dir / "dynamodb")]
        if not self.in_memory:
            (self.data_dir / "dynamodb").mkdir(parents=True, exist_ok=True)
        cognito_dir = self.data_dir / "cognito"
        (cognito_dir / ".cognito").mkdir(parents=True, exist_ok=True)
        return [
            dynamodb_emulator(self.ports.dynamodb, storage=storage, log_path=logs / "dynamodb.log"),
            Emulator(
                name="cognito-local",
                port=self.ports.cognito,
                command=["node", str(NODE_MODULES / "cognito-local" / "lib" / "bin" / "start.js")],
                cwd=cognito_dir,  # cognito-local keeps its data in ./.cognito
                log_path=logs / "cognito.log",
                env={"HOST": "127.0.0.1", "PORT": str(self.ports.cognito), "NO_COLOR": "1"},
            ),
            Emulator(
                name="s3rver",
                port=self.ports.s3,
                command=[
                    "node",
                    str(DEVSTACK_DIR / "s3rver.js"),
                    str(self.ports.s3),
                    str(self.data_dir / "s3" / "buckets"),
                    str(self.s3_event_log),
                    self.identity_endpoint,  # where s3rver looks up the temporary keys STS issued
                ],
                cwd=DEVSTACK_DIR,
                log_path=logs / "s3rver.log",
            ),
            Emulator(
                name="moto (Cognito Identity, STS)",
                port=self.ports.identity,
                command=[
                    sys.executable,
                    "-m",
                    "moto.server",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.ports.identity),
                ],
                cwd=DEVSTACK_DIR,
                log_path=logs / "moto.log",
            ),
        ]

    def check_prerequisites(self) -> None:
        if not shutil.which("java"):
            raise StackError(
                "Java is missing; DynamoDB Local needs Java 17. Install it with "
                "`sudo apt-get install -y default-jre-headless` (or run `make run`, which does)."
            )
        if not JAR.exists() or not (NODE_MODULES / "s3rver").exists():
            raise StackError("The emulators are not installed; run `make setup` first.")
        if importlib.util.find_spec("flask") is None:  # what moto[server] adds to moto
            raise StackError(
                "moto's server mode is not installed; run `make setup` (it installs requirements/local.txt)."
            )

    def start(self) -> None:
        self.check_prerequisites()
        self.emulators = self._emulators()
        for emulator in self.emulators:
            if port_in_use(emulator.port):
                raise StackError(
                    f"Port {emulator.port} ({emulator.name}) is already in use. Stop whatever "
                    f"listens there (`ss -ltnp | grep {emulator.port}`), or choose other ports "
                    "with DEVSTACK_DYNAMODB_PORT / DEVSTACK_COGNITO_PORT / DEVSTACK_S3_PORT / "
                    "DEVSTACK_IDENTITY_PORT."
                )
        try:
            for emulator in self.emulators:
                emulator.start()
            for emulator in self.emulators:
                emulator.wait_until_ready()
            self.code_relay = CodeRelay(self.data_dir / "cognito" / ".cognito" / "db", self.mailbox_dir)
            self.code_relay.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.code_relay:
            self.code_relay.stop()
        for emulator in reversed(self.emulators):
            emulator.stop()

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def describe(stack: LocalStack) -> str:
    return json.dumps(stack.endpoints(), indent=2)
