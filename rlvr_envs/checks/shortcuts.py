"""The shortcut corpus: cheap, task-blind policies that must earn (almost) nothing on any env.

A shortcut is a policy that does not solve the task: it prints a constant, copies a number from
the prompt, answers the most common answer, cites every document, orders the first search hit...
If one of them earns reward, a trainer will find it before it finds the skill, so every env must
keep them under a bar: **mean reward above the env's format floor <= 0.02, and full reward on at
most 0.5% of tasks** (2% for a policy marked ``legit_share``: an answer that may legitimately
equal a given number, e.g. a gcd that is one of the inputs).

`run_shortcuts` plays each applicable policy on the same ``n_tasks`` tasks per level of any
registered env id and returns a `ShortcutReport`. Generic policies (constants, echoing the prompt,
refusing, the first/last number) apply to every env, users' included; family policies add what the
family's reward structure suggests. Code shortcuts are judged without the sandbox by default
(their output on each test is known in advance; `judge_code_outputs` uses the sandbox's own
comparison), which a test checks against the sandbox on a sample.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from rlvr_envs.core.types import Task

BAR_MEAN = 0.02
BAR_FULL = 0.005
BAR_FULL_LEGIT = 0.02
FULL = 0.999  # a reward at or above this is "full reward"
SIGMAS = 3.0  # how far above a bar a small sample may land before it counts against the env
MAX_TURNS = 8  # a shortcut never needs more turns than this

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_MATH = re.compile(r"\$([^$]{1,400})\$")
_DOC = re.compile(r"^\[(D\d+)\] ", re.MULTILINE)
_NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:[ -](?:of |the |de |van )?[A-Z][a-z]+)+)\b")
_PRODUCT = re.compile(r"\bP\d{5}\b")


# ---- what a policy sees -----------------------------------------------------------------------
@dataclass(slots=True)
class Probe:
    """What a shortcut may look at: the conversation so far and, for priors, the task's *metadata*
    kind (never its gold data). ``prior`` holds answers learned from other tasks (calibration)."""

    family: str
    prompt: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    task: Task
    prior: dict[str, str] = field(default_factory=dict)
    turn: int = 0

    @property
    def last(self) -> str:
        content = self.messages[-1].get("content") if self.messages else ""
        if isinstance(content, list):
            return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        return str(content or "")

    def tool_names(self) -> list[str]:
        return [str(t.get("function", t).get("name", "")) for t in self.tools]


Act = Callable[[Probe], str]


@dataclass(frozen=True, slots=True)
class Shortcut:
    """One cheap policy: ``families`` it applies to (``()`` = every env) and how it acts."""

    name: str
    act: Act
    families: tuple[str, ...] = ()
    legit_share: bool = False  # its answer may legitimately be right on a few tasks (bar 2%)
    code_output: Callable[[Task, Any], Any] | None = None  # Code: its output for one test input


def _boxed(text: str) -> str:
    return f"The answer is \\boxed{{{text}}}\n<answer>{text}</answer>"


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


def _question_text(probe: Probe) -> str:
    match = re.search(r"^Question: (.+)$", probe.prompt, re.MULTILINE)
    return match.group(1) if match else probe.prompt[-400:]


# ---- generic policies (every env) ----------------------------------------------------------------
def _constant(value: str) -> Act:
    return lambda probe: _boxed(value)


def _first_number(probe: Probe) -> str:
    found = _numbers(_question_text(probe))
    return _boxed(found[0] if found else "0")


def _last_number(probe: Probe) -> str:
    found = _numbers(_question_text(probe))
    return _boxed(found[-1] if found else "0")


def _echo(probe: Probe) -> str:
    return probe.prompt[-2000:]


def _refuse(probe: Probe) -> str:
    return "I'm sorry, I can't help with that."


def _hedge(probe: Probe) -> str:
    return "\\boxed{0} \\boxed{1} \\boxed{-1} \\boxed{2}\n<answer>0 or 1 or 2</answer>"


GENERIC: tuple[Shortcut, ...] = (
    Shortcut("constant_0", _constant("0"), legit_share=True),
    Shortcut("constant_1", _constant("1"), legit_share=True),
    Shortcut("constant_yes", _constant("yes"), legit_share=True),
    Shortcut("first_number", _first_number, legit_share=True),
    Shortcut("last_number", _last_number, legit_share=True),
    Shortcut("echo_prompt", _echo),
    Shortcut("refuse", _refuse),
    Shortcut("hedge", _hedge, legit_share=True),  # graders read one of its boxes: a constant in effect
)


# ---- math ----------------------------------------------------------------------------------------
def _copy_expression(probe: Probe) -> str:
    found = _MATH.findall(probe.prompt)
    return _boxed(found[-1] if found else probe.prompt[:200])


def math_prior_key(task: Task) -> str:
    """The kind of a Math task a task-blind policy can tell from the prompt's wording: its generator
    (``metadata["generator"]``), else a user family's own ``metadata["family"]``, else one kind."""
    metadata = task.metadata
    return str(metadata.get("generator") or metadata.get("family") or "")


