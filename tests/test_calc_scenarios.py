"""Named scenarios (calc.scenarios): whole states in one choice, derived from the measured
deployments of calc.validate so that a scenario gives the Validation page's figure."""
from __future__ import annotations

import pytest

from calc import CALCULATIONS, PARAMS, evaluate
from calc.scenarios import SCENARIOS, match
from calc.validate import DEPLOYMENTS, validate


def _for(calc_name: str, state: dict) -> dict:
    return {k: v for k, v in state.items() if k in CALCULATIONS[calc_name].params}


@pytest.fixture(scope="module")
def validation():
    return validate(*(PARAMS[k].default for k in ("mem_efficiency", "compute_efficiency", "net_efficiency",
                                                   "attn_efficiency")))


STATEABLE = [d for d in DEPLOYMENTS if d.group == "decode" and not d.gpu_overrides]


def test_scenarios_cover_the_decode_deployments_a_state_can_describe():
    """Every decode-only deployment on a stock preset is a scenario (one whose GPU differs from
    its preset, e.g. fewer NICs, cannot be a state of the schema)."""
    assert len(STATEABLE) >= 8
    assert {d.key for d in STATEABLE} <= set(SCENARIOS)


@pytest.mark.parametrize("d", STATEABLE, ids=[d.key for d in STATEABLE])
def test_every_measured_deployment_is_a_scenario_with_validations_tight_bound(d, validation):
    """Each such deployment of calc.validate (with its source) is a scenario, and the tight
    bound of the scenario's state is the one on the Validation page."""
    s = SCENARIOS[d.key]
    assert s.source == d.source and s.measured_tokens_per_s_per_gpu == d.measured_tokens_per_s_per_gpu
    got = evaluate("tight", _for("tight", s.state()))["tokens_per_s_per_gpu"]
    assert got == pytest.approx(validation["rows"][d.key]["tight_tokens_per_s_per_gpu"], rel=1e-12)


def test_scenarios_are_valid_states_and_matchable():
    names = tuple(CALCULATIONS["tight"].params)
    for key, s in SCENARIOS.items():
        for k, v in s.params.items():
            assert PARAMS[k].validate(v) == v, (key, k, v)
        assert s.label and s.description
        found = match(s.state(), names)  # two measurements of one setup share a state: the first is named
        assert found == key or all(SCENARIOS[found].state()[n] == s.state()[n] for n in names)
    assert match({}, names) == "defaults"
    assert match({"seq_len": 1234}, names) is None
