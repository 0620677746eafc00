"""Small pieces of the demo's reporting: the one throughput figure, pooled shares, early stopping, piped progress."""

from __future__ import annotations

import io
from typing import Any

import pytest

from baselines.grpo.demo import _early_stop
from baselines.grpo.metrics import progress_bar
from baselines.grpo.report import generation_throughput
from baselines.grpo.screen import pooled_share


def test_generation_throughput_is_total_tokens_over_total_generation_time() -> None:
    records = [
        {"tokens/generated": 1000, "time/generation_s": 1.0, "tokens/generation_per_s": 1000.0},
        {"tokens/generated": 1000, "time/generation_s": 4.0, "tokens/generation_per_s": 250.0},
    ]
    # not the mean of the per-step rates (625): a slow step weighs by its time
    assert generation_throughput(records) == pytest.approx(400.0)
    assert generation_throughput([]) == 0.0


def test_pooled_share_weighs_steps_by_their_groups() -> None:
    records = [
        {"zero_variance_share": 1.0, "groups/generated": 16},
        {"zero_variance_share": 0.25, "groups/generated": 48},
        {"zero_variance_share": None, "groups/generated": 8},  # an unmeasured step is left out
    ]
    assert pooled_share(records, "zero_variance_share", "groups/generated") == pytest.approx((16 + 12) / 64)
    assert pooled_share([], "zero_variance_share", "groups/generated") == 0.0


class _Selector:
    """Stands in for `BestOnValidation`: a scripted validation accuracy per check."""

    def __init__(self, accuracies: list[float]) -> None:
        self.accuracies = list(accuracies)
        self.checked: set[int] = set()
        self.history: list[tuple[int, float]] = []
        self.best, self.best_step = -1.0, -1

    def check(self, step: int) -> None:
        self.checked.add(step)
        accuracy = self.accuracies.pop(0)
        self.history.append((step, accuracy))
        if accuracy > self.best:
            self.best, self.best_step = accuracy, step

    def checks_since_best(self) -> int:
        steps = [s for s, _ in self.history]
        return len(steps) - 1 - steps.index(self.best_step)


def _stopped_at(accuracies: list[float], every: int, patience: int, steps: int = 100) -> int:
    selector: Any = _Selector(accuracies)
    stop = _early_stop(selector, every, patience)
    for step in range(steps):
        if stop(step, 0.0):
            return step
    return steps


def test_early_stop_after_patience_checks_without_a_new_best() -> None:
    # checks at 0, 10, 20, ...: best at step 20, then two checks without a new best
    assert _stopped_at([0.1, 0.2, 0.5, 0.4, 0.5, 0.9], every=10, patience=2) == 40
    assert _stopped_at([0.1, 0.2, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0], every=10, patience=2) == 90
    assert _stopped_at([0.1, 0.0, 0.0] + [0.0] * 7, every=10, patience=0) == 100  # 0: never stops early


def test_early_stop_waits_until_the_model_solves_something() -> None:
    # a fresh model scores 0 for a while (it is learning the answer format): that is no plateau
    assert _stopped_at([0.0, 0.0, 0.0, 0.0, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2], every=10, patience=2) == 60


def test_progress_bar_draws_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    piped, terminal = io.StringIO(), Terminal()
    for stream in (piped, terminal):
        bar = progress_bar(3, 0, True, stream=stream)
        for _ in range(3):
            bar.update(1)
        bar.close()
    assert piped.getvalue() == ""  # a log file gets the plain progress lines only, no redraws
    assert "3/3" in terminal.getvalue()
    silent = Terminal()
    progress_bar(3, 0, False, stream=silent).close()
    assert silent.getvalue() == ""
