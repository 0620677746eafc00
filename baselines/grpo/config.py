"""Training configuration: pydantic models loaded from TOML, with command-line overrides.

A config file has one table per section (``[run]``, ``[env]``, ``[model]``, ``[rollout]``,
``[algo]``, ``[optim]``, ``[curriculum]``, ``[logging]``, ``[checkpoint]``, and ``[demo]`` for the
CPU demo). Every key has a default, so an empty file is a valid config. Overrides use dotted keys
and TOML values: ``--set optim.lr=1e-4 --set env.kwargs.generators='["arithmetic"]'``.
Unknown keys are errors that name the closest valid key.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from baselines.grpo.worked import SolutionStyle


class ConfigError(ValueError):
    """A config file or override that cannot be used; the message says what to fix."""


class Section(BaseModel):
    """A config table: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class RunConfig(Section):
    out_dir: str = Field(default="runs/grpo", description="metrics, checkpoints, plots and report go here")
    seed: int = Field(default=0, ge=0)
    device: Literal["auto", "cpu", "cuda"] = Field(default="auto", description="auto: cuda when available")
    threads: int = Field(default=0, ge=0, description="torch CPU threads (0: torch's default)")
    max_steps: int = Field(default=100, ge=0, description="optimizer steps of GRPO")
    time_budget_s: float = Field(default=0.0, ge=0.0, description="stop GRPO after this wall time (0: no limit)")


class EnvConfig(Section):
    id: str = "rlvr/Math-v0"
    kwargs: dict[str, Any] = Field(default_factory=dict, description="gym.make keywords, e.g. generators")


class TinyModelConfig(Section):
    """A small Llama built from a config (random init) with a byte-level BPE tokenizer trained locally."""

    hidden_size: int = Field(default=128, ge=8)
    num_layers: int = Field(default=2, ge=1)
    num_heads: int = Field(default=2, ge=1)
    head_dim: int = Field(default=64, ge=8, description="64 keeps vLLM's CPU attention happy")
    intermediate_size: int = Field(default=512, ge=8)
    max_positions: int = Field(default=1024, ge=16)
    vocab_size: int = Field(default=1024, ge=300, description="BPE vocabulary (256 bytes + merges + specials)")
    corpus_tasks: int = Field(default=3000, ge=10, description="generated tasks the tokenizer is trained on")
    corpus_levels: list[int] = Field(default_factory=lambda: [0, 1, 2, 3], description="levels of those tasks")


class TinyVLMConfig(Section):
    """A small random-init Llava (CLIP vision tower + Llama) with a character-level tokenizer, built locally."""

    image_size: int = Field(default=56, ge=14, description="the image processor resizes every image to this side")
    patch_size: int = Field(default=14, ge=2, description="(image_size / patch_size)^2 + 1 image tokens per image")
    vision_hidden_size: int = Field(default=32, ge=8)
    vision_layers: int = Field(default=2, ge=1)
    hidden_size: int = Field(default=64, ge=8)
    num_layers: int = Field(default=2, ge=1)
    num_heads: int = Field(default=2, ge=1)
    max_positions: int = Field(default=4096, ge=16, description="characters are tokens: VQA prompts run to ~1000")

    @model_validator(mode="after")
    def _patches_fit(self) -> TinyVLMConfig:
        if self.image_size % self.patch_size:
            raise ValueError(f"image_size ({self.image_size}) must be a multiple of patch_size ({self.patch_size})")
        return self


class ModelConfig(Section):
    path: str = Field(
        default="",
        description="HF model dir or hub id (a dir with a processor config loads as a vision-language model); "
        "empty: build the tiny model",
    )
    dtype: Literal["auto", "float32", "bfloat16"] = Field(default="auto", description="auto: bf16 on CUDA, fp32 on CPU")
    gradient_checkpointing: bool = False
    tiny: TinyModelConfig = Field(default_factory=TinyModelConfig)
    tiny_vlm: TinyVLMConfig | None = Field(
        default=None, description="set (even as an empty [model.tiny_vlm] table): build the tiny vision-language model"
    )


