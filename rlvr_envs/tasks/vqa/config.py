"""VQA configuration: spec options, reward weights and the level -> difficulty-knob mapping."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rlvr_envs.core.family import FamilyConfig


class VQAReward(BaseModel):
    """Weights of the verdict components (they must sum to 1, so the oracle earns exactly 1.0).

    ``format_penalty`` is subtracted when the response does not follow the three-tag format.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: float = Field(default=0.1, ge=0.0, le=1.0)
    caption: float = Field(default=0.2, ge=0.0, le=1.0)
    boxes: float = Field(default=0.3, ge=0.0, le=1.0)
    answer: float = Field(default=0.4, ge=0.0, le=1.0)
    format_penalty: float = Field(default=0.1, ge=0.0, le=1.0)
    #: content credit (caption, boxes, answer) only for a right answer on grounded boxes, so a guessed
    #: yes/no or a box round every object earns nothing beyond ``format`` (docs/vqa.md, well-posedness)
    gated: bool = True
    grounded: float = Field(default=0.75, ge=0.0, le=1.0, description="least box score that counts as grounded")
    caption_metric: Literal["rouge_l", "bleu"] = "rouge_l"

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> VQAReward:
        total = self.format + self.caption + self.boxes + self.answer
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"reward weights format+caption+boxes+answer must sum to 1, got {total:.4f}")
        return self


class Knobs(BaseModel):
    """The concrete difficulty of one level (every field non-decreasing in the level)."""

    model_config = ConfigDict(frozen=True)

    objects: int
    similarity: float  # chance that a new object copies all but one attribute of an earlier one
    chain_length: int  # hops in relation-chain questions
    shrink: float  # objects are drawn (1 - shrink) times their base size
    occlusion: float  # allowed share of an object's box covered by later objects
    noise: int  # amplitude of uniform pixel noise (0..255 scale)
    clutter: int  # background lines and specks that are not objects

    def as_dict(self) -> dict[str, float]:
        return {key: float(value) for key, value in self.model_dump().items()}


class VQAConfig(FamilyConfig):
    """Options of rlvr/VQA-v0 (spec ``kwargs``)."""

    image_size: int = Field(default=336, ge=96, le=2048)
    coords: Literal["pixel", "normalized"] = "pixel"
    crop_tool: bool = False
    max_crops: int = Field(default=3, ge=0, le=16)
    reward: VQAReward = VQAReward()

    def knobs(self, level: int) -> Knobs:
        """Level 0: 3 well-separated large-ish objects on a clean background; each level adds one
        object (up to 10), more look-alike distractors, longer relation chains, smaller objects,
        more occlusion, noise and clutter; all knobs saturate so every level stays solvable.
        """
        return Knobs(
            objects=min(10, 3 + level),
            similarity=min(0.6, 0.08 * level),
            chain_length=min(4, 2 + level // 3),
            shrink=min(0.4, 0.05 * level),
            occlusion=min(0.45, 0.06 * level),
            noise=min(40, 4 * level),
            clutter=min(40, 3 * level),
        )