def _prior_answer(probe: Probe) -> str:
    return _boxed(probe.prior.get(math_prior_key(probe.task), "0"))


MATH = ("math", "math_python")
MATH_SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("copy_expression", _copy_expression, MATH),
    Shortcut("prior_answer", _prior_answer, MATH, True),  # the most common answer per generator
)


# ---- code ----------------------------------------------------------------------------------------
def _code_constant(value: Any) -> Shortcut:
    text = json.dumps(value)

    def act(probe: Probe) -> str:
        if probe.task.data.get("mode") == "function":
            body = f"def solve(*args):\n    return {value!r}\n"
        else:
            body = f"print({text if isinstance(value, str) else value!r})\n"
        return f"```python\n{body}```"

    def output(task: Task, test_input: Any) -> Any:
        return value if task.data.get("mode") == "function" else f"{value}\n"

    return Shortcut(f"code_constant_{value if value != '' else 'empty'}", act, ("code",), code_output=output)


def _public(task: Task) -> list[dict[str, Any]]:
    return list(task.data.get("public_tests", []))


def _first_public_output(task: Task, test_input: Any) -> Any:
    public = _public(task)
    return public[0]["expected"] if public else None


def _lookup_output(task: Task, test_input: Any) -> Any:
    for test in _public(task):
        if test["input"] == test_input:
            return test["expected"]
    return _first_public_output(task, test_input)


def _echo_output(task: Task, test_input: Any) -> Any:
    if task.data.get("mode") == "function":
        return test_input[0] if isinstance(test_input, list) and test_input else test_input
    return test_input


def _program_for(output: Callable[[Task, Any], Any]) -> Act:
    """A real program behaving like ``output`` (what the sandbox runs when not simulated)."""

    def act(probe: Probe) -> str:
        task = probe.task
        table = [(t["input"], output(task, t["input"])) for t in _public(task)]
        default = output(task, None)
        if output is _echo_output:
            if task.data.get("mode") == "function":
                return "```python\ndef solve(*args):\n    return args[0] if args else None\n```"
            return "```python\nimport sys\nsys.stdout.write(sys.stdin.read())\n```"
        source = f"TABLE = {json.dumps(table)}\nDEFAULT = {json.dumps(default)}\n"
        if task.data.get("mode") == "function":
            source += (
                "def solve(*args):\n    for given, out in TABLE:\n        if given == list(args):\n"
                "            return out\n    return DEFAULT\n"
            )
        else:
            source += (
                "import sys\ntext = sys.stdin.read()\nfor given, out in TABLE:\n    if given == text:\n"
                "        sys.stdout.write(out)\n        break\nelse:\n    sys.stdout.write(DEFAULT or '')\n"
            )
        return f"```python\n{source}```"

    return act


CODE_SHORTCUTS: tuple[Shortcut, ...] = (
    *(_code_constant(v) for v in (0, 1, -1, "", "YES", "NO")),
    Shortcut(
        "code_first_public_output", _program_for(_first_public_output), ("code",), code_output=_first_public_output
    ),
    Shortcut("code_echo_input", _program_for(_echo_output), ("code",), code_output=_echo_output),
    Shortcut("code_public_lookup", _program_for(_lookup_output), ("code",), code_output=_lookup_output),
)


