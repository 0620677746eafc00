"""Curriculum controllers: choose the next episode's level and learn from its reward.

See ``docs/curriculum.md`` for when to use which. Every controller has the same interface
(`Controller.sample`, `Controller.choose`, `Controller.update`, `Controller.state`,
`Controller.load_state`); `SharedCurriculum` shares one controller across processes.
"""

from __future__ import annotations

from rlvr_envs.curriculum.base import Choice, Controller, ControllerState, Fixed, LevelTally, Uniform, success
from rlvr_envs.curriculum.factory import (
    CONTROLLERS,
    build_controller,
    controller_class,
    controller_from_state,
    load_controller,
    save_controller,
)
from rlvr_envs.curriculum.frontier import Frontier
from rlvr_envs.curriculum.mixture import Mixture
from rlvr_envs.curriculum.shared import (
    FORWARDED_METHODS,
    ForwardingController,
    LockedController,
    RemoteController,
    SharedCurriculum,
)
from rlvr_envs.curriculum.thompson import Thompson

__all__ = [
    "CONTROLLERS",
    "FORWARDED_METHODS",
    "Choice",
    "Controller",
    "ControllerState",
    "Fixed",
    "ForwardingController",
    "Frontier",
    "LevelTally",
    "LockedController",
    "Mixture",
    "RemoteController",
    "SharedCurriculum",
    "Thompson",
    "Uniform",
    "build_controller",
    "controller_class",
    "controller_from_state",
    "load_controller",
    "save_controller",
    "success",
]
