"""The closed vocabulary of scenes: attribute values, their colours and sizes, and answer synonyms."""

from __future__ import annotations

SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "hexagon")
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (205, 38, 38),
    "green": (34, 150, 60),
    "blue": (40, 80, 215),
    "yellow": (235, 205, 35),
    "purple": (130, 55, 175),
    "cyan": (30, 190, 205),
    "orange": (245, 130, 25),
    "brown": (125, 75, 35),
}
#: object half-side as a share of the image side, before the level's shrink factor
SIZES: dict[str, float] = {"small": 0.045, "medium": 0.07, "large": 0.1}
TEXTURES: tuple[str, ...] = ("solid", "striped", "dotted")
ATTRIBUTES: tuple[str, ...] = ("size", "color", "texture", "shape")
VALUES: dict[str, tuple[str, ...]] = {
    "shape": SHAPES,
    "color": tuple(COLORS),
    "size": tuple(SIZES),
    "texture": TEXTURES,
}
REGIONS: tuple[str, ...] = (
    "top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right",
)  # fmt: skip

#: answer words a model may reasonably use for our values (after text normalisation)
SYNONYMS: dict[str, str] = {
    "grey": "gray",
    "violet": "purple",
    "big": "large",
    "tiny": "small",
    "mid sized": "medium",
    "medium sized": "medium",
    "stripes": "striped",
    "stripy": "striped",
    "dots": "dotted",
    "spotted": "dotted",
    "polka dotted": "dotted",
    "plain": "solid",
    "centre": "center",
    "middle": "center",
    "upper left": "top left",
    "upper right": "top right",
    "lower left": "bottom left",
    "lower right": "bottom right",
    "left top": "top left",
    "right top": "top right",
    "left bottom": "bottom left",
    "right bottom": "bottom right",
    "top center": "top",
    "bottom center": "bottom",
    "center left": "left",
    "center right": "right",
    "left center": "left",
    "right center": "right",
    "upper": "top",
    "lower": "bottom",
}
