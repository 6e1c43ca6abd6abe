import json
from dataclasses import replace

import pytest

from forecast.errors import InputError
from forecast.model.spec import VARIANTS, ModelSpec, get_spec


def test_variants_differ_only_in_spec_and_hashes_are_stable() -> None:
    hashes = {name: spec.spec_hash for name, spec in VARIANTS.items()}
    assert len(set(hashes.values())) == len(VARIANTS)
    assert get_spec("full").spec_hash == hashes["full"]  # deterministic
    assert set(VARIANTS) >= {"realist", "institutionalist", "full", "member_exit"}


def test_hash_changes_with_any_field_and_the_spec_round_trips() -> None:
    full = get_spec("full")
    assert replace(full, covariates=full.covariates[1:]).spec_hash != full.spec_hash
    assert replace(full, member_effects=False).spec_hash != full.spec_hash
    for spec in VARIANTS.values():
        assert ModelSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_no_variance_component_is_fixed() -> None:
    for spec in VARIANTS.values():
        assert not [k for k in json.dumps(spec.to_dict()).split('"') if k.endswith("_fixed")]


def test_unknown_names_are_refused_with_the_allowed_ones() -> None:
    with pytest.raises(InputError, match="choose one of"):
        get_spec("neorealist")
    with pytest.raises(InputError, match="unknown covariates"):
        ModelSpec("x", ("not_a_covariate",))
    with pytest.raises(InputError, match="era_slopes"):
        ModelSpec("x", ("bilateral",), era_slopes=("depth",))
    with pytest.raises(InputError, match="events"):
        ModelSpec("x", ("bilateral",), events=("regime_change",))
