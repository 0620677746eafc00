"""`VQAFamily` (rlvr/VQA-v0, rlvr/VQACrop-v0): a rendered scene, a question, a grounded answer.

The observation is ``Dict(text, image)``. The first user message is ``[{"type": "image"},
{"type": "text", ...}]`` and the image of every image part is in ``info["images"]`` (in order).
With ``crop_tool`` the agent may call ``crop`` (``<tool_call>{"name": "crop", "arguments":
{"x1": .., "y1": .., "x2": .., "y2": ..}}</tool_call>``) and gets the region zoomed back as a new
image; any other reply is scored as the final answer.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import numpy as np
from gymnasium import spaces

from rlvr_envs.core.family import EpisodeState, TaskFamily, Transcript, final_text
from rlvr_envs.core.parsing import parse_tool_calls
from rlvr_envs.core.spaces import UnicodeText
from rlvr_envs.core.types import Feedback, Task, Verdict
from rlvr_envs.tasks.vqa.config import VQAConfig
from rlvr_envs.tasks.vqa.questions import make_question
from rlvr_envs.tasks.vqa.render import crop_zoom, render
from rlvr_envs.tasks.vqa.scene import Scene, generate_scene
from rlvr_envs.tasks.vqa.scoring import score
from rlvr_envs.tasks.vqa.vocab import COLORS, SHAPES, SIZES, TEXTURES
from rlvr_envs.verifiers.grounding import clean_box

_CACHE = 16
FORMAT = (
    "Reply in exactly this format:\n"
    "<caption>a short description of the objects the question is about</caption>"
    "<bbox>[[x1, y1, x2, y2], ...]</bbox><answer>your answer</answer>\n"
    "List one box per object the question refers to (an empty list [] if there is none). "
)
COORDS = {
    "pixel": "Boxes are in pixels of the {size}x{size} image: (0, 0) is the top-left corner, x grows to the right, "
    "y downwards, and x2/y2 are exclusive.",
    "normalized": "Boxes are normalised to [0, 1]: (0, 0) is the top-left corner and (1, 1) the bottom-right one.",
}
CROP_TOOL = {
    "type": "function",
    "function": {
        "name": "crop",
        "description": "Zoom in: returns the region (x1, y1)-(x2, y2) of the original image enlarged to the full size.",
        "parameters": {
            "type": "object",
            "properties": {name: {"type": "number"} for name in ("x1", "y1", "x2", "y2")},
            "required": ["x1", "y1", "x2", "y2"],
        },
    },
}


class VQAFamily(TaskFamily):
    """Visual questions about procedurally rendered scenes, answered with caption, boxes and answer."""

    name = "vqa"
    Config = VQAConfig
    config: VQAConfig

    def __init__(self, config: VQAConfig | None = None, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._images: OrderedDict[str, tuple[dict[str, Any], np.ndarray[Any, Any]]] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config, "_images": OrderedDict()}  # the cache is rebuilt on demand

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # ---- generation -------------------------------------------------------------------------
    def knobs(self, level: int) -> dict[str, float]:
        return self.config.knobs(level).as_dict()

    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        knobs = self.config.knobs(level)
        while True:
            scene = generate_scene(rng, knobs, self.config.image_size)
            question = make_question(rng, scene, knobs.chain_length)
            if question is not None:
                break
        data = {"scene": scene.to_dict(), "question": question.to_dict()}
        metadata = {"question_family": question.family, "objects": len(scene.objects), "knobs": knobs.as_dict()}
        return Task(task_id=task_id, family=self.name, level=level, prompt=question.text, data=data, metadata=metadata)

    def image(self, task: Task) -> np.ndarray[Any, np.dtype[np.uint8]]:
        """The task's rendered image (cached per task; a pure function of ``task.data["scene"]``)."""
        scene = task.data["scene"]
        cached = self._images.get(task.task_id)
        if cached is not None and cached[0] == scene:
            self._images.move_to_end(task.task_id)
            return cached[1]
        image = render(Scene.from_dict(scene))
        image.setflags(write=False)
        self._images[task.task_id] = (scene, image)
        while len(self._images) > _CACHE:
            self._images.popitem(last=False)
        return image

    # ---- protocol ---------------------------------------------------------------------------
    def system_prompt(self, task: Task) -> str | None:
        size = int(task.data["scene"]["size"])
        text = (
            "You answer questions about an image of simple objects (shapes with a size, a colour and a "
            "texture: solid, striped or dotted). "
            + vocabulary(self.config.knobs(task.level).shrink)
            + " "
            + FORMAT
            + COORDS[self.config.coords].format(size=size)
        )
        if self.config.crop_tool:
            text += (
                f" You may zoom in first, up to {self.config.max_crops} times, with the crop tool: "
                '<tool_call>{"name": "crop", "arguments": {"x1": .., "y1": .., "x2": .., "y2": ..}}</tool_call> '
                "(coordinates of the original image)."
            )
        return text

    def first_prompt(self, task: Task) -> list[dict[str, Any]]:
        return [{"type": "image"}, {"type": "text", "text": task.prompt}]

    def tools(self, task: Task) -> list[dict[str, Any]]:
        return [CROP_TOOL] if self.config.crop_tool else []

    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        if not self.config.crop_tool:
            return self.verify(state.task, action)
        parsed = parse_tool_calls(action)
        if not parsed.calls and not parsed.errors:
            return self.verify(state.task, action)
        if parsed.errors or parsed.calls[0].name != "crop":
            problem = parsed.errors[0] if parsed.errors else f"unknown tool {parsed.calls[0].name!r}"
            return Feedback(message=f"Tool error: {problem}. The only tool is crop(x1, y1, x2, y2).")
        used = int(state.scratch.get("crops", 0))
        if used >= self.config.max_crops:
            return Feedback(message=f"No crops left (the limit is {self.config.max_crops}); give your final answer.")
        region = self._crop_region(parsed.calls[0].arguments)
        if isinstance(region, str):
            return Feedback(message=f"Tool error: {region}")
        state.scratch["crops"] = used + 1
        size = self.config.image_size
        zoomed = crop_zoom(self.image(state.task), region, size)
        zoomed.setflags(write=False)
        self._episode_images(state).append(zoomed)
        label = f"Crop [{', '.join(map(str, region))}] (pixels) of the original image, zoomed to {size}x{size}:"
        return Feedback(message=[{"type": "text", "text": label}, {"type": "image"}], info={"crop": list(region)})

    def _crop_region(self, arguments: dict[str, Any]) -> tuple[int, int, int, int] | str:
        """The crop box in pixels, clipped to the image, or a message saying what is wrong."""
        try:
            values = [float(arguments[key]) for key in ("x1", "y1", "x2", "y2")]
        except (KeyError, TypeError, ValueError, OverflowError):
            return "crop needs four numbers x1, y1, x2, y2"
        size = self.config.image_size
        if self.config.coords == "normalized":
            values = [v * size for v in values]
        box = clean_box(values)
        if box is None:
            return "the crop box is empty or not finite"
        x1, y1 = max(0, int(np.floor(box[0]))), max(0, int(np.floor(box[1])))
        x2, y2 = min(size, int(np.ceil(box[2]))), min(size, int(np.ceil(box[3])))
        if x2 - x1 < 4 or y2 - y1 < 4:
            return "the crop box must cover at least 4x4 pixels of the image"
        return (x1, y1, x2, y2)

    # ---- observations -----------------------------------------------------------------------
    def observation_space(self, max_chars: int) -> spaces.Space[Any]:
        size = self.config.image_size
        return spaces.Dict(
            {
                "text": UnicodeText(max_chars),
                "image": spaces.Box(0, 255, shape=(size, size, 3), dtype=np.uint8),
            }
        )

    def to_observation(self, content: str | list[dict[str, Any]], state: EpisodeState) -> Any:
        """Text plus the image this message carries (a black image when it carries none)."""
        images = self._episode_images(state)
        size = self.config.image_size
        if isinstance(content, str):
            return {"text": content, "image": np.zeros((size, size, 3), dtype=np.uint8)}
        text = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        has_image = any(isinstance(part, dict) and part.get("type") == "image" for part in content)
        image = images[-1] if has_image else np.zeros((size, size, 3), dtype=np.uint8)
        return {"text": text, "image": np.array(image, dtype=np.uint8)}

    def images(self, state: EpisodeState) -> list[Any] | None:
        return list(self._episode_images(state))

    def _episode_images(self, state: EpisodeState) -> list[np.ndarray[Any, Any]]:
        if "images" not in state.scratch:
            state.scratch["images"] = [self.image(state.task)]
        images: list[np.ndarray[Any, Any]] = state.scratch["images"]
        return images

    # ---- scoring ----------------------------------------------------------------------------
    def verify(self, task: Task, transcript: Transcript) -> Verdict:
        return score(task.data, final_text(transcript), self.config.reward, self.config.coords)

    def oracle_action(self, state: EpisodeState) -> str:
        question = state.task.data["question"]
        objects = state.task.data["scene"]["objects"]
        boxes = [objects[i]["box"] for i in question["refs"]]
        if self.config.crop_tool and self.config.max_crops > 0 and not state.scratch.get("crops") and boxes:
            x1, y1 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            x2, y2 = max(b[2] for b in boxes), max(b[3] for b in boxes)
            region = self._format_box([x1 - 8, y1 - 8, x2 + 8, y2 + 8])
            arguments = dict(zip(("x1", "y1", "x2", "y2"), region, strict=True))
            return f"<tool_call>{json.dumps({'name': 'crop', 'arguments': arguments})}</tool_call>"
        return response_text(question["caption"], [self._format_box(b) for b in boxes], question["answer"])

    def _format_box(self, box: list[int]) -> list[float]:
        if self.config.coords == "pixel":
            return [float(v) for v in box]
        return [v / self.config.image_size for v in box]


def vocabulary(shrink: float) -> str:
    """The closed vocabulary and the size scale of this level's images, so every size word is decidable."""
    across = {name: f"{2 * share * (1.0 - shrink):.0%}" for name, share in SIZES.items()}
    scale = ", ".join(f"{name} about {value}" for name, value in across.items())
    return (
        f"Shapes: {', '.join(SHAPES)}. Colours: {', '.join(COLORS)}. Textures: {', '.join(TEXTURES)}. "
        f"Sizes, as the width of an object relative to the image: {scale}. "
        '"Left of", "above"... compare object centres; "nearest" is the object closest to it.'
    )


def response_text(caption: str, boxes: list[list[float]], answer: str) -> str:
    """A response in the required format (used by the oracle and the baselines)."""
    listed = ", ".join("[" + ", ".join(_number(v) for v in box) + "]" for box in boxes)
    return f"<caption>{caption}</caption><bbox>[{listed}]</bbox><answer>{answer}</answer>"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
