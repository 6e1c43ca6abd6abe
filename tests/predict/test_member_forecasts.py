"""The shipped member model's forecasts: the pages' exit risks (without drivers) are the
member route's, and are remembered per (alliance, horizon)."""

from __future__ import annotations

import pytest

from forecast.predict import NotInForceError
from forecast.serving import core
from tests.api.conftest import NATO, US_JAPAN, shipped_store_or_skip


@pytest.fixture(scope="module")
def member_forecaster():
    data, models = shipped_store_or_skip()
    registry = core.open_registry(models)
    if core.live_version(registry, "member_exit") is None:
        pytest.skip("models/ has no live member_exit model")
    artifact = core.load_artifact(registry, "member_exit", None)
    return core.build_forecaster(artifact, core.model_panels(core.load_panel(data), data))


def test_member_exits_are_the_member_forecasts_without_drivers(member_forecaster) -> None:
    full = {m.ccode: m for m in member_forecaster.members(NATO, 10)}
    exits = member_forecaster.member_exits(NATO, 10)
    assert set(exits) == set(full) and len(exits) >= 28
    for ccode, e in exits.items():
        assert e.p_exit == pytest.approx(full[ccode].p_exit)
        assert e.causes == pytest.approx(full[ccode].causes)
        assert sum(c.mean for c in e.causes.values()) == pytest.approx(e.p_exit.mean)
    assert member_forecaster.member_exits(NATO, 10) is exits  # remembered
    later = member_forecaster.member_exits(NATO, 20)
    assert all(later[c].p_exit.mean >= exits[c].p_exit.mean for c in exits)


def test_a_bilateral_pact_has_no_members_at_risk(member_forecaster) -> None:
    with pytest.raises(NotInForceError, match="3 or more members"):
        member_forecaster.member_exits(US_JAPAN, 10)
