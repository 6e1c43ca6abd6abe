"""Rewrite requirements.lock with the sha256 of every pinned file (after changing a pin).

    .venv/bin/python service/lock_hashes.py [requirements.lock]

Reads the ``name==version`` pins (with or without ``--hash`` lines), downloads each file
with this environment's pip (``--no-deps``, so the same index and platform as ``./run``),
and writes the lock back sorted, one ``--hash=sha256:...`` per pin. To add a package, append
``name==version`` to the lock and run this.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HEADER = """\
# Every package of the environment, pinned with the sha256 of the file pip installs
# (CPython 3.12, manylinux x86_64; autograd-gamma ships only an sdist). Installed with
#   pip install --require-hashes --no-deps -r requirements.lock
# by ./run and service/Containerfile. hatchling/editables/pathspec/trove-classifiers
# (with tomlkit) are the build backend of the project itself (--no-build-isolation).
# After changing or adding a `name==version` pin: python service/lock_hashes.py
"""


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _file_key(path: Path) -> tuple[str, str]:
    name = path.name
    if name.endswith(".whl"):
        dist, version = name.split("-")[:2]
    else:
        dist, version = re.sub(r"\.(tar\.gz|zip)$", "", name).rsplit("-", 1)
    return _norm(dist), version


def main(lock: Path) -> None:
    pins = sorted(
        set(re.findall(r"^([A-Za-z0-9_.-]+==[^\s\\]+)", lock.read_text(), re.M)),
        key=lambda p: _norm(p.split("==")[0]),
    )
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, *pins],
            check=True,
        )
        files = {_file_key(p): p for p in Path(tmp).iterdir()}
        out = [HEADER.rstrip("\n")]
        for pin in pins:
            name, version = pin.split("==")
            digest = hashlib.sha256(files[(_norm(name), version)].read_bytes()).hexdigest()
            out.append(f"{pin} \\\n    --hash=sha256:{digest}")
    lock.write_text("\n".join(out) + "\n")
    print(f"{lock}: {len(pins)} pins hashed")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock"))