def judge_code_outputs(task: Task, family: Any, output: Callable[[Task, Any], Any]) -> float:
    """The reward a program with known outputs earns, judged as the sandbox judges (no execution).

    It mirrors `CodeFamily`: the public tests first, resubmission until the last attempt, then the
    hidden tests' pass rate (``dense``) or all-pass (``binary``) times ``attempt_decay`` per attempt.
    """
    from rlvr_envs.tasks.code.problems import echoes, hidden_tests
    from rlvr_envs.verifiers.sandbox import TestCase
    from rlvr_envs.verifiers.sandbox.judge import outputs_match, values_match

    def passed(test: TestCase) -> bool:
        got = output(task, test.input)
        if got is None:
            return False
        if task.data.get("mode") == "function":
            return values_match(test.expected, json.loads(json.dumps(got)))
        return outputs_match(str(test.expected), str(got))

    config = family.config
    public = [TestCase.model_validate(t) for t in _public(task)]
    attempts = 1 if all(passed(t) for t in public) else config.max_attempts
    hidden = hidden_tests(task.data)
    results = [passed(t) for t in hidden]
    informative = [ok for t, ok in zip(hidden, results, strict=True) if not echoes(task.data["mode"], t)] or results
    rate = sum(informative) / len(informative) if informative else 0.0
    outputs = {json.dumps(output(task, t.input), sort_keys=True) for t in hidden}
    expected = {json.dumps(t.expected, sort_keys=True) for t in hidden}
    if len(hidden) > 1 and len(outputs) == 1 and len(expected) > 1:  # `constant_output` in the family
        rate = 0.0
    base = rate if config.reward.mode == "dense" else float(all(results))
    return float(base * config.reward.attempt_decay ** (attempts - 1))


# ---- long context ----------------------------------------------------------------------------------
def _documents(probe: Probe) -> str:
    text = probe.prompt
    start, end = text.find("<documents>"), text.find("</documents>")
    return text[start:end] if start >= 0 and end > start else text


def _names(text: str) -> list[str]:
    return [n for n in _NAME.findall(text) if not n.startswith(("The ", "On ", "In ", "A "))]


def _most_frequent_name(probe: Probe) -> str:
    question = _question_text(probe)
    counts = Counter(n for n in _names(_documents(probe)) if n not in question)
    return counts.most_common(1)[0][0] if counts else "unknown"


def _first_name(probe: Probe) -> str:
    question = _question_text(probe)
    names = [n for n in _names(_documents(probe)) if n not in question]
    return names[0] if names else "unknown"


def _all_docs(probe: Probe) -> str:
    return ", ".join(dict.fromkeys(_DOC.findall(probe.prompt)))


def _lc(answer: Callable[[Probe], str], *, cite_all: bool = False) -> Act:
    def act(probe: Probe) -> str:
        cite = _all_docs(probe) if cite_all else ", ".join(_DOC.findall(probe.prompt)[:1])
        return f"<answer>{answer(probe)}</answer>\n<cite>{cite}</cite>"

    return act


LC = ("longcontext_qa",)
LONGCONTEXT_SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("lc_most_frequent_name", _lc(_most_frequent_name), LC),
    Shortcut("lc_first_name", _lc(_first_name), LC),
    Shortcut("lc_cite_every_document", _lc(_most_frequent_name, cite_all=True), LC),
    Shortcut("lc_prior_answer", _lc(lambda p: p.prior.get(str(p.task.metadata.get("question_type")), "0")), LC, True),
)


# ---- VQA -------------------------------------------------------------------------------------------
def _vqa(boxes: Callable[[Probe], list[list[int]]], caption: Callable[[Probe], str] = lambda p: "object") -> Act:
    def act(probe: Probe) -> str:
        answer = probe.prior.get(str(probe.task.metadata.get("question_family")), "yes")
        listed = ", ".join("[" + ", ".join(str(v) for v in b) + "]" for b in boxes(probe))
        return f"<caption>{caption(probe)}</caption><bbox>[{listed}]</bbox><answer>{answer}</answer>"

    return act


def _full_image(probe: Probe) -> list[list[int]]:
    size = int(probe.task.data["scene"]["size"])
    return [[0, 0, size, size]]


def _every_object(probe: Probe) -> list[list[int]]:
    """Every object's box: what any object detector gives for free (read from the scene)."""
    return [list(o["box"]) for o in probe.task.data["scene"]["objects"]]


VQA = ("vqa",)
VQA_SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("vqa_prior_no_box", _vqa(lambda p: []), VQA),
    Shortcut("vqa_prior_full_image_box", _vqa(_full_image), VQA),
    Shortcut("vqa_prior_every_object_box", _vqa(_every_object), VQA),
    Shortcut("vqa_prior_question_caption", _vqa(_full_image, lambda p: p.prompt), VQA),
)


# ---- e-commerce ------------------------------------------------------------------------------------
def _call(name: str, **arguments: Any) -> str:
    return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"


