"""The pages in a real browser: headless Chromium (the Debian package) driven by Selenium
against `alliance-forecast serve` on a free port.

Checks what a person meets: every page loads with no console error, the search finds an
alliance by a member's name, and the scenario form submits and shows the difference.
Screenshots go to ``tests/artifacts/browser/`` (git-ignored) for a human to look at.
`.ci/run` installs ``chromium`` and ``chromium-driver``; where they are missing outside
CI the tests skip, saying so (under CI they fail instead).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from forecast.config import REPO_ROOT
from tests.api.conftest import NATO, US_JAPAN
from tests.api.test_server import start, stop, wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: .ci/run must install it on CI")
    pytest.skip(f"{reason}; install it with `apt-get install chromium chromium-driver`")


@pytest.fixture(scope="module")
def base(store_copy: Path, tmp_path_factory) -> Iterator[str]:
    ledger = tmp_path_factory.mktemp("ledger") / "ledger.sqlite"
    proc, url = start(store_copy, env={"ALLIANCE_FORECAST_LEDGER_URL": f"sqlite:///{ledger}"})
    try:
        wait_ready(proc, url, timeout=240, ledger=True)
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        _missing("no chromium executable")
    if DRIVER is None:
        _missing("no chromedriver executable")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,2200"):  # fmt: skip
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def wait_for(driver, css: str, timeout: float = 30):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


@pytest.mark.parametrize(
    ("path", "name", "ready"),
    [
        ("/", "index", "#alliances"),
        (f"/alliances/{NATO}", "alliance-nato", "svg#fan"),
        ("/track-record", "track-record", "svg#reliability"),
        ("/docs", "docs", ".swagger-ui .opblock-tag"),  # Swagger UI rendered from local assets
    ],
)
def test_page_loads_without_console_errors(browser, base, path, name, ready) -> None:
    browser.get(base + path)
    wait_for(browser, ready)
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    assert console_errors(browser) == []
    assert browser.title


def test_search_finds_an_alliance_by_member(browser, base) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base + "/")
    box = wait_for(browser, "#search")
    box.clear()
    box.send_keys("Japan")
    before = browser.find_element(By.ID, "alliances")
    browser.find_element(By.ID, "go").click()
    WebDriverWait(browser, 30).until(ec.staleness_of(before))  # the results page replaced it
    wait_for(browser, f'#alliances a[href="/alliances/{US_JAPAN}"]')
    rows = browser.find_elements(By.CSS_SELECTOR, "#alliances tbody tr")
    assert 0 < len(rows) < 30
    assert "Japan" in browser.find_element(By.ID, "count").text
    assert not browser.find_elements(By.CSS_SELECTOR, f'#alliances a[href="/alliances/{NATO}"]')
    browser.save_screenshot(str(ARTIFACTS / "search-japan.png"))
    assert console_errors(browser) == []


def test_scenario_form_submits_and_shows_the_difference(browser, base) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{base}/alliances/{NATO}?horizon=10")
    Select(wait_for(browser, "#preset")).select_by_value("regime_change")
    Select(browser.find_element(By.ID, "member")).select_by_visible_text("Turkey")
    browser.find_element(By.ID, "run-scenario").click()
    result = wait_for(browser, "#scenario-result")
    diff = browser.find_element(By.ID, "difference").text
    assert diff.endswith("]") and " pp [" in diff and diff[0] in "+-"
    assert "Baseline" in result.text and "Scenario" in result.text
    browser.save_screenshot(str(ARTIFACTS / "scenario-nato-turkey.png"))
    assert console_errors(browser) == []
