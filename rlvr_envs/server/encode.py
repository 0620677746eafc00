"""Turn an env's ``(observation, info)`` into the wire `Observation`, and clean what comes in.

Images travel as base64 PNG data URLs inside OpenAI-style content parts, each image once (the
turn it first appears). Text from the network may hold lone surrogates (valid JSON, invalid UTF-8):
they become U+FFFD so that neither the env nor the JSON encoder of the reply trips over them.
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

import numpy as np
from PIL import Image

from rlvr_envs.server.wire import Observation


def clean_text(text: str) -> str:
    """``text`` as valid UTF-8 (lone surrogates replaced), so every later encode succeeds."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="replace").decode("utf-8")
    return text


def png_data_url(image: Any) -> str:
    """An HxWx3 (or HxW) uint8 array as a ``data:image/png;base64,...`` URL."""
    array = np.asarray(image, dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_png_data_url(url: str) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """Inverse of `png_data_url` (for clients rebuilding image observations)."""
    _, _, payload = url.partition(",")
    with Image.open(io.BytesIO(base64.b64decode(payload))) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def json_safe(value: Any) -> Any:
    """Numpy scalars/arrays to Python, non-finite floats to ``None``: what strict JSON accepts."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        return json_safe(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def observation(
    obs: Any,
    info: dict[str, Any],
    *,
    terminated: bool = False,
    truncated: bool = False,
    images_sent: int = 0,
    error: str | None = None,
) -> tuple[Observation, int]:
    """The wire observation, and how many of the episode's images have now been sent."""
    text = obs["text"] if isinstance(obs, dict) else str(obs)
    content: list[dict[str, Any]] | None = None
    images = info.get("images")
    if images is not None:
        content = [{"type": "text", "text": text}]
        for image in images[images_sent:]:
            content.append({"type": "image_url", "image_url": {"url": png_data_url(image)}})
        images_sent = len(images)
    verdict = info.get("verdict")
    wire = Observation(
        text=text,
        content=content,
        messages=json_safe(info.get("messages", [])),
        tools=json_safe(info.get("tools", [])),
        env_id=str(info.get("env_id", "")),
        task_id=str(info.get("task_id", "")),
        level=int(info.get("level", 0)),
        turn=int(info.get("turn", 0)),
        terminated=terminated,
        truncated=truncated,
        verdict=json_safe(verdict) if verdict is not None else None,
        feedback=json_safe(info["feedback"]) if "feedback" in info else None,
        error=error,
    )
    return wire, images_sent
