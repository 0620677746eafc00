"""Scene graphs: objects with attributes, positions, exact visible boxes; a seeded generator.

A `Scene` is plain data (it round-trips through ``Task.data`` as JSON) and the image is a pure
function of it (`render.render`). Boxes are pixel edges ``[x1, y1, x2, y2]`` (``x2``/``y2``
exclusive) around the object's *visible* pixels, computed from the same masks the renderer pastes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from rlvr_envs.tasks.vqa.config import Knobs
from rlvr_envs.tasks.vqa.render import label_map, shape_mask
from rlvr_envs.tasks.vqa.vocab import ATTRIBUTES, SIZES, VALUES

MIN_VISIBLE = 0.5  # an object keeps at least this share of its pixels visible
_SCENE_TRIES = 30
_PLACE_TRIES = 80


@dataclass(slots=True)
class SceneObject:
    """One object: attributes, centre ``(cx, cy)``, half-side ``r`` and (after layout) gold facts."""

    shape: str
    color: str
    size: str
    texture: str
    cx: int
    cy: int
    r: int
    box: list[int] = field(default_factory=list)  # visible pixels' box, pixel edges
    area: int = 0  # visible pixels
    full_area: int = 0  # pixels of the whole shape
    inside: list[int] = field(default_factory=list)  # objects whose shape wholly contains this one (drawn below)

    def attr(self, name: str) -> str:
        return str(getattr(self, name))

    @property
    def full_box(self) -> tuple[int, int, int, int]:
        return (self.cx - self.r, self.cy - self.r, self.cx + self.r + 1, self.cy + self.r + 1)


@dataclass(slots=True)
class Clutter:
    """A background mark that is not an object: a thin line or a small speck."""

    kind: str  # "line" | "speck"
    points: list[int]
    width: int
    color: list[int]


@dataclass(slots=True)
class Scene:
    """Everything the renderer and the questions need; JSON-serialisable via `to_dict`."""

    size: int
    background: list[list[int]]
    objects: list[SceneObject]
    clutter: list[Clutter] = field(default_factory=list)
    noise: int = 0
    noise_seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "background": [list(c) for c in self.background],
            "objects": [{name: _copy(getattr(o, name)) for name in _OBJECT_FIELDS} for o in self.objects],
            "clutter": [{name: _copy(getattr(c, name)) for name in _CLUTTER_FIELDS} for c in self.clutter],
            "noise": self.noise,
            "noise_seed": self.noise_seed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scene:
        return cls(
            size=int(data["size"]),
            background=[list(map(int, c)) for c in data["background"]],
            objects=[SceneObject(**o) for o in data["objects"]],
            clutter=[Clutter(**c) for c in data.get("clutter", [])],
            noise=int(data.get("noise", 0)),
            noise_seed=int(data.get("noise_seed", 0)),
        )


_OBJECT_FIELDS = tuple(f.name for f in fields(SceneObject))
_CLUTTER_FIELDS = tuple(f.name for f in fields(Clutter))


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _attributes(rng: np.random.Generator, placed: list[SceneObject], similarity: float) -> dict[str, str]:
    """Fresh random attributes, or (with probability ``similarity``) a near-copy of an earlier object."""
    if placed and rng.random() < similarity:
        model = placed[int(rng.integers(len(placed)))]
        attrs = {name: model.attr(name) for name in ATTRIBUTES}
        changed = ATTRIBUTES[int(rng.integers(len(ATTRIBUTES)))]
        options = [v for v in VALUES[changed] if v != attrs[changed]]
        attrs[changed] = options[int(rng.integers(len(options)))]
        return attrs
    return {name: VALUES[name][int(rng.integers(len(VALUES[name])))] for name in ATTRIBUTES}


def _overlap_share(lower: tuple[int, int, int, int], upper: tuple[int, int, int, int], gap: int) -> float:
    """Share of ``lower``'s box covered by ``upper``'s box grown by ``gap`` pixels."""
    w = min(lower[2], upper[2] + gap) - max(lower[0], upper[0] - gap)
    h = min(lower[3], upper[3] + gap) - max(lower[1], upper[1] - gap)
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / ((lower[2] - lower[0]) * (lower[3] - lower[1]))


def _place(rng: np.random.Generator, placed: list[SceneObject], knobs: Knobs, size: int) -> SceneObject | None:
    for _ in range(_PLACE_TRIES):
        attrs = _attributes(rng, placed, knobs.similarity)
        r = max(4, round(SIZES[attrs["size"]] * size * (1.0 - knobs.shrink)))
        hosts = [o for o in placed if o.r >= 2 * r + 3]
        nested = bool(hosts) and rng.random() < 0.25
        if nested:  # a small object drawn on a big one (the "inside" relation)
            host = hosts[int(rng.integers(len(hosts)))]
            slack = max(0, (host.r - r) // 3)
            cx = host.cx + int(rng.integers(-slack, slack + 1))
            cy = host.cy + int(rng.integers(-slack, slack + 1))
        elif placed and knobs.occlusion > 0 and rng.random() < 2 * knobs.occlusion:
            # deliberately overlap an earlier object (occlusion), within the level's limit below
            other = placed[int(rng.integers(len(placed)))]
            angle = rng.uniform(0.0, 2.0 * np.pi)
            reach = (other.r + r) * rng.uniform(0.55, 1.0)
            cx = other.cx + round(reach * np.cos(angle))
            cy = other.cy + round(reach * np.sin(angle))
        else:
            cx = int(rng.integers(r + 1, size - r - 1))
            cy = int(rng.integers(r + 1, size - r - 1))
        candidate = SceneObject(
            shape=attrs["shape"], color=attrs["color"], size=attrs["size"], texture=attrs["texture"], cx=cx, cy=cy, r=r
        )
        box = candidate.full_box
        if box[0] < 0 or box[1] < 0 or box[2] > size or box[3] > size:
            continue
        gap = 3 if knobs.occlusion == 0 else 0
        fits = True
        for other in placed:
            if nested and other is host:
                continue
            if (
                _overlap_share(other.full_box, box, gap) > knobs.occlusion
                or _overlap_share(box, other.full_box, gap) > 0.9
            ):
                fits = False
                break
        if fits:
            return candidate
    return None


def _finish(objects: list[SceneObject], size: int) -> bool:
    """Fill in visible boxes, areas and containment; ``False`` when an object is too hidden."""
    scene = Scene(size=size, background=[[0, 0, 0], [0, 0, 0]], objects=objects)
    labels = label_map(scene)
    for index, obj in enumerate(objects):
        x1, y1, x2, y2 = obj.full_box
        mine = labels[y1:y2, x1:x2] == index + 1
        full = int(shape_mask(obj.shape, obj.r).sum())
        visible = int(mine.sum())
        if visible < MIN_VISIBLE * full:
            return False
        rows = np.flatnonzero(mine.any(axis=1))
        cols = np.flatnonzero(mine.any(axis=0))
        obj.box = [x1 + int(cols[0]), y1 + int(rows[0]), x1 + int(cols[-1]) + 1, y1 + int(rows[-1]) + 1]
        obj.area, obj.full_area = visible, full
    for index, obj in enumerate(objects):
        obj.inside = [j for j in range(index) if _contains(objects[j], obj)]
    return True


def _contains(outer: SceneObject, inner: SceneObject) -> bool:
    """Whether every pixel of ``inner``'s shape is a pixel of ``outer``'s shape."""
    ox1, oy1, ox2, oy2 = outer.full_box
    ix1, iy1, ix2, iy2 = inner.full_box
    if ix1 < ox1 or iy1 < oy1 or ix2 > ox2 or iy2 > oy2:
        return False
    window = shape_mask(outer.shape, outer.r)[iy1 - oy1 : iy2 - oy1, ix1 - ox1 : ix2 - ox1]
    return bool(np.all(window[shape_mask(inner.shape, inner.r)]))


def _background(rng: np.random.Generator) -> list[list[int]]:
    base = rng.integers(185, 236, size=3)
    other = np.clip(base + rng.integers(-25, 26, size=3), 160, 245)
    return [base.astype(int).tolist(), other.astype(int).tolist()]


def _clutter(rng: np.random.Generator, count: int, size: int, background: list[list[int]]) -> list[Clutter]:
    """Thin grey lines and specks darker than the background (all random numbers drawn at once)."""
    if count == 0:
        return []
    grey = sum(background[0]) // 3
    kinds = rng.random(count) < 0.5
    points = rng.integers(2, size - 2, size=(count, 2))
    deltas = rng.integers(-size // 6, size // 6 + 1, size=(count, 2))
    widths = rng.integers(1, 3, size=count)
    shades = np.clip(grey + rng.integers(-60, -20, size=count), 40, 255)
    tints = np.clip(shades[:, None] + rng.integers(-10, 11, size=(count, 3)), 0, 255)
    items = []
    for k in range(count):
        x, y = int(points[k, 0]), int(points[k, 1])
        tint = [int(v) for v in tints[k]]
        if kinds[k]:
            end = [x + int(deltas[k, 0]), y + int(deltas[k, 1])]
            items.append(Clutter("line", [x, y, *end], int(widths[k]), tint))
        else:
            items.append(Clutter("speck", [x, y], int(widths[k]), tint))
    return items


def generate_scene(rng: np.random.Generator, knobs: Knobs, size: int) -> Scene:
    """A scene with ``knobs.objects`` objects (fewer only if the layout keeps failing)."""
    best: list[SceneObject] = []
    for _ in range(_SCENE_TRIES):
        placed: list[SceneObject] = []
        for _ in range(knobs.objects):
            obj = _place(rng, placed, knobs, size)
            if obj is not None:
                placed.append(obj)
        if _finish(placed, size) and len(placed) > len(best):
            best = placed
            if len(best) == knobs.objects:
                break
    if not best:  # pragma: no cover - one object always fits
        raise RuntimeError("could not lay out a scene")
    background = _background(rng)
    return Scene(
        size=size,
        background=background,
        objects=best,
        clutter=_clutter(rng, knobs.clutter, size, background),
        noise=knobs.noise,
        noise_seed=int(rng.integers(0, 2**63 - 1)),
    )
