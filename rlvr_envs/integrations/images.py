"""Images in and out of the integrations: encode env images (``uint8`` arrays) as PNG/JPEG bytes or
``data:`` URLs, resize them to a size limit, and decode any of those forms back to pixels.

One place for the wire formats of docs/integrations.md ("Multimodal"): the eval client sends
``data:image/png;base64,...`` URLs, the exporter writes ``{"bytes": <PNG>, "path": None}`` structs
(what Hugging Face ``datasets.Image`` and verl's ``process_image`` read) or, in JSONL, data URLs.
"""

from __future__ import annotations

import base64
import io
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from rlvr_envs.errors import InvalidOptionError

ImageFormat = Literal["png", "jpeg"]
_MIME = {"png": "image/png", "jpeg": "image/jpeg"}


class ImageOptions(BaseModel):
    """How images are encoded: format, JPEG quality, and an optional limit on the longer side."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: ImageFormat = "png"
    jpeg_quality: int = Field(default=90, ge=1, le=100)
    max_side: int | None = Field(default=None, ge=8, description="resize so the longer side is at most this")
    max_bytes: int | None = Field(default=None, ge=1, description="refuse an encoded image larger than this")


class ImageTooLargeError(InvalidOptionError):
    """An encoded image is over ``max_bytes``; the message names the options that fix it."""


def to_array(image: Any) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """An ``(H, W, 3)`` ``uint8`` array from an array, a PIL image, PNG/JPEG bytes, a ``{"bytes": ...}``
    struct or a ``data:`` URL."""
    from PIL import Image

    if isinstance(image, dict):
        image = image.get("bytes")
    if isinstance(image, str):
        if not image.startswith("data:image/") or ";base64," not in image:
            raise InvalidOptionError(f"not an image data URL: {image[:40]!r}...")
        image = base64.b64decode(image.split(";base64,", 1)[1])
    if isinstance(image, bytes | bytearray | memoryview):
        with Image.open(io.BytesIO(bytes(image))) as opened:
            return np.asarray(opened.convert("RGB"), dtype=np.uint8)
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
        raise InvalidOptionError(f"an image must be (H, W, 3) uint8, got {array.dtype} {array.shape}")
    return array


def resized(image: np.ndarray[Any, Any], max_side: int | None) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """``image`` scaled down (bicubic, aspect kept) so its longer side is at most ``max_side``."""
    array = to_array(image)
    height, width = array.shape[:2]
    if max_side is None or max(height, width) <= max_side:
        return array
    from PIL import Image

    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(array).resize(size, Image.Resampling.BICUBIC), dtype=np.uint8)


def encode(image: Any, options: ImageOptions | None = None, *, what: str = "image") -> bytes:
    """The image as PNG (lossless) or JPEG bytes after the size limit of ``options``."""
    from PIL import Image

    options = options or ImageOptions()
    array = resized(image, options.max_side)
    buffer = io.BytesIO()
    if options.format == "png":
        Image.fromarray(array).save(buffer, format="PNG", optimize=False)
    else:
        Image.fromarray(array).save(buffer, format="JPEG", quality=options.jpeg_quality)
    data = buffer.getvalue()
    if options.max_bytes is not None and len(data) > options.max_bytes:
        height, width = array.shape[:2]
        raise ImageTooLargeError(
            f"{what} ({width}x{height}) encodes to {len(data):,} bytes as {options.format.upper()}, over the limit "
            f"--image-max-bytes {options.max_bytes:,}; pass --image-max-side N to send it smaller"
            + (" or --image-format jpeg" if options.format == "png" else " or a lower --jpeg-quality")
        )
    return data


def data_url(image: Any, options: ImageOptions | None = None, *, what: str = "image") -> str:
    """``data:image/png;base64,...`` (or ``image/jpeg``): the form OpenAI-compatible servers accept."""
    options = options or ImageOptions()
    payload = base64.b64encode(encode(image, options, what=what)).decode("ascii")
    return f"data:{_MIME[options.format]};base64,{payload}"
