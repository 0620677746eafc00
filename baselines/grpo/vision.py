"""The keyword arguments a vision-language model's forward takes for a batch's images.

Generation and every log-prob pass of the trainer (policy, old policy, reference) call
`image_inputs` on the same rollout images, so the model sees the same pixels in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch


def image_inputs(processor: Any, per_row: Sequence[Sequence[Any]]) -> dict[str, torch.Tensor]:
    """Everything ``processor.image_processor`` returns for the rows' images (``uint8`` ``H x W x 3``
    arrays), flattened in row order: ``pixel_values`` and, for models that need them,
    ``image_grid_thw`` (Qwen2-VL), ``image_sizes`` (LLaVA-NeXT) and the like. Empty when there are none.
    """
    images = [image for row in per_row for image in row]
    if not images:
        return {}
    from PIL import Image

    pil = [Image.fromarray(image) if not isinstance(image, Image.Image) else image for image in images]
    out = processor.image_processor(images=pil, return_tensors="pt")
    return {key: value for key, value in out.items() if isinstance(value, torch.Tensor)}