def _order_first_hit(probe: Probe) -> str:
    if probe.turn == 0:
        words = re.findall(r"[a-z]+", probe.last.lower())
        return _call("search_products", query=" ".join(w for w in words if len(w) > 3)[:200])
    hits = _PRODUCT.findall(probe.last)
    if probe.turn == 1 and hits:
        return _call("add_to_cart", product_id=hits[0])
    if probe.turn == 2:
        return _call("place_order")
    return "Your order is placed. Is there anything else?"


def _name_many_ids(probe: Probe) -> str:
    if probe.turn == 0:
        return _call("search_products", query="")
    ids = list(dict.fromkeys(_PRODUCT.findall(" ".join(str(m.get("content", "")) for m in probe.messages))))
    return "You might like: " + ", ".join(ids[:40]) + ". Anything else?"


ECOM = ("ecommerce",)
ECOM_SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("ecom_order_first_hit", _order_first_hit, ECOM),
    Shortcut("ecom_refuse_everything", lambda p: "Sorry, I can't help with that request.", ECOM),
    Shortcut("ecom_name_many_ids", _name_many_ids, ECOM),
)

CORPUS: tuple[Shortcut, ...] = (
    *GENERIC,
    *MATH_SHORTCUTS,
    *CODE_SHORTCUTS,
    *LONGCONTEXT_SHORTCUTS,
    *VQA_SHORTCUTS,
    *ECOM_SHORTCUTS,
)
#: families whose answers are not free text, so the generic text shortcuts only measure the floor
_NO_GENERIC = {"code", "vqa", "ecommerce"}


def applicable(family: str) -> list[Shortcut]:
    """The shortcuts that apply to a family (generic ones to every family but the structured ones)."""
    own = [s for s in CORPUS if family in s.families]
    generic = [s for s in GENERIC if family not in _NO_GENERIC]
    return generic + own


# ---- the report ------------------------------------------------------------------------------------
class ShortcutResult(BaseModel):
    """One policy at one level."""

    model_config = ConfigDict(frozen=True)

    policy: str
    level: int
    tasks: int
    mean_reward: float
    excess_reward: float  # mean reward above the env's format floor
    full_share: float
    full_bar: float
    passed: bool
    mean_bar: float = BAR_MEAN  # the excess mean reward allowed (above BAR_MEAN only for a small sample)


class ShortcutReport(BaseModel):
    """Every applicable shortcut on the same tasks, per level, with the bars they are held to."""

    env_id: str
    family: str
    levels: list[int]
    n_tasks: int
    seed: int
    floor: dict[int, float]
    bar_mean: float = BAR_MEAN
    results: list[ShortcutResult]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def failures(self) -> list[ShortcutResult]:
        return [r for r in self.results if not r.passed]

    def best(self) -> ShortcutResult:
        """The shortcut with the highest excess reward (the one a trainer would find first)."""
        return max(self.results, key=lambda r: (r.excess_reward, r.full_share))

    def table(self) -> str:
        """A Markdown table (policy x level: excess mean reward / full-reward share)."""
        policies = list(dict.fromkeys(r.policy for r in self.results))
        head = "| policy | " + " | ".join(f"L{lv}" for lv in self.levels) + " |"
        lines = [head, "|" + "---|" * (len(self.levels) + 1)]
        cell = {(r.policy, r.level): r for r in self.results}
        for name in policies:
            row = [f"{cell[name, lv].excess_reward:+.3f} / {cell[name, lv].full_share:.1%}" for lv in self.levels]
            lines.append(f"| {name} | " + " | ".join(row) + " |")
        return "\n".join(lines)


def sampling_allowance(bar: float, n: int, sigmas: float = SIGMAS) -> float:
    """The share a sample of ``n`` tasks may show when the true share sits exactly at ``bar``.

    With 20 tasks one lucky hit is 5%: judging a small sample by the exact bar fails envs on
    noise. ``bar + sigmas * binomial sd + 1/n`` (one task of slack for the discreteness) keeps a
    sample's false alarms rare while a real shortcut (many times the bar) still fails.
    """
    if n <= 0:
        return bar
    return bar + sigmas * math.sqrt(bar * (1 - bar) / n) + 1 / n


def _play(env: Any, task: Task, shortcut: Shortcut, prior: dict[str, str]) -> float:
    _, info = env.reset(options={"task": task})
    for turn in range(MAX_TURNS):
        probe = Probe(
            task.family, task.prompt, list(info["messages"]), list(info.get("tools") or []), task, prior, turn
        )
        _, reward, terminated, truncated, info = env.step(shortcut.act(probe))
        if terminated or truncated:
            return float(reward)
    return 0.0


