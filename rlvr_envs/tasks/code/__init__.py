"""Code-v0: procedural programming problems (54 templates) or your own dataset, judged in the sandbox."""

from rlvr_envs.tasks.code.family import CodeConfig, CodeFamily, CodeReward

__all__ = ["CodeConfig", "CodeFamily", "CodeReward"]
