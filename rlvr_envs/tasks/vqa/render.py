"""Rasterise a scene graph into an RGB image (Pillow + numpy, CPU only, deterministic).

Every object is drawn from one binary mask per (shape, radius); the same masks build the label
map from which the gold boxes come, so a box always contains exactly the object's visible pixels.
Pillow is imported lazily (inside functions) so ``import rlvr_envs`` stays light.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from rlvr_envs.tasks.vqa.vocab import COLORS

if TYPE_CHECKING:
    from PIL import Image as PILImage


# What the renderer reads from a scene: declared here so `render` does not import `scene` (which
# imports the masks from here); `scene.Scene` satisfies it.
class Drawable(Protocol):
    @property
    def shape(self) -> str: ...
    @property
    def color(self) -> str: ...
    @property
    def texture(self) -> str: ...
    @property
    def cx(self) -> int: ...
    @property
    def cy(self) -> int: ...
    @property
    def r(self) -> int: ...


class Mark(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def points(self) -> list[int]: ...
    @property
    def width(self) -> int: ...
    @property
    def color(self) -> list[int]: ...


class Scene(Protocol):
    @property
    def size(self) -> int: ...
    @property
    def background(self) -> list[list[int]]: ...
    @property
    def objects(self) -> Sequence[Drawable]: ...
    @property
    def clutter(self) -> Sequence[Mark]: ...
    @property
    def noise(self) -> int: ...
    @property
    def noise_seed(self) -> int: ...


_STRIPE = 5  # stripe half-period in pixels
_DOT = 6  # dot grid period in pixels


def shape_points(shape: str, r: int) -> list[tuple[float, float]] | None:
    """Polygon vertices of ``shape`` inside the square [0, 2r] x [0, 2r] (``None`` for circle/square)."""
    c = float(r)
    if shape == "triangle":
        return [(c, 0.0), (2.0 * c, 2.0 * c), (0.0, 2.0 * c)]
    if shape == "diamond":
        return [(c, 0.0), (2.0 * c, c), (c, 2.0 * c), (0.0, c)]
    if shape == "hexagon":
        return [(c + c * math.cos(math.pi / 3 * k), c + c * math.sin(math.pi / 3 * k)) for k in range(6)]
    return None


@lru_cache(maxsize=512)
def shape_mask(shape: str, r: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The object's pixels in its (2r+1)-square: translation-invariant, so cached per (shape, r)."""
    from PIL import Image, ImageDraw

    side = 2 * r + 1
    canvas = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(canvas)
    points = shape_points(shape, r)
    if shape == "circle":
        draw.ellipse((0, 0, 2 * r, 2 * r), fill=255)
    elif shape == "square":
        draw.rectangle((0, 0, 2 * r, 2 * r), fill=255)
    elif points is not None:
        draw.polygon(points, fill=255)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    mask = np.asarray(canvas) > 0
    mask.setflags(write=False)
    return mask