class RolloutConfig(Section):
    backend: Literal["hf", "vllm"] = "hf"
    groups_per_step: int = Field(default=16, ge=1, description="tasks per optimizer step")
    group_size: int = Field(default=8, ge=2, description="rollouts per task (G)")
    max_new_tokens: int = Field(default=64, ge=1, description="token budget per assistant turn")
    max_context_tokens: int = Field(default=1024, ge=16, description="an episode longer than this stops")
    max_turns: int = Field(default=0, ge=0, description="0: the env's own limit")
    temperature: float = Field(default=1.0, gt=0.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    top_k: int = Field(default=0, ge=0, description="0: off")
    generation_batch_size: int = Field(default=256, ge=1, description="sequences per generate call")
    hf_decoder: Literal["compact", "generate"] = Field(
        default="compact",
        description="hf backend: 'compact' stops computing a sequence once it ends (text prompts); "
        "'generate' is transformers' generate, which decodes the batch until its longest sequence ends",
    )
    dynamic_sampling: bool = Field(default=True, description="drop zero-variance groups and sample more (DAPO)")
    max_sampling_rounds: int = Field(default=3, ge=1, description="generation rounds per step to fill the batch")
    vllm_gpu_memory_utilization: float = Field(default=0.3, gt=0.0, le=1.0)
    vllm_kv_cache_gib: float = Field(default=1.0, gt=0.0, description="VLLM_CPU_KVCACHE_SPACE on CPU")


class AlgoConfig(Section):
    scale_std: bool = Field(default=True, description="divide advantages by the group's std (GRPO); off: Dr.GRPO")
    leave_one_out: bool = Field(default=False, description="baseline = mean of the other G-1 rewards (RLOO)")
    adv_eps: float = Field(default=1e-4, gt=0.0)
    clip_low: float = Field(default=0.2, ge=0.0, lt=1.0, description="ratio floor 1 - clip_low")
    clip_high: float = Field(default=0.28, ge=0.0, description="ratio ceiling 1 + clip_high (DAPO clip-higher)")
    beta: float = Field(default=0.0, ge=0.0, description="KL(policy || frozen reference) coefficient")
    loss_agg: Literal["seq_mean", "token_mean", "dr_grpo"] = "token_mean"
    dr_grpo_tokens: int = Field(default=0, ge=0, description="Dr.GRPO's constant; 0: max_new_tokens x turns")
    iterations: int = Field(default=1, ge=1, description="optimisation passes over each batch (GRPO's mu)")
    minibatches: int = Field(default=1, ge=1, description="optimizer steps per pass")
    demo_coef: float = Field(
        default=0.0,
        ge=0.0,
        description="weight of a cross-entropy term on demonstrations in every optimizer step (PPO-ptx; 0: off); "
        "only the CPU demo supplies them, from its demo.sft pool",
    )
    demo_batch: int = Field(default=32, ge=1, description="demonstrations in that term per optimizer step")


class OptimConfig(Section):
    lr: float = Field(default=1e-5, gt=0.0)
    weight_decay: float = Field(default=0.0, ge=0.0)
    betas: tuple[float, float] = (0.9, 0.99)
    schedule: Literal["constant", "linear", "cosine"] = "constant"
    warmup_steps: int = Field(default=0, ge=0)
    min_lr_ratio: float = Field(default=0.0, ge=0.0, le=1.0)
    max_grad_norm: float = Field(default=1.0, ge=0.0, description="0: no clipping")
    micro_batch_size: int = Field(default=64, ge=1, description="sequences per forward/backward")


class CurriculumConfig(BaseModel):
    """``kind = "env"`` uses the env spec's own controller; any other kind is a controller table."""

    model_config = ConfigDict(extra="allow")

    kind: str = "env"

    def table(self) -> dict[str, Any] | None:
        """The controller table for `rlvr_envs.curriculum.build_controller`, or ``None`` for the env's."""
        if self.kind == "env":
            return None
        return self.model_dump()


class LoggingConfig(Section):
    progress: bool = True
    tensorboard: bool = False
    plot: bool = True
    samples_every: int = Field(default=0, ge=0, description="write example episodes every N steps (0: never)")
    log_every: int = Field(
        default=25, ge=0, description="a plain progress line every N steps, readable when piped (0: none)"
    )


class CheckpointConfig(Section):
    every: int = Field(default=0, ge=0, description="save every N steps (0: only at the end)")
    keep: int = Field(default=2, ge=1, description="checkpoints kept")


class SFTConfig(Section):
    """Supervised warm-up on generated worked solutions (and the control that continues it)."""

    lr: float = Field(default=3e-3, gt=0.0)
    batch_size: int = Field(default=64, ge=1)
    max_steps: int = Field(default=1000, ge=0)
    time_budget_s: float = Field(default=0.0, ge=0.0, description="0: no limit")
    warmup_steps: int = Field(default=20, ge=0)
    levels: list[int] = Field(default_factory=lambda: [0, 1, 2])
    solution_style: SolutionStyle = Field(
        default="steps",
        description="arithmetic worked solutions: each operation alone (steps) or the expression left after each "
        "(rewrite)",
    )
    max_grad_norm: float = Field(default=1.0, ge=0.0)
    threads: int = Field(
        default=0,
        ge=0,
        description="CPU threads for the warm-up and the evaluation after it, which run alone (0: every core); "
        "GRPO and the control then use run.threads",
    )
    pool: int = Field(
        default=0, ge=0, description="a fixed pool of this many worked examples (0: a fresh example every time)"
    )
    validation: int = Field(
        default=0,
        ge=0,
        description="worked examples drawn beside the pool, never trained on: the control's early stopping",
    )
    eval_every: int = Field(
        default=50, ge=1, description="control: greedy accuracy on the validation split every N steps"
    )
    log_every: int = Field(default=50, ge=0, description="a progress line every N steps (0: none)")
    early_stop: bool = Field(
        default=False,
        description="warm-up: check the validation split every eval_every steps and keep the best weights",
    )
    patience: int = Field(
        default=0, ge=0, description="warm-up with early_stop: stop after N checks without a new best (0: never)"
    )


class DemoConfig(Section):
    """The CPU demo: tiny model, SFT warm-up, held-out eval, GRPO with curriculum, SFT control."""

    held_out_levels: list[int] = Field(default_factory=lambda: [0, 1, 2])
    held_out_per_level: int = Field(default=200, ge=1)
    sft: SFTConfig = Field(default_factory=SFTConfig)
    control: bool = Field(default=True, description="also continue SFT for GRPO's wall time, from the same start")


class TrainConfig(Section):
    run: RunConfig = Field(default_factory=RunConfig)
    env: EnvConfig = Field(default_factory=EnvConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    rollout: RolloutConfig = Field(default_factory=RolloutConfig)
    algo: AlgoConfig = Field(default_factory=AlgoConfig)
    optim: OptimConfig = Field(default_factory=OptimConfig)
    curriculum: CurriculumConfig = Field(default_factory=CurriculumConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    checkpoint: CheckpointConfig = Field(default_factory=CheckpointConfig)
    demo: DemoConfig | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TrainConfig:
        per_pass = self.rollout.groups_per_step * self.rollout.group_size
        if self.algo.minibatches > per_pass:
            raise ValueError(f"algo.minibatches ({self.algo.minibatches}) exceeds the rollouts per step ({per_pass})")
        if self.model.tiny_vlm is not None and self.rollout.backend != "hf":
            raise ValueError("model.tiny_vlm needs rollout.backend = 'hf' (the vllm backend does not take images)")
        return self


def parse_override(text: str) -> tuple[list[str], Any]:
    """``"a.b=value"`` -> (``["a", "b"]``, value parsed as TOML, or the raw string if it is not TOML)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(f"override {text!r} must look like section.key=value (e.g. optim.lr=1e-4)")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.split("."), value


def apply_override(table: dict[str, Any], path: list[str], value: Any) -> None:
    """Set ``table[path[0]][path[1]]... = value``, creating intermediate tables."""
    node = table
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"cannot set {'.'.join(path)}: {part!r} is not a table")
        node = child
    node[path[-1]] = value


def load_config(path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> TrainConfig:
    """The config in ``path`` (TOML; ``None`` for defaults) with ``section.key=value`` overrides applied."""
    table: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config {path} is not valid TOML: {exc}") from exc
    for text in overrides:
        keys, value = parse_override(text)
        apply_override(table, keys, value)
    return validate_config(table, source=str(path) if path else "overrides")


def validate_config(table: dict[str, Any], source: str = "config") -> TrainConfig:
    """Validate a config table; errors list every bad key with a close-match hint."""
    try:
        return TrainConfig.model_validate(table)
    except ValidationError as exc:
        raise ConfigError(f"{source}: invalid config:\n{_explain(exc)}") from exc


def _explain(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key" + _hint(error["loc"])
        lines.append(f"  {loc}: {message}")
    return "\n".join(lines)


def _hint(loc: tuple[int | str, ...]) -> str:
    """A close-match suggestion for an unknown key at ``loc``."""
    model: type[BaseModel] = TrainConfig
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        annotation = getattr(field, "annotation", None) if field else None
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        sub = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if sub is None:
            return ""
        model = sub
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(model.model_fields)}"


def dump_toml(config: TrainConfig) -> str:
    """The config as TOML text (what a run saves next to its metrics)."""
    data = config.model_dump(mode="json", exclude_none=True)
    lines: list[str] = []
    _emit(lines, [], data)
    return "\n".join(lines).strip() + "\n"


def _emit(lines: list[str], prefix: list[str], table: dict[str, Any]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in table.items() if isinstance(v, dict) and v}
    inline_empty = {k: v for k, v in table.items() if isinstance(v, dict) and not v}
    if prefix and (scalars or inline_empty):
        lines.append(f"\n[{'.'.join(prefix)}]")
    for key, value in {**scalars, **inline_empty}.items():
        lines.append(f"{key} = {_toml_value(value)}")
    for key, value in tables.items():
        _emit(lines, [*prefix, key], value)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise ConfigError(f"cannot write {value!r} as TOML")
