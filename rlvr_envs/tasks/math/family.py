"""`MathFamily`: procedural (or user-supplied) math problems with a final answer to verify.

Protocol: the agent answers (``\\boxed{}``, ``<answer>`` or "Final answer:"). A correct answer ends
the episode with reward ``decay ** (attempt - 1)``. With ``max_attempts > 1`` a wrong answer gets
feedback ("not correct, try again") and another attempt; the gold answer is never revealed.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from rlvr_envs.core.datasets import existing_file, nearest_level_row, row_index
from rlvr_envs.core.family import EpisodeState, FamilyConfig, TaskFamily, Transcript, assistant_turns, final_text
from rlvr_envs.core.parsing import AnswerSource, extract_answer
from rlvr_envs.core.types import Feedback, Task, Verdict
from rlvr_envs.errors import SpecError
from rlvr_envs.tasks.math.dataset import DatasetRow
from rlvr_envs.tasks.math.datasets import load_jsonl
from rlvr_envs.tasks.math.generators import GENERATORS, get_generator
from rlvr_envs.verifiers.math import check_answer, check_antiderivative
from rlvr_envs.verifiers.math_form import check_form, is_number_literal

DEFAULT_SYSTEM_PROMPT = (
    "You are a careful mathematician. Reason step by step, then give the final answer in \\boxed{...}."
)
ANSWER_INSTRUCTION = "Put your final answer in \\boxed{}."
_DATA_PREFIX = "math:data:"


class MathReward(BaseModel):
    """Reward options (the spec's ``[reward]`` table)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    correct: float = Field(default=1.0, ge=-1.0, le=1.0)
    wrong: float = Field(default=0.0, ge=-1.0, le=1.0)
    no_answer: float = Field(default=0.0, ge=-1.0, le=1.0, description="no parsable final answer")
    attempt_decay: float = Field(default=0.5, ge=0.0, le=1.0, description="reward factor per extra attempt")


class MathConfig(FamilyConfig):
    """Configuration of `MathFamily` (the spec's ``[kwargs]`` table or ``gym.make`` keywords)."""

    generators: list[str] | None = Field(default=None, description="generator names; None = all")
    max_attempts: int = Field(default=1, ge=1)
    answer_sources: list[AnswerSource] = Field(
        default_factory=lambda: ["boxed", "answer_tag", "final_answer"],
        description="where the final answer may come from, in order; add 'last_math' to also accept the last "
        "$...$ / \\[...\\] of a response with no answer cue (off by default: see docs/math-verifier.md)",
    )
    verifier_timeout_s: float = Field(default=3.0, gt=0.0, le=60.0)
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    source: str | None = Field(default=None, description="JSONL file of your own problems")
    source_problem_field: str = "problem"
    source_answer_field: str = "answer"
    source_level_field: str = "level"
    source_format: Literal["auto", "mixed", "gsm8k", "math", "aime", "numina", "plain"] = Field(
        default="auto", validation_alias=AliasChoices("source_format", "format"), description="alias: format"
    )
    reward: MathReward = Field(default_factory=MathReward)

    @field_validator("source")
    @classmethod
    def _source_exists(cls, value: str | None) -> str | None:
        return existing_file(value)

    @model_validator(mode="after")
    def _known_generators(self) -> MathConfig:
        for name in self.generators or []:
            try:
                get_generator(name)
            except KeyError as exc:
                raise ValueError(str(exc.args[0])) from exc
        if self.generators is not None and not self.generators:
            raise ValueError("generators must name at least one generator (or be omitted for all)")
        return self


class MathFamily(TaskFamily):
    """Math problems from procedural generators or a user JSONL file, verified by `check_answer`."""

    name = "math"
    Config = MathConfig
    config: MathConfig

    def __init__(self, config: MathConfig | None = None, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._generator_names = list(self.config.generators or sorted(GENERATORS))

    # ---- generation -------------------------------------------------------------------------
    def _rows(self) -> tuple[DatasetRow, ...]:
        if self.config.source is None:
            raise SpecError("this Math env has no 'source' dataset")
        return load_jsonl(
            self.config.source,
            self.config.source_problem_field,
            self.config.source_answer_field,
            self.config.source_level_field,
            self.config.source_format,
        )

    def generate(self, rng: np.random.Generator, level: int, *, task_id: str) -> Task:
        if self.config.source is not None:
            return self._dataset_task(rng, level)
        name = self._generator_names[int(rng.integers(0, len(self._generator_names)))]
        problem = get_generator(name).generate(rng, level)
        return Task(
            task_id=task_id,
            family=self.name,
            level=level,
            prompt=f"{problem.question}\n\n{ANSWER_INSTRUCTION}",
            data={
                "answer": problem.answer,
                "answer_kind": problem.answer_kind,
                "answer_form": problem.answer_form,
                "solution": problem.solution,
            },
            metadata={"generator": name, "knobs": dict(problem.knobs)},
        )

    def _dataset_task(self, rng: np.random.Generator, level: int) -> Task:
        """A random row at the available level closest to ``level`` (ties: the easier one).

        Rows without a level count as level 0, so a dataset with no levels ignores the curriculum.
        """
        return self._row_task(nearest_level_row(self._rows(), level, rng, lambda row: row.level or 0))

    def _row_task(self, row: DatasetRow) -> Task:
        return Task(
            task_id=f"{_DATA_PREFIX}{row.index}",
            family=self.name,
            level=row.level or 0,
            prompt=f"{row.problem}\n\n{ANSWER_INSTRUCTION}",
            data={"answer": row.answer, "answer_kind": "dataset", "solution": ""},
            metadata={"source": self.config.source, "row": row.index},
        )

    def task_from_id(self, task_id: str) -> Task | None:
        if self.config.source is None:
            return None
        rows = self._rows()
        index = row_index(task_id, _DATA_PREFIX, len(rows), self.config.source)
        return None if index is None else self._row_task(rows[index])

    def knobs(self, level: int) -> dict[str, float]:
        return {
            f"{name}.{knob}": float(value)
            for name in self._generator_names
            for knob, value in get_generator(name).knobs(level).items()
        }

    # ---- protocol ---------------------------------------------------------------------------
    def system_prompt(self, task: Task) -> str | None:
        return self.config.system_prompt

    def respond(self, state: EpisodeState, action: str) -> Feedback | Verdict:
        attempt = state.scratch.get("attempts", 0) + 1
        state.scratch["attempts"] = attempt
        verdict = self._judge(state.task, action, attempt)
        if verdict.correct or attempt >= self.config.max_attempts:
            return verdict
        left = self.config.max_attempts - attempt
        if verdict.components.get("format") == 0.0:
            problem = "I could not find a final answer"
        elif verdict.components.get("form") == 0.0:
            problem = verdict.reason.rstrip(".")
        else:
            problem = "That answer is not correct"
        return Feedback(
            message=f"{problem}. Try again ({left} attempt{'s' if left > 1 else ''} left). {ANSWER_INSTRUCTION}",
            info={"attempt": attempt, "correct": False},
        )

    def on_truncate(self, state: EpisodeState) -> Verdict:
        return self._judge(state.task, state.last_action(), max(1, state.scratch.get("attempts", 1)))

    # ---- scoring ----------------------------------------------------------------------------
    def verify(self, task: Task, transcript: Transcript) -> Verdict:
        attempts = max(1, assistant_turns(transcript))
        return self._judge(task, final_text(transcript), attempts)

    def _judge(self, task: Task, response: str, attempt: int) -> Verdict:
        reward = self.config.reward
        extraction = extract_answer(response, self.config.answer_sources)
        if extraction.answer is None:
            return Verdict(
                reward=reward.no_answer,
                correct=False,
                components={"correct": 0.0, "format": 0.0, "attempts": float(attempt)},
                reason="No final answer found: put it in \\boxed{...}.",
            )
        gold = str(task.data["answer"])
        form_name = task.data.get("answer_form", "any")
        if form_name == "any" and is_number_literal(gold):  # a value was asked for: the prompt's own
            form_name = "number"  # expression, equal to it, is not an answer
        form = check_form(form_name, gold, extraction.answer)
        if not form.ok:
            return Verdict(
                reward=reward.wrong,
                correct=False,
                components={"correct": 0.0, "format": 1.0, "form": 0.0, "attempts": float(attempt)},
                reason=f"Not in the requested form: {form.reason}.",
            )
        checker = check_antiderivative if form_name == "antiderivative" else check_answer
        check = checker(gold, extraction.answer, timeout_s=self.config.verifier_timeout_s, problem=task.prompt)
        timed_out = check.method == "timeout"
        if check.equal:
            value = reward.correct * reward.attempt_decay ** (attempt - 1)
            reason = "Correct." if attempt == 1 else f"Correct (on attempt {attempt})."
        else:
            value = reward.wrong
            reason = "Verification timed out; counted as incorrect." if timed_out else "Incorrect."
        return Verdict(
            reward=value,
            correct=check.equal,
            components={"correct": float(check.equal), "format": 1.0, "attempts": float(attempt)},
            reason=reason,
            timed_out=timed_out,
        )

    def oracle_action(self, state: EpisodeState) -> str:
        return f"The answer is \\boxed{{{state.task.data['answer']}}}"
