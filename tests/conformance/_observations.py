"""Compare, hash and read observations of any space: text, or ``Dict(text=..., image=...)`` (VQA).

Plain ``==`` fails on a dict holding numpy arrays and such a dict is not hashable, so the
conformance tests go through `observation_key`, which turns any observation into a hashable value.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np


def observation_key(observation: Any) -> Any:
    """A hashable value equal for equal observations (arrays by shape, dtype and bytes)."""
    if isinstance(observation, np.ndarray):
        return ("array", observation.shape, str(observation.dtype), hashlib.sha256(observation.tobytes()).hexdigest())
    if isinstance(observation, dict):
        return tuple(sorted((key, observation_key(value)) for key, value in observation.items()))
    if isinstance(observation, list | tuple):
        return tuple(observation_key(item) for item in observation)
    return observation


def observation_text(observation: Any) -> str:
    """The text part of an observation."""
    if isinstance(observation, dict):
        return str(observation.get("text", ""))
    return str(observation)
