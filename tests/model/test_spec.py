from dataclasses import replace

import pytest

from forecast.errors import InputError
from forecast.model.spec import VARIANTS, ModelSpec, get_spec


def test_variants_differ_only_in_spec_and_hashes_are_stable() -> None:
    hashes = {name: spec.spec_hash for name, spec in VARIANTS.items()}
    assert len(set(hashes.values())) == len(VARIANTS)
    assert get_spec("full").spec_hash == hashes["full"]  # deterministic
    assert set(VARIANTS) >= {"realist", "institutionalist", "full", "member_exit"}


def test_hash_changes_with_any_field() -> None:
    full = get_spec("full")
    assert replace(full, covariates=full.covariates[:-1]).spec_hash != full.spec_hash
    assert replace(full, frailty=False).spec_hash != full.spec_hash


def test_unknown_names_are_refused_with_the_allowed_ones() -> None:
    with pytest.raises(InputError, match="choose one of"):
        get_spec("neorealist")
    with pytest.raises(InputError, match="unknown covariates"):
        ModelSpec("x", ("not_a_covariate",))
    with pytest.raises(InputError, match="era_slopes"):
        ModelSpec("x", ("bilateral",), era_slopes=("depth",))
