"""`make package`: the Lambda zip, built by `zappa package` from a runtime-only virtualenv, offline from AWS.

The virtualenv holds requirements/base.txt installed from cp313 manylinux wheels (what
Lambda's python3.13 runtime, Amazon Linux 2023 with glibc 2.34, can load) plus Zappa,
whose handler must be inside the zip; Zappa's deploy-time dependencies are left
out by the stage's `exclude`. The virtualenv is rebuilt only when its inputs change.
Standard library only: this runs before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DIST = BASE_DIR / "dist"
# Hidden: Zappa scans the project for WebSocket handlers and skips only dot-folders and a few venv names.
VENV = DIST / ".venv-lambda"
WHEELS = DIST / "wheels-lambda"
RUNTIME_REQUIREMENTS = BASE_DIR / "requirements" / "base.txt"
DEV_REQUIREMENTS = BASE_DIR / "requirements" / "dev.txt"
# Lambda python3.13 is Amazon Linux 2023 (glibc 2.34): wheels up to manylinux_2_34 load there.
LAMBDA_PYTHON = (3, 13)
PLATFORMS = (
    "manylinux2014_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux_2_24_x86_64",
    "manylinux_2_26_x86_64",
    "manylinux_2_28_x86_64",
    "manylinux_2_34_x86_64",
)
BUDGET_BYTES = 30 * 1024 * 1024  # our budget; Lambda's own limit is 50 MB zipped, 250 MB unzipped
LAMBDA_LIMIT_BYTES = 50 * 1024 * 1024
DEV_ONLY = ("pytest", "_pytest", "moto", "playwright", "ruff", "pytest_django", "xdist")
RECIPE_VERSION = "1"


def zappa_requirement() -> str:
    """The pinned `zappa==X` line of requirements/dev.txt (Zappa is deploy-only)."""
    match = re.search(r"^zappa==\S+", DEV_REQUIREMENTS.read_text(), re.MULTILINE)
    if not match:
        sys.exit("requirements/dev.txt has no pinned zappa==<version> line.")
    return match.group(0)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (RECIPE_VERSION, RUNTIME_REQUIREMENTS.read_text(), zappa_requirement(), *PLATFORMS, sys.version):
        digest.update(part.encode())
    return digest.hexdigest()[:16]


def run(*command: str | os.PathLike, **kwargs) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def ensure_venv() -> Path:
    """dist/venv-lambda for the current requirements, built from Lambda-compatible wheels."""
    stamp = VENV / ".fingerprint"
    wanted = fingerprint()
    if stamp.exists() and stamp.read_text() == wanted:
        return VENV
    print(f"Building the runtime-only virtualenv {VENV.relative_to(BASE_DIR)} ...", flush=True)
    shutil.rmtree(VENV, ignore_errors=True)
    shutil.rmtree(WHEELS, ignore_errors=True)
    run(sys.executable, "-m", "venv", VENV)
    pip = [VENV / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "-q"]
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    run(
        *pip,
        "download",
        "--only-binary=:all:",
        "--python-version",
        ".".join(map(str, LAMBDA_PYTHON)),
        "--implementation",
        "cp",
        *platforms,
        "-r",
        RUNTIME_REQUIREMENTS,
        "-d",
        WHEELS,
    )
    run(*pip, "install", "--no-index", "--find-links", WHEELS, "-r", RUNTIME_REQUIREMENTS)
    run(*pip, "install", zappa_requirement())
    stamp.write_text(wanted)
    return VENV


def check_contents(zip_path: Path) -> list[str]:
    """Problems with the zip: dev packages inside, or Zappa's handler missing."""
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    problems = [f"development package inside: {top}" for top in sorted(tops) if top in DEV_ONLY]
    for required in ("handler.py", "zappa_settings.py", "zappa/handler.py", "django_zappa_app.py", "manage.py"):
        if required not in names:
            problems.append(f"missing {required}")
    return problems


