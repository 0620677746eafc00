"""Groups of episodes on any registered env: G rollouts of the same task, multi-turn, batched.

Every rollout of a group resets its own env copy with the same ``seed`` and ``options`` (same seed
and level => the same task, by the env contract), so the G answers are comparable. All active
episodes of all groups are generated in one batch per turn; an episode ends when the env says so
(``terminated``/``truncated``), when ``max_turns`` is reached, or when its token stream would pass
``max_context_tokens``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

import rlvr_envs
from baselines.grpo.backends.base import Backend, SamplingSettings
from baselines.grpo.config import EnvConfig, RolloutConfig
from baselines.grpo.conversation import ChatFormatter, TokenStream


@dataclass(frozen=True)
class GroupRequest:
    """One task: the env seed and the level, or a task id to replay (per-task curricula)."""

    seed: int
    level: int | None = None
    task_id: str | None = None

    def options(self) -> dict[str, Any]:
        if self.task_id is not None:
            return {"task_id": self.task_id}
        return {} if self.level is None else {"level": self.level}


@dataclass
class Rollout:
    """One finished episode as a token stream with its return and verdict."""

    tokens: list[int]
    mask: list[int]
    prompt_len: int
    reward: float
    level: int
    task_id: str
    turns: int
    correct: bool | None = None
    components: dict[str, float] = field(default_factory=dict)
    truncated: bool = False
    overflow: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)
    images: list[Any] = field(default_factory=list)  # multimodal envs: the episode's images, in token order

    @property
    def generated_tokens(self) -> int:
        return sum(self.mask)


@dataclass
class Group:
    request: GroupRequest
    rollouts: list[Rollout]

    @property
    def rewards(self) -> list[float]:
        return [r.reward for r in self.rollouts]


@dataclass
class CollectStats:
    generation_s: float = 0.0
    env_s: float = 0.0
    generated_tokens: int = 0
    generate_calls: int = 0


def prompt_key(text: str) -> str:
    """A short stable key for a prompt (what held-out sets are compared by)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class _Episode:
    def __init__(self, env: gym.Env[Any, Any], stream: TokenStream, level: int, task_id: str) -> None:
        self.env = env
        self.stream = stream
        self.level = level
        self.task_id = task_id
        self.reward = 0.0
        self.turns = 0
        self.done = False
        self.correct: bool | None = None
        self.components: dict[str, float] = {}
        self.truncated = False
        self.overflow = False
        self.messages: list[dict[str, Any]] = []
        self.images: list[Any] = []

    def finish(self, info: dict[str, Any] | None, *, truncated: bool = False, overflow: bool = False) -> None:
        self.done = True
        self.truncated = truncated
        self.overflow = overflow
        if info is not None:
            verdict = info.get("verdict") or {}
            if "correct" in verdict:
                self.correct = bool(verdict["correct"])
            self.components = {k: float(v) for k, v in (verdict.get("components") or {}).items()}
            self.messages = list(info.get("messages") or [])

    def result(self) -> Rollout:
        s = self.stream
        return Rollout(
            tokens=list(s.tokens),
            mask=list(s.mask),
            prompt_len=s.prompt_len,
            reward=self.reward,
            level=self.level,
            task_id=self.task_id,
            turns=self.turns,
            correct=self.correct,
            components=self.components,
            truncated=self.truncated,
            overflow=self.overflow,
            messages=self.messages,
            images=list(self.images),
        )


class ImageTokenFormatter(ChatFormatter):
    """A `ChatFormatter` for vision-language models: each image token the template writes is
    expanded to the ``image_tokens`` copies the model's processor would insert, so the token stream
    lines up with the image features the model splices in."""

    def __init__(self, tokenizer: Any, image_token_id: int, image_tokens: int) -> None:
        super().__init__(tokenizer)
        self.image_token_id = image_token_id
        self.image_tokens = image_tokens

    def encode(self, text: str) -> list[int]:
        out: list[int] = []
        for token in super().encode(text):
            out.extend([token] * self.image_tokens if token == self.image_token_id else [token])
        return out