def _floor(env: Any, task: Task) -> float:
    """The reward of a well-formed empty answer: what any format-following reply earns."""
    if task.family != "vqa":
        return 0.0
    env.reset(options={"task": task})
    _, reward, *_ = env.step("<caption>object</caption><bbox>[[0, 0, 1, 1]]</bbox><answer>none</answer>")
    return float(reward)


def _gold_answer(task: Task) -> tuple[str, str] | None:
    """(prior key, gold answer) of a calibration task, for the prior-answer shortcuts."""
    if task.family == "vqa":
        return str(task.metadata.get("question_family")), str(task.data["question"]["answer"])
    if task.family in MATH:
        answer = task.data.get("answer")
        return (math_prior_key(task), str(answer)) if answer is not None else None
    if task.family == "longcontext_qa":
        return str(task.metadata.get("question_type")), str(task.data.get("answer"))
    return None


def _priors(tasks: Iterable[Task]) -> dict[str, str]:
    counts: dict[str, Counter[str]] = {}
    for task in tasks:
        pair = _gold_answer(task)
        if pair is not None:
            counts.setdefault(pair[0], Counter())[pair[1]] += 1
    return {key: c.most_common(1)[0][0] for key, c in counts.items()}


def _tasks(inner: Any, level: int, n: int, seed: int, stream: int) -> list[Task]:
    seeds = np.random.SeedSequence([seed, level, stream]).generate_state(n, dtype=np.uint64)
    out = []
    for s in seeds:
        inner.reset(seed=int(s % (2**63)), options={"level": level})
        out.append(inner.task)
    return out


def _level_sample(
    inner: Any, level: int, n_tasks: int, seed: int, calibration_tasks: int
) -> tuple[list[Task], dict[str, str]]:
    """A level's tasks and the prior learned from other seeds' calibration tasks: one draw shared by
    `run_shortcuts` and `prior_shares`, so the breakdown explains the audit's own figures."""
    tasks = _tasks(inner, level, n_tasks, seed, 0)
    prior = _priors(_tasks(inner, level, calibration_tasks, seed, 1)) if calibration_tasks else {}
    return tasks, prior


def run_shortcuts(
    env_id: str,
    levels: list[int],
    n_tasks: int,
    seed: int = 0,
    *,
    policies: list[str] | None = None,
    simulate_code: bool = True,
    calibration_tasks: int = 200,
    progress: Callable[[str], None] | None = None,
    sampling_noise: bool = False,
    **make_kwargs: Any,
) -> ShortcutReport:
    """Play every applicable shortcut on ``n_tasks`` tasks per level of ``env_id``.

    Args:
        policies: names to run (default: all that apply to the env's family).
        simulate_code: judge Code shortcuts from their known outputs instead of the sandbox.
        calibration_tasks: tasks (other seeds) from which the prior-answer policies learn.
        progress: called with a line per (level, policy) done.
        sampling_noise: judge by `sampling_allowance` of the bars instead of the exact bars (for
            quick samples of a few dozen tasks; the audit of >= 1,000 tasks uses the exact bars).
    """
    from rlvr_envs.envs.api import make, unwrap

    env = make(env_id, **make_kwargs)
    inner = unwrap(env)
    try:
        family = inner.family.name
        chosen = applicable(family)
        if policies is not None:
            unknown = set(policies) - {s.name for s in chosen}
            if unknown:
                raise ValueError(
                    f"unknown shortcut(s) {sorted(unknown)} for {env_id}; known: {[s.name for s in chosen]}"
                )
            chosen = [s for s in chosen if s.name in policies]
        results: list[ShortcutResult] = []
        floors: dict[int, float] = {}
        for level in levels:
            tasks, prior = _level_sample(inner, level, n_tasks, seed, calibration_tasks)
            floor = float(np.mean([_floor(inner, t) for t in tasks[: min(50, len(tasks))]])) if tasks else 0.0
            floors[level] = floor
            for shortcut in chosen:
                if simulate_code and shortcut.code_output is not None and family == "code":
                    output = shortcut.code_output
                    rewards = [judge_code_outputs(t, inner.family, output) for t in tasks]
                else:
                    rewards = [_play(inner, t, shortcut, prior) for t in tasks]
                mean = float(np.mean(rewards)) if rewards else 0.0
                full = float(np.mean([r >= FULL for r in rewards])) if rewards else 0.0
                bar = BAR_FULL_LEGIT if shortcut.legit_share else BAR_FULL
                mean_bar = BAR_MEAN
                if sampling_noise:  # a 0/1 reward's mean is its full share: the mean's bar is at least that
                    mean_bar = sampling_allowance(max(BAR_MEAN, bar), len(rewards))
                    bar = sampling_allowance(bar, len(rewards))
                excess = mean - floor
                results.append(
                    ShortcutResult(
                        policy=shortcut.name,
                        level=level,
                        tasks=len(rewards),
                        mean_reward=round(mean, 5),
                        excess_reward=round(excess, 5),
                        full_share=round(full, 5),
                        full_bar=round(bar, 5),
                        mean_bar=round(mean_bar, 5),
                        passed=excess <= mean_bar and full <= bar,
                    )
                )
                if progress is not None:
                    progress(f"{env_id} level {level} {shortcut.name}: {excess:+.3f} mean, {full:.1%} full")
        return ShortcutReport(
            env_id=env_id, family=family, levels=list(levels), n_tasks=n_tasks, seed=seed, floor=floors, results=results
        )
    finally:
        env.close()


