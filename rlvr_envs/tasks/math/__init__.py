"""Math-v0: procedural math problems (10 generator families) or your own JSONL dataset.

MathPython-v0 (`MathPythonFamily`) is the same family with a sandboxed ``python`` tool.
"""

from rlvr_envs.tasks.math.family import MathConfig, MathFamily, MathReward
from rlvr_envs.tasks.math.python_tool import MathPythonConfig, MathPythonFamily

__all__ = ["MathConfig", "MathFamily", "MathPythonConfig", "MathPythonFamily", "MathReward"]
