"""Deployment hygiene (reliability review #11): hashes in the lock, a digest-pinned base
image running as non-root, hardened systemd units, no shipped token, no installs at run
time in the scheduled refit."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from forecast.config import REPO_ROOT

SERVICE = REPO_ROOT / "service"
UNITS = [
    SERVICE / "alliance-forecast-api.service",
    SERVICE / "schedule/alliance-forecast-refit.service",
]


def test_every_locked_package_carries_a_hash_and_run_requires_them():
    text = (REPO_ROOT / "requirements.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", text, re.M)
    names = re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M)
    assert names and pins == names
    run = (REPO_ROOT / "run").read_text()
    assert "--require-hashes" in run and "--upgrade pip" not in run


def test_the_image_is_pinned_by_digest_and_runs_as_non_root():
    text = (SERVICE / "Containerfile").read_text()
    image = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert image and re.search(r"@sha256:[0-9a-f]{64}$", image.group(1))
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\}$", text, re.M)
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert "--require-hashes" in text


def test_the_example_env_ships_no_token():
    text = (SERVICE / "api.env.example").read_text()
    assert re.search(r"^ALLIANCE_FORECAST_ADMIN_TOKEN=$", text, re.M)


def test_scheduled_refits_never_go_through_the_installer():
    for path in [*SERVICE.glob("schedule/*"), *UNITS]:
        for line in path.read_text().splitlines():
            if not line.lstrip().startswith("#"):
                assert "./run" not in line, f"{path.name}: {line}"


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_units_are_hardened_to_an_exposure_of_at_most_5(unit):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    out = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    score = re.search(r"Overall exposure level for \S+: ([0-9.]+)", out.stdout + out.stderr)
    assert score, out.stdout[-500:] + out.stderr[-500:]
    assert float(score.group(1)) <= 5.0
    text = unit.read_text()
    assert "User=forecast" in text