class PriorShare(BaseModel):
    """How often one kind's commonest calibration answer is the gold of a level's tasks."""

    model_config = ConfigDict(frozen=True)

    level: int
    kind: str
    tasks: int
    prior: str
    hit_share: float


def prior_shares(
    env_id: str, levels: list[int], n_tasks: int, seed: int = 0, calibration_tasks: int = 200, **make_kwargs: Any
) -> list[PriorShare]:
    """The prior-answer shortcut broken down by the kind it learns from (a Math generator, a VQA
    question family, a long-context question type): which kind's typical answer pays, so the fix
    goes to that generator. The same tasks and calibration as `run_shortcuts`; a hit is the gold
    string equal to the prior (the verifier may accept a few more equivalent forms). Extra keywords
    go to `gym.make`."""
    from rlvr_envs.envs.api import make, unwrap

    env = make(env_id, **make_kwargs)
    inner = unwrap(env)
    try:
        rows: list[PriorShare] = []
        for level in levels:
            tasks, prior = _level_sample(inner, level, n_tasks, seed, calibration_tasks)
            totals: Counter[str] = Counter()
            hits: Counter[str] = Counter()
            for task in tasks:
                pair = _gold_answer(task)
                if pair is not None:
                    totals[pair[0]] += 1
                    hits[pair[0]] += prior.get(pair[0]) == pair[1]
            rows += [
                PriorShare(level=level, kind=k, tasks=n, prior=prior.get(k, ""), hit_share=round(hits[k] / n, 5))
                for k, n in sorted(totals.items())
            ]
        return rows
    finally:
        env.close()


def main(argv: list[str] | None = None) -> int:
    """``python -m rlvr_envs.checks.shortcuts --env ID [--levels 0,2,4,6,8] [--tasks 1000] [--by-kind]``."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m rlvr_envs.checks.shortcuts", description=main.__doc__)
    parser.add_argument("--env", required=True)
    parser.add_argument("--levels", default="0,2,4,6,8")
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--by-kind",
        action="store_true",
        help="only the prior-answer shortcut, per kind it learns from (Math generator, VQA question family, ...)",
    )
    args = parser.parse_args(argv)
    levels = [int(v) for v in args.levels.split(",") if v.strip()]
    if args.by_kind:
        rows = prior_shares(args.env, levels, args.tasks, args.seed, calibration_tasks=min(args.tasks, 200))
        if not rows:
            print(f"{args.env}: no prior-answer shortcut applies (its tasks carry no gold answer to learn)")
            return 0
        print("| level | kind | tasks | prior answer | share of the kind's tasks | share of the level's tasks |")
        print("|---|---|---|---|---|---|")
        level_totals: Counter[int] = Counter()
        for row in rows:
            level_totals[row.level] += row.tasks
        for row in rows:
            overall = row.hit_share * row.tasks / level_totals[row.level]
            print(f"| {row.level} | {row.kind} | {row.tasks} | {row.prior} | {row.hit_share:.1%} | {overall:.1%} |")
        return 0
    report = run_shortcuts(
        args.env,
        levels,
        args.tasks,
        args.seed,
        calibration_tasks=min(args.tasks, 200),
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    best = report.best()
    print(report.table())
    print(f"best: {best.policy} at level {best.level}: {best.excess_reward:+.3f} mean, {best.full_share:.1%} full")
    print("PASS" if report.passed else f"FAIL: {len(report.failures())} (policy, level) over the bar")
    return 0 if report.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
