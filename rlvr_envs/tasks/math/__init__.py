"""Math-v0: procedural math problems (10 generator families) or your own JSONL dataset."""

from rlvr_envs.tasks.math.family import MathConfig, MathFamily, MathReward

__all__ = ["MathConfig", "MathFamily", "MathReward"]
