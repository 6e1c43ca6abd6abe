"""The debate's scenario presets change what they say they change (pure functions)."""

from __future__ import annotations

import math

import pytest

from forecast.errors import InputError
from forecast.predict import scenarios

ALL = ("strongest_rival_growth", "rival_rise", "common_rival", "lost_common_rival",
       "lsthreat_max", "member_conflict", "shared_mid_5y", "milinst")  # fmt: skip


def test_rival_rise_adds_log_growth_to_the_rival_growth_covariates() -> None:
    s = scenarios.rival_rise(ALL, 0.5)
    ovs = {o.covariate: o for o in s.overrides}
    assert ovs["strongest_rival_growth"].op == "add"
    assert ovs["strongest_rival_growth"].value == pytest.approx(math.log(1.5))
    assert ovs["rival_rise"].value == pytest.approx(math.log(1.5))
    assert ovs["common_rival"].value == 1.0
    with pytest.raises(InputError):
        scenarios.rival_rise(ALL, -2)


def test_threat_gone_switches_threat_off_and_records_a_lost_rival_only_when_there_was_one() -> None:
    gone = scenarios.threat_gone(ALL, {"common_rival": 1.0})
    values = {o.covariate: o.value for o in gone.overrides}
    assert values["common_rival"] == 0.0 and values["lost_common_rival"] == 1.0
    assert values["lsthreat_max"] == 0.0 and values["member_conflict"] == 0.0
    assert "milinst" not in values  # institutions are not the threat
    none = scenarios.threat_gone(ALL, {"common_rival": 0.0})
    assert "lost_common_rival" not in {o.covariate for o in none.overrides}


def test_presets_keep_only_covariates_the_model_uses() -> None:
    assert {o.covariate for o in scenarios.rival_rise(("common_rival",)).overrides} == {
        "common_rival"
    }
