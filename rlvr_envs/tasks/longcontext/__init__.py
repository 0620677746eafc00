"""Long-context QA: multi-hop questions over generated documents with tiered distractors.

`LongContextQAFamily` (rlvr/LongContextQA-v0) puts every document in one long prompt;
`LongContextSearchFamily` (rlvr/LongContextSearch-v0) hides them behind ``search``/``open`` tools.
See docs/longcontext.md.
"""

from rlvr_envs.tasks.longcontext.config import LongContextConfig, LongContextSearchConfig
from rlvr_envs.tasks.longcontext.family import LongContextQAFamily
from rlvr_envs.tasks.longcontext.scoring import LongContextReward
from rlvr_envs.tasks.longcontext.search import LongContextSearchFamily

__all__ = [
    "LongContextConfig",
    "LongContextQAFamily",
    "LongContextReward",
    "LongContextSearchConfig",
    "LongContextSearchFamily",
]