def image_formatter(processor: Any) -> ImageTokenFormatter:
    """The formatter for ``processor``: its image token and how many copies one image takes (measured
    by running the processor on one blank image)."""
    from PIL import Image

    tokenizer = processor.tokenizer
    token = getattr(processor, "image_token", None) or "<image>"
    token_id = int(tokenizer.convert_tokens_to_ids(token))
    side = 32
    ids = processor(text=token, images=[Image.new("RGB", (side, side))], return_tensors="pt")["input_ids"][0]
    return ImageTokenFormatter(tokenizer, token_id, int((ids == token_id).sum()))


class RolloutCollector:
    """Runs groups of episodes of ``env_id`` with a generation backend.

    Args:
        env_id: any registered id; ``env_kwargs`` go to ``gym.make``.
        tokenizer: a transformers tokenizer with a chat template.
        backend: generates token ids (see `baselines.grpo.backends`).
        max_new_tokens: the token budget of one assistant turn.
        max_context_tokens: an episode whose stream would grow past this ends (``overflow``).
        max_turns: assistant turns per episode (0: the env's own limit).
        processor: a vision-language model's processor; then ``info["images"]`` go to the backend's
            ``generate_with_images`` with every turn (`HFBackend(processor=...)`).
    """

    def __init__(
        self,
        env_id: str,
        env_kwargs: dict[str, Any],
        tokenizer: Any,
        backend: Backend,
        *,
        max_new_tokens: int,
        max_context_tokens: int = 1024,
        max_turns: int = 0,
        temperature: float = 1.0,
        top_p: float = 1.0,
        top_k: int = 0,
        processor: Any = None,
    ) -> None:
        self.env_id = env_id
        self.env_kwargs = dict(env_kwargs)
        self.tokenizer = tokenizer
        # a processor (vision-language model): image parts become expanded image tokens + pixel_values
        self.processor = processor
        self.formatter: ChatFormatter = (
            image_formatter(processor) if processor is not None else ChatFormatter(tokenizer)
        )
        self.backend = backend
        self.max_new_tokens = max_new_tokens
        self.max_context_tokens = max_context_tokens
        self.max_turns = max_turns
        self.sampling = SamplingSettings(max_new_tokens, temperature, top_p, top_k)
        self._envs: list[gym.Env[Any, Any]] = []
        self._probe: gym.Env[Any, Any] | None = None
        self.stats = CollectStats()

    @classmethod
    def from_config(
        cls, env: EnvConfig, rollout: RolloutConfig, tokenizer: Any, backend: Backend, *, processor: Any = None
    ) -> RolloutCollector:
        """A collector for ``env`` with the budgets and sampling settings of ``rollout``."""
        return cls(
            env.id,
            env.kwargs,
            tokenizer,
            backend,
            max_new_tokens=rollout.max_new_tokens,
            max_context_tokens=rollout.max_context_tokens,
            max_turns=rollout.max_turns,
            temperature=rollout.temperature,
            top_p=rollout.top_p,
            top_k=rollout.top_k,
            processor=processor,
        )

    # ---- envs ---------------------------------------------------------------------------------
    def _env(self, index: int) -> gym.Env[Any, Any]:
        while len(self._envs) <= index:
            self._envs.append(rlvr_envs.make(self.env_id, **self.env_kwargs))
        return self._envs[index]

    def probe(self, request: GroupRequest) -> tuple[str, dict[str, Any]]:
        """The first observation and info of ``request``'s task (one reset of a spare env)."""
        if self._probe is None:
            self._probe = rlvr_envs.make(self.env_id, **self.env_kwargs)
        obs, info = self._probe.reset(seed=request.seed, options=request.options())
        return str(obs), info

    def task(self, request: GroupRequest) -> Any:
        """The `Task` behind ``request`` (for supervised targets and reports)."""
        self.probe(request)
        return rlvr_envs.unwrap(self._probe).task  # type: ignore[arg-type]

    def close(self) -> None:
        for env in [*self._envs, *([self._probe] if self._probe else [])]:
            env.close()
        self._envs.clear()
        self._probe = None

    # ---- rollouts -----------------------------------------------------------------------------
    def collect(self, requests: list[GroupRequest], group_size: int, *, greedy: bool = False) -> list[Group]:
        """``group_size`` episodes of every request's task; sampled, or greedy for evaluation."""
        settings = SamplingSettings(
            self.max_new_tokens, self.sampling.temperature, self.sampling.top_p, self.sampling.top_k, greedy
        )
        start = time.perf_counter()
        episodes: list[_Episode] = []
        for g, request in enumerate(requests):
            stream: TokenStream | None = None
            for k in range(group_size):
                env = self._env(g * group_size + k)
                _, info = env.reset(seed=request.seed, options=request.options())
                if stream is None:
                    stream = TokenStream.start(self.formatter, list(info["messages"]), info.get("tools"))
                episode = _Episode(env, stream.copy(), int(info["level"]), str(info["task_id"]))
                episode.images = list(info.get("images") or [])
                episodes.append(episode)
        self.stats.env_s += time.perf_counter() - start

        active = [e for e in episodes if not self._too_long(e)]
        for e in episodes:
            if e not in active:
                e.finish(None, overflow=True)
        while active:
            self._turn(active, settings)
            active = [e for e in active if not e.done]
        return [
            Group(request, [e.result() for e in episodes[g * group_size : (g + 1) * group_size]])
            for g, request in enumerate(requests)
        ]

    def _too_long(self, episode: _Episode) -> bool:
        return len(episode.stream.tokens) >= self.max_context_tokens

    def _turn(self, active: list[_Episode], settings: SamplingSettings) -> None:
        start = time.perf_counter()
        prompts = [e.stream.tokens for e in active]
        if self.processor is not None:
            outputs = self.backend.generate_with_images(prompts, [e.images for e in active], settings)  # type: ignore[attr-defined]
        else:
            outputs = self.backend.generate(prompts, settings)
        self.stats.generation_s += time.perf_counter() - start
        self.stats.generate_calls += 1
        start = time.perf_counter()
        stop_ids = self.backend.stop_ids
        for episode, ids in zip(active, outputs, strict=True):
            room = self.max_context_tokens - len(episode.stream.tokens)
            overflow = len(ids) > room
            ids = ids[: max(room, 0)]
            episode.stream.add_generated(ids)
            self.stats.generated_tokens += len(ids)
            episode.turns += 1
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            _, reward, terminated, truncated, info = episode.env.step(text)
            episode.reward += float(reward)
            if terminated or truncated:
                episode.finish(info, truncated=bool(truncated))
                continue
            if overflow or (self.max_turns and episode.turns >= self.max_turns):
                episode.finish(info, truncated=True, overflow=overflow)
                continue
            stop_text = self.tokenizer.decode(ids[-1:]) if ids and ids[-1] in stop_ids else ""
            before = len(episode.stream.tokens)
            episode.stream.add_env_turn(list(info["messages"]), info.get("tools"), stop_text)
            episode.images = list(info.get("images") or episode.images)
            if self._too_long(episode):  # no room to answer: drop the env's turn (it carries no loss) and stop
                episode.stream.truncate(before)
                episode.finish(info, truncated=True, overflow=True)
        self.stats.env_s += time.perf_counter() - start


def draw_seed(rng: np.random.Generator) -> int:
    """A training seed: below 2**31, so held-out sets built from seeds >= 2**31 never overlap."""
    return int(rng.integers(0, 2**31))


HELD_OUT_SEED_BASE = 2**31
