"""Evaluate any OpenAI-compatible chat-completions server (vLLM, SGLang, a hosted API) on our envs.

Each task (the same ``(env id, seed, level)`` rows as `rlvr-envs export`) is played ``samples``
times as a multi-turn episode: the env's messages go to ``/v1/chat/completions``, the reply is the
action, until the env ends the episode. Episodes run concurrently (an asyncio semaphore bounds the
requests in flight); each request has a timeout and is retried on connection errors, timeouts, 429
and 5xx with exponential backoff. Multimodal envs (``info["images"]``) send each ``{"type": "image"}``
part as an ``image_url`` part holding a ``data:`` URL (PNG by default; see `ImageOptions`). The
report gives pass@k (the unbiased estimator of Chen et al. 2021), pass^k (all of k samples right,
tau-bench's reliability measure) and the mean verdict components per level; every episode's
transcript goes to a JSONL file. Failed requests are never a silent zero: each episode records its
error, and the report counts them by reason.

Needs ``httpx`` (the ``eval`` extra).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

import rlvr_envs
from rlvr_envs.core.registry import registered
from rlvr_envs.errors import InvalidOptionError, RLVRError
from rlvr_envs.integrations.export import row_seed
from rlvr_envs.integrations.images import ImageOptions, ImageTooLargeError, data_url

logger = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


class EvalConfig(BaseModel):
    """One evaluation run (the CLI's ``eval --base-url`` flags)."""

    model_config = ConfigDict(extra="forbid")

    env_id: str
    base_url: str
    model: str
    api_key: str | None = None
    episodes: int = Field(default=20, ge=1, description="distinct tasks")
    levels: tuple[int, ...] = (0,)
    seed: int = 0
    k: int = Field(default=1, ge=1)
    samples: int | None = Field(default=None, ge=1, description="episodes per task (default k)")
    concurrency: int = Field(default=8, ge=1)
    timeout_s: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    backoff_s: float = Field(default=0.5, ge=0)
    temperature: float = 1.0
    max_tokens: int = Field(default=1024, ge=1)
    native_tools: bool = False
    image: ImageOptions = Field(default_factory=ImageOptions, description="how images are sent")
    out: Path | None = None

    @property
    def n(self) -> int:
        return self.samples if self.samples is not None else self.k


class ServerError(RLVRError):
    """The server answered with a non-retryable error or kept failing after every retry."""

    def __init__(self, message: str, *, retries: int = 0) -> None:
        super().__init__(message)
        self.retries = retries


IMAGE_REJECTED_HINT = (
    "the server rejected the request's image input: serve a vision-language model (vLLM/SGLang with a "
    "multimodal model), or check its image limits (--image-max-side, --image-format jpeg)"
)


def failure_reason(error: str) -> str:
    """A short reason for the summary (one line; the full text stays in the transcript)."""
    line = error.splitlines()[0] if error else "unknown error"
    return line if len(line) <= 160 else line[:157] + "..."


class Episode(BaseModel):
    """One played episode (a transcript line)."""

    env_id: str
    model: str
    task_id: str
    level: int
    seed: int
    sample: int
    reward: float
    correct: bool
    components: dict[str, float]
    turns: int
    messages: list[dict[str, Any]]
    error: str | None = None
    requests: int = 0
    retries: int = 0
    failed_requests: int = 0
    images_sent: int = 0
    elapsed_s: float = 0.0


class LevelReport(BaseModel):
    level: int
    tasks: int
    episodes: int
    mean_reward: float
    pass_at: dict[int, float]
    pass_all: dict[int, float] = Field(default_factory=dict, description="pass^k: all of k samples right")
    components: dict[str, float]
    errors: int


class EvalReport(BaseModel):
    env_id: str
    model: str
    k: int
    samples: int
    levels: list[LevelReport]
    overall: LevelReport
    retries: int
    requests: int = 0
    failed_requests: int = 0
    images_sent: int = 0
    failures: dict[str, int] = Field(default_factory=dict, description="episodes that failed, by reason")
    elapsed_s: float


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from ``n`` samples with ``c`` correct: ``1 - C(n-c, k) / C(n, k)``."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise InvalidOptionError(f"pass@k needs 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Unbiased pass^k (tau-bench's reliability metric) from ``n`` samples with ``c`` correct: the
    chance that ``k`` samples drawn without replacement are *all* right, ``C(c, k) / C(n, k)``."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise InvalidOptionError(f"pass^k needs 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    return math.comb(c, k) / math.comb(n, k)


def wire_messages(messages: Sequence[dict[str, Any]], image_urls: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Env messages as any chat server accepts them: tool results become user turns (our tool calls
    travel as text inside the assistant's content, so strict servers would reject ``role: tool``).

    Text-only content is sent as a string. Content with ``{"type": "image"}`` parts is sent as a
    list of parts in the env's order, each image part becoming ``{"type": "image_url", "image_url":
    {"url": image_urls[i]}}`` (the i-th image part of the conversation; ``info["images"]`` order).
    """
    wire = []
    used = 0
    for message in messages:
        role = message["role"]
        content = message["content"]
        if not isinstance(content, str):
            parts = [p for p in content if isinstance(p, dict)]
            if any(p.get("type") == "image" for p in parts):
                wired: list[dict[str, Any]] = []
                for part in parts:
                    if part.get("type") == "image":
                        if used >= len(image_urls):
                            raise InvalidOptionError(
                                f"the messages hold more image parts than the {len(image_urls)} images given"
                            )
                        wired.append({"type": "image_url", "image_url": {"url": image_urls[used]}})
                        used += 1
                    elif part.get("type") == "text":
                        wired.append({"type": "text", "text": str(part.get("text", ""))})
                wire.append({"role": "user" if role == "tool" else role, "content": wired})
                continue
            content = "".join(p.get("text", "") for p in parts)
        wire.append({"role": "user" if role == "tool" else role, "content": content})
    return wire


def reply_text(choice: dict[str, Any]) -> str:
    """The assistant's text from one choice; native ``tool_calls`` become our ``<tool_call>`` text."""
    message = choice.get("message") or {}
    text = message.get("content") or ""
    if not isinstance(text, str):
        text = str(text)
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        arguments = function.get("arguments", "{}")
        try:
            parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
        except json.JSONDecodeError:
            parsed = {"_raw": arguments}
        text += "<tool_call>" + json.dumps({"name": function.get("name", ""), "arguments": parsed}) + "</tool_call>"
    return text


class ChatClient:
    """``POST {base_url}/chat/completions`` with a timeout, retries and a concurrency limit."""

    def __init__(self, config: EvalConfig) -> None:
        import httpx

        self.config = config
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._httpx = httpx
        self._client = httpx.AsyncClient(
            base_url=config.base_url.rstrip("/"), headers=headers, timeout=httpx.Timeout(config.timeout_s)
        )
        self._limit = asyncio.Semaphore(config.concurrency)

    async def complete(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], image_urls: Sequence[str] = ()
    ) -> tuple[str, int]:
        """The reply text and the number of retries it took (`ServerError` carries them on failure)."""
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": wire_messages(messages, image_urls),
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        if self.config.native_tools and tools:
            body["tools"] = tools
        last = "no attempt"
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                await asyncio.sleep(min(self.config.backoff_s * 2 ** (attempt - 1), 30.0))
            try:
                async with self._limit:
                    response = await self._client.post("/chat/completions", json=body)
            except self._httpx.TransportError as exc:  # connection refused/reset, timeouts
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code in RETRY_STATUS:
                last = f"HTTP {response.status_code}: {response.text[:200]}"
                continue
            if response.status_code >= 400:
                text = " ".join(response.text[:500].split())
                hint = f" ({IMAGE_REJECTED_HINT})" if image_urls and "image" in text.lower() else ""
                raise ServerError(f"HTTP {response.status_code}: {text}{hint}", retries=attempt)
            try:
                choices = response.json()["choices"]
                return reply_text(choices[0]), attempt
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise ServerError(f"malformed chat completion: {response.text[:500]}", retries=attempt) from exc
        raise ServerError(
            f"gave up after {self.config.max_retries + 1} attempts; last error: {last}", retries=self.config.max_retries
        )

    async def aclose(self) -> None:
        await self._client.aclose()


async def play(env: Any, client: ChatClient, *, env_id: str, seed: int, level: int, sample: int, model: str) -> Episode:
    """One episode of ``env`` against the server (env calls run in a worker thread)."""
    start = time.perf_counter()
    _obs, info = await asyncio.to_thread(env.reset, seed=seed, options={"level": level})
    requests = retries = failed = 0
    reward, verdict, error = 0.0, None, None
    urls: list[str] = []  # data URLs of info["images"], encoded once per episode (images only grow)
    while True:
        try:
            images = info.get("images") or []
            for index in range(len(urls), len(images)):
                urls.append(data_url(images[index], client.config.image, what=f"image {index + 1}"))
            text, tried = await client.complete(info["messages"], info["tools"], urls)
        except ServerError as exc:
            error, failed, retries = str(exc), 1, retries + exc.retries
            break
        except ImageTooLargeError as exc:
            error = str(exc)
            break
        requests, retries = requests + 1, retries + tried
        _obs, step_reward, terminated, truncated, info = await asyncio.to_thread(env.step, text)
        reward += float(step_reward)
        if terminated or truncated:
            verdict = info.get("verdict")
            break
    return Episode(
        env_id=env_id,
        model=model,
        task_id=info["task_id"],
        level=info["level"],
        seed=seed,
        sample=sample,
        reward=reward,
        correct=bool(verdict and verdict.get("correct")),
        components=dict(verdict.get("components", {})) if verdict else {},
        turns=info["turn"],
        messages=info["messages"],
        error=error,
        requests=requests + failed,
        retries=retries,
        failed_requests=failed,
        images_sent=len(urls),
        elapsed_s=time.perf_counter() - start,
    )


async def evaluate_async(config: EvalConfig) -> tuple[EvalReport, list[Episode]]:
    """Play every (task, sample) pair with bounded concurrency; write transcripts as they finish."""
    registered(config.env_id)
    start = time.perf_counter()
    envs: asyncio.Queue[Any] = asyncio.Queue()
    for _ in range(min(config.concurrency, config.episodes * config.n)):
        envs.put_nowait(rlvr_envs.make(config.env_id))
    client = ChatClient(config)
    sink = None
    if config.out is not None:
        config.out.parent.mkdir(parents=True, exist_ok=True)
        sink = config.out.open("w", encoding="utf-8")
    episodes: list[Episode] = []

    async def one(index: int, sample: int) -> None:
        env = await envs.get()
        try:
            episode = await play(
                env,
                client,
                env_id=config.env_id,
                seed=row_seed(config.seed, index),
                level=config.levels[index % len(config.levels)],
                sample=sample,
                model=config.model,
            )
        finally:
            envs.put_nowait(env)
        episodes.append(episode)
        if sink is not None:
            sink.write(episode.model_dump_json() + "\n")
            sink.flush()

    try:
        await asyncio.gather(*(one(i, s) for i in range(config.episodes) for s in range(config.n)))
    finally:
        await client.aclose()
        if sink is not None:
            sink.close()
        while not envs.empty():
            envs.get_nowait().close()
    episodes.sort(key=lambda e: (e.level, e.task_id, e.sample))
    return summarise(config, episodes, time.perf_counter() - start), episodes


def evaluate(config: EvalConfig) -> tuple[EvalReport, list[Episode]]:
    """`evaluate_async` from synchronous code."""
    return asyncio.run(evaluate_async(config))


def _level_report(level: int, episodes: list[Episode], ks: Sequence[int]) -> LevelReport:
    by_task: dict[str, list[Episode]] = defaultdict(list)
    for episode in episodes:
        by_task[episode.task_id].append(episode)
    pass_at, pass_all = {}, {}
    for k in ks:
        counts = [(len(g), sum(e.correct for e in g)) for g in by_task.values() if len(g) >= k]
        if counts:
            pass_at[k] = sum(pass_at_k(n, c, k) for n, c in counts) / len(counts)
            pass_all[k] = sum(pass_hat_k(n, c, k) for n, c in counts) / len(counts)
    names = sorted({name for e in episodes for name in e.components})
    components = {name: sum(e.components.get(name, 0.0) for e in episodes) / len(episodes) for name in names}
    return LevelReport(
        level=level,
        tasks=len(by_task),
        episodes=len(episodes),
        mean_reward=sum(e.reward for e in episodes) / len(episodes) if episodes else 0.0,
        pass_at=pass_at,
        pass_all=pass_all,
        components=components,
        errors=sum(e.error is not None for e in episodes),
    )


def summarise(config: EvalConfig, episodes: list[Episode], elapsed_s: float) -> EvalReport:
    """pass@1 and pass@k (when ``samples >= k``) and mean components, per level and overall."""
    ks = sorted({1, config.k})
    by_level: dict[int, list[Episode]] = defaultdict(list)
    for episode in episodes:
        by_level[episode.level].append(episode)
    return EvalReport(
        env_id=config.env_id,
        model=config.model,
        k=config.k,
        samples=config.n,
        levels=[_level_report(level, by_level[level], ks) for level in sorted(by_level)],
        overall=_level_report(-1, episodes, ks),
        retries=sum(e.retries for e in episodes),
        requests=sum(e.requests for e in episodes),
        failed_requests=sum(e.failed_requests for e in episodes),
        images_sent=sum(e.images_sent for e in episodes),
        failures=dict(Counter(failure_reason(e.error) for e in episodes if e.error is not None).most_common()),
        elapsed_s=elapsed_s,
    )


def report_table(report: EvalReport) -> Any:
    """The report as a rich table (one row per level, then the total)."""
    from rich.table import Table

    ks = sorted(report.overall.pass_at) or [1]
    names = sorted(report.overall.components)
    table = Table(title=f"{report.env_id} · {report.model} · {report.samples} samples per task")
    reliability = [k for k in ks if k > 1]  # pass^1 is pass@1
    columns = ["level", "tasks", "episodes", "mean reward", *[f"pass@{k}" for k in ks]]
    for column in [*columns, *[f"pass^{k}" for k in reliability], *names, "errors"]:
        table.add_column(column, justify="right")
    for row in [*report.levels, report.overall]:
        table.add_row(
            "all" if row.level < 0 else str(row.level),
            str(row.tasks),
            str(row.episodes),
            f"{row.mean_reward:+.3f}",
            *[f"{row.pass_at[k]:.1%}" if k in row.pass_at else "-" for k in ks],
            *[f"{row.pass_all[k]:.1%}" if k in row.pass_all else "-" for k in reliability],
            *[f"{row.components.get(name, 0.0):.3f}" for name in names],
            str(row.errors),
        )
    return table


def failure_lines(report: EvalReport, base_url: str) -> list[str]:
    """What went wrong, loudly: one line per distinct reason with the number of episodes it hit."""
    if not report.failures:
        return []
    failed = sum(report.failures.values())
    lines = [
        f"{failed} of {report.overall.episodes} episodes FAILED (requests to {base_url}: "
        f"{report.failed_requests} failed after {report.retries} retries); their reward counts as 0:"
    ]
    lines += [f"  {count} x {reason}" for reason, count in report.failures.items()]
    return lines
