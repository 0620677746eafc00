"""Static controllers: sampling, validation, and state save/load round trips."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rlvr_envs.curriculum import Fixed, Uniform, build_controller
from rlvr_envs.errors import SpecError


def test_fixed_and_uniform_sample() -> None:
    rng = np.random.default_rng(0)
    assert {Fixed(3).sample(rng) for _ in range(20)} == {3}
    assert {Uniform(2, 4).sample(rng) for _ in range(200)} == {2, 3, 4}


def test_state_roundtrip_through_json() -> None:
    controller = Uniform(1, 7)
    saved = json.loads(controller.state().model_dump_json())
    assert saved == {"kind": "uniform", "low": 1, "high": 7}
    other = Uniform()
    other.load_state(saved)
    assert other.state() == controller.state()
    fixed = Fixed()
    fixed.load_state(Fixed(9).state())
    assert fixed.sample(np.random.default_rng(0)) == 9


def test_build_controller_defaults_and_errors() -> None:
    assert isinstance(build_controller(None, default_level=4), Fixed)
    assert build_controller({"kind": "fixed"}, default_level=4).sample(np.random.default_rng(0)) == 4
    with pytest.raises(SpecError, match="Did you mean 'uniform'"):
        build_controller({"kind": "unifrm"})
    with pytest.raises(SpecError, match="high"):
        build_controller({"kind": "uniform", "low": 5, "high": 2})
    with pytest.raises(SpecError):
        build_controller({"kind": "fixed", "level": 1, "colour": "red"})