@lru_cache(maxsize=512)
def _edge_mask(shape: str, r: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The 1-pixel rim of the mask (mask minus its 4-neighbour erosion), drawn darker as an outline."""
    mask = shape_mask(shape, r)
    padded = np.pad(mask, 1)
    inner = padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    edge = mask & ~inner
    edge.setflags(write=False)
    return edge


@lru_cache(maxsize=1024)
def _layers(shape: str, r: int, texture: str) -> tuple[PILImage.Image, PILImage.Image | None, PILImage.Image]:
    """Paste masks of one object, independent of its colour (so cached per shape, radius, texture):
    the whole shape, the texture's marks inside it (``None`` for solid), and the outline."""
    from PIL import Image

    side = 2 * r + 1
    mask = shape_mask(shape, r)
    edge = _edge_mask(shape, r)
    ys, xs = np.mgrid[0:side, 0:side]
    if texture == "striped":
        marks: np.ndarray[Any, np.dtype[np.bool_]] | None = ((xs + ys) // _STRIPE) % 2 == 1
    elif texture == "dotted":
        marks = ((xs % _DOT) - _DOT // 2) ** 2 + ((ys % _DOT) - _DOT // 2) ** 2 <= 2
    else:
        marks = None

    def as_image(pixels: np.ndarray[Any, np.dtype[np.bool_]]) -> PILImage.Image:
        return Image.fromarray(pixels.astype(np.uint8) * 255, "L")

    return as_image(mask), (as_image(marks & mask & ~edge) if marks is not None else None), as_image(edge)


@lru_cache(maxsize=64)
def _shades(color: str, texture: str) -> tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
    """Fill, texture-mark and outline colours."""
    base = COLORS[color]
    if texture == "dotted":
        mark = tuple(255 - (255 - c) * 35 // 100 for c in base)
    else:
        mark = tuple(c * 55 // 100 for c in base)
    edge = tuple(c * 40 // 100 for c in base)
    return base, mark, edge  # type: ignore[return-value]


def label_map(scene: Scene) -> np.ndarray[Any, np.dtype[np.int16]]:
    """Which object owns each pixel (index + 1; 0 = background), later objects on top."""
    labels = np.zeros((scene.size, scene.size), dtype=np.int16)
    for index, obj in enumerate(scene.objects):
        mask = shape_mask(obj.shape, obj.r)
        window = labels[obj.cy - obj.r : obj.cy + obj.r + 1, obj.cx - obj.r : obj.cx + obj.r + 1]
        window[mask] = index + 1
    return labels


def _background(scene: Scene) -> PILImage.Image:
    """A vertical gradient between the scene's two background colours."""
    from PIL import Image

    top = np.array(scene.background[0], dtype=np.float32)
    bottom = np.array(scene.background[1], dtype=np.float32)
    ramp = np.linspace(0.0, 1.0, scene.size, dtype=np.float32)[:, None]
    column = (top[None, :] * (1.0 - ramp) + bottom[None, :] * ramp).astype(np.uint8)
    return Image.fromarray(column[:, None, :], "RGB").resize((scene.size, scene.size), Image.Resampling.NEAREST)


def render(scene: Scene, *, skip: int | None = None) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The scene as an ``H x W x 3`` uint8 array; ``skip`` leaves one object out (used by tests)."""
    from PIL import ImageDraw

    canvas = _background(scene)
    draw = ImageDraw.Draw(canvas)
    for item in scene.clutter:
        color = tuple(item.color)
        if item.kind == "line":
            draw.line(item.points, fill=color, width=item.width)
        else:
            x, y = item.points[0], item.points[1]
            draw.ellipse((x - item.width, y - item.width, x + item.width, y + item.width), fill=color)
    for index, obj in enumerate(scene.objects):
        if index == skip:
            continue
        fill, marks, outline = _layers(obj.shape, obj.r, obj.texture)
        base, mark, edge = _shades(obj.color, obj.texture)
        corner = (obj.cx - obj.r, obj.cy - obj.r)
        canvas.paste(base, (*corner, obj.cx + obj.r + 1, obj.cy + obj.r + 1), fill)
        if marks is not None:
            canvas.paste(mark, (*corner, obj.cx + obj.r + 1, obj.cy + obj.r + 1), marks)
        canvas.paste(edge, (*corner, obj.cx + obj.r + 1, obj.cy + obj.r + 1), outline)
    if scene.noise > 0:
        canvas = _add_noise(canvas, scene.noise, scene.noise_seed)
    return np.array(canvas)


def _add_noise(canvas: PILImage.Image, amplitude: int, seed: int) -> PILImage.Image:
    """Uniform noise in [-amplitude, amplitude] per channel, in Pillow's C loops: random bytes
    mapped to [0, 2 * amplitude] by a lookup table, added with an offset of -amplitude (clipped)."""
    from PIL import Image, ImageChops

    width, height = canvas.size
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    raw = Image.frombytes("L", (3 * width, height), rng.bytes(3 * width * height)).point(_noise_table(amplitude))
    noise = Image.frombytes("RGB", canvas.size, raw.tobytes())
    return ImageChops.add(canvas, noise, scale=1.0, offset=-amplitude)


@lru_cache(maxsize=64)
def _noise_table(amplitude: int) -> list[int]:
    return [(value * (2 * amplitude + 1)) >> 8 for value in range(256)]


def crop_zoom(
    image: np.ndarray[Any, np.dtype[np.uint8]], box: tuple[int, int, int, int], out_size: int
) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The region ``box`` (pixel edges, already clipped to the image) resized to ``out_size`` square."""
    from PIL import Image

    x1, y1, x2, y2 = box
    region = Image.fromarray(image[y1:y2, x1:x2])
    return np.asarray(region.resize((out_size, out_size), Image.Resampling.BILINEAR)).copy()
