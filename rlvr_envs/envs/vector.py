"""Vector envs whose copies share one curriculum (see `rlvr_envs.make_vec`).

In `SyncVectorEnv` the copies simply hold the same controller object. In `AsyncVectorEnv` each copy
lives in its own process, so the controller is served by a `SharedCurriculum` in this process and
each copy gets a `RemoteController` to it; the server stops when the vector env closes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym

from rlvr_envs.curriculum import Controller, SharedCurriculum


class CurriculumSyncVectorEnv(gym.vector.SyncVectorEnv):
    """`SyncVectorEnv` whose copies share ``curriculum`` (exposed as ``.curriculum``)."""

    def __init__(self, env_fns: Sequence[Callable[[], gym.Env[Any, Any]]], *, curriculum: Controller, **kwargs: Any):
        super().__init__(env_fns, **kwargs)
        self.curriculum = curriculum


class CurriculumAsyncVectorEnv(gym.vector.AsyncVectorEnv):
    """`AsyncVectorEnv` whose worker copies share one curriculum served from this process.

    ``.curriculum`` is the owner's locked view: read its ``state()``/``frontier()`` or save it at
    any time while the workers run.
    """

    def __init__(
        self, env_fns: Sequence[Callable[[], gym.Env[Any, Any]]], *, shared: SharedCurriculum, **kwargs: Any
    ) -> None:
        self.shared = shared
        try:
            super().__init__(env_fns, **kwargs)
        except BaseException:
            shared.close()
            raise

    @property
    def curriculum(self) -> Controller:
        return self.shared.local

    def close_extras(self, timeout: int | float | None = None, terminate: bool = False) -> None:
        try:
            super().close_extras(timeout=timeout, terminate=terminate)
        finally:
            self.shared.close()
