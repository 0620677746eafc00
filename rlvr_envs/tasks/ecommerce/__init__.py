"""E-commerce customer service: a shop assistant with 15 tools serving a simulated customer.

`EcomFamily` (rlvr/EcomDialogue-v0) draws a seeded shop and a hidden customer goal from one of
eight scenarios; the verdict compares the final database state with the goal, checks what the
customer was told, and scores efficiency and hallucinated facts. See docs/ecommerce.md.
"""

from rlvr_envs.tasks.ecommerce.agents import NaiveAgent
from rlvr_envs.tasks.ecommerce.config import SCENARIOS, EcomConfig, EcomReward
from rlvr_envs.tasks.ecommerce.family import EcomFamily
from rlvr_envs.tasks.ecommerce.tools import TOOL_SPECS

__all__ = ["SCENARIOS", "TOOL_SPECS", "EcomConfig", "EcomFamily", "EcomReward", "NaiveAgent"]
