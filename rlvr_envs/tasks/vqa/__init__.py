"""Visual question answering with spatial grounding over procedurally rendered scenes.

`VQAFamily` (rlvr/VQA-v0, and rlvr/VQACrop-v0 with a crop/zoom tool) renders CLEVR-like scenes
with exact boxes, asks one of nine question families and scores the SATORI-style three-part reply
(caption, boxes, answer). See docs/vqa.md.
"""

from rlvr_envs.tasks.vqa.config import Knobs, VQAConfig, VQAReward
from rlvr_envs.tasks.vqa.family import VQAFamily, response_text
from rlvr_envs.tasks.vqa.questions import FAMILIES, Question
from rlvr_envs.tasks.vqa.response import ParsedResponse, parse_response
from rlvr_envs.tasks.vqa.scene import Scene, SceneObject, generate_scene

__all__ = [
    "FAMILIES",
    "Knobs",
    "ParsedResponse",
    "Question",
    "Scene",
    "SceneObject",
    "VQAConfig",
    "VQAFamily",
    "VQAReward",
    "generate_scene",
    "parse_response",
    "response_text",
]
