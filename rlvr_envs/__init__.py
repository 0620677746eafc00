"""rlvr-envs: verifiable multi-turn RL environments for language models.

``import rlvr_envs`` registers every env spec (built-in, ``RLVR_ENVS_PATH`` folders, installed
plugins) with gymnasium, so ``gym.make("rlvr/Math-v0")`` works from any RL library.
"""

from __future__ import annotations

from rlvr_envs.core.env import RLVREnv
from rlvr_envs.core.family import EpisodeState, FamilyConfig, TaskFamily, final_text
from rlvr_envs.core.registry import list_specs, load_all, register, register_spec_dir, register_spec_file
from rlvr_envs.core.types import EpisodeRecord, Feedback, Message, Task, ToolCall, Verdict
from rlvr_envs.envs.api import list_envs, make, make_vec, unwrap, verify
from rlvr_envs.envs.mixture import MixtureEnv, register_mixture

__version__ = "0.1.0"

load_all()

__all__ = [
    "EpisodeRecord",
    "EpisodeState",
    "FamilyConfig",
    "Feedback",
    "Message",
    "MixtureEnv",
    "RLVREnv",
    "Task",
    "TaskFamily",
    "ToolCall",
    "Verdict",
    "__version__",
    "final_text",
    "list_envs",
    "list_specs",
    "make",
    "make_vec",
    "register",
    "register_mixture",
    "register_spec_dir",
    "register_spec_file",
    "unwrap",
    "verify",
]