# Packages (or parts) no web request imports: no bytecode for them (they still work, compiled when used).
# Checked with `python -v` on the unzipped package answering one API Gateway event: werkzeug (Zappa's
# handler), django.contrib.admin and admindocs, django.test, django.db.backends, yaml, packaging and PIL's
# core modules are all imported on the way, so they get bytecode too. PIL's format plugins load only when
# an image is opened (the rendition handler), and stay source with the rest that is never imported: the
# budget has no room for all of them (30.0 MB zipped with every PIL module compiled).
PIL_ON_THE_REQUEST_PATH = (
    "__init__|_version|_binary|_deprecate|_util|Image|ImageColor|ImageMode|ImageOps|ImagePalette|ExifTags"
    "|TiffTags|GimpGradientFile|GimpPaletteFile|PaletteFile"
)
NOT_ON_THE_REQUEST_PATH = re.compile(
    r"(?<!/django)/(tests?|testing)/|/django/(contrib/(gis|postgres|flatpages|redirects)|conf/locale/[^/]+)/"
    r"|/(jsonschema|cffi|pycparser|setuptools|pip|docutils)/"
    rf"|/PIL/(?!({PIL_ON_THE_REQUEST_PATH})\.py$)"
)


def add_bytecode(zip_path: Path) -> None:
    """Put compiled bytecode beside every module: /var/task is read-only, so Lambda compiles each import otherwise.

    Unchecked hash-based .pyc files (PEP 552) are used whatever the files' timestamps after
    unzipping; measured with `make bench`, they halve the cold start (about 2 s to 1 s).
    Modules a web request never imports are left as source, to stay within the size budget.
    """
    import compileall
    import py_compile
    import tempfile

    if sys.version_info[:2] != LAMBDA_PYTHON:
        return  # bytecode is per Python version: only python3.13's matches Lambda's runtime
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with zipfile.ZipFile(zip_path) as archive:
            infos = archive.infolist()
            archive.extractall(root)
        compileall.compile_dir(
            root,
            quiet=2,
            workers=0,
            stripdir=str(root),
            prependdir="/var/task",
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            rx=NOT_ON_THE_REQUEST_PATH,
        )
        modes = {info.filename: info.external_attr for info in infos}
        rebuilt = zip_path.with_suffix(".tmp")
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                name = path.relative_to(root).as_posix()
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = modes.get(name, 0o644 << 16)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        rebuilt.replace(zip_path)


def build(stage: str, output: Path, settings_file: Path | None = None) -> Path:
    DIST.mkdir(exist_ok=True)
    with (DIST / ".package.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time (parallel test workers share dist/)
        venv = ensure_venv()
        env = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        env.pop("PYTHONPATH", None)
        output.unlink(missing_ok=True)
        extra = ["--settings_file", settings_file] if settings_file else []
        run(venv / "bin" / "zappa", "package", stage, "--output", output, *extra, cwd=BASE_DIR, env=env)
        add_bytecode(output)
    problems = check_contents(output)
    if problems:
        sys.exit(f"{output}: " + "; ".join(problems))
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="production")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    output = (args.output or DIST / f"lambda-{args.stage}.zip").resolve()
    build(args.stage, output)
    size = output.stat().st_size
    with zipfile.ZipFile(output) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    print(
        f"Lambda package: {output.relative_to(BASE_DIR)} — {size / 1024 / 1024:.1f} MB zipped, "
        f"{unzipped / 1024 / 1024:.1f} MB unzipped (budget {BUDGET_BYTES // 1024 // 1024} MB zipped; "
        f"Lambda allows 50 MB zipped, 250 MB unzipped)"
    )
    if size > LAMBDA_LIMIT_BYTES:
        sys.exit("The package is over Lambda's 50 MB limit for a direct upload.")
    if size > BUDGET_BYTES:
        print("WARNING: over the 30 MB budget.", file=sys.stderr)


if __name__ == "__main__":
    main()
