"""Shared fixtures: every test sees the package imported and the specs registered."""

from __future__ import annotations

import rlvr_envs  # noqa: F401  (registers all env specs)
