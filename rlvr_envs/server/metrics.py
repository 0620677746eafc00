"""``GET /metrics``: sessions, episodes, steps, errors and a step-latency histogram (Prometheus text).

Plain counters in one process (the event loop thread updates them); with ``--workers N`` each worker
reports its own numbers (label ``pid``), which is what a Prometheus scrape of each worker expects.
"""

from __future__ import annotations

import bisect
import os
import time
from collections import Counter

#: Upper bounds (seconds) of the step-latency histogram buckets.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """Counters and a fixed-bucket histogram; `render` gives the Prometheus exposition text."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.sessions_opened = 0
        self.sessions_closed = 0
        self.sessions_reaped = 0
        self.capacity_rejections = 0
        self.episodes = 0
        self.steps = 0
        self.step_deadlines = 0
        self.memory_releases = 0
        self.errors: Counter[str] = Counter()
        self._buckets = [0] * (len(LATENCY_BUCKETS) + 1)
        self._latency_sum = 0.0
        self._recent: list[float] = []  # step completion times for steps/s over the last 10 s

    def observe_step(self, seconds: float) -> None:
        self.steps += 1
        self._buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self._latency_sum += seconds
        now = time.monotonic()
        self._recent.append(now)
        if len(self._recent) > 4096 and self._recent[0] < now - 10.0:
            cut = bisect.bisect_left(self._recent, now - 10.0)
            del self._recent[:cut]

    def steps_per_s(self) -> float:
        now = time.monotonic()
        window = min(10.0, max(1e-9, now - self.started))
        recent = len(self._recent) - bisect.bisect_left(self._recent, now - window)
        return recent / window

    def latency_quantile(self, q: float) -> float | None:
        """Upper bound of the bucket holding quantile ``q`` (``None`` before any step)."""
        total = sum(self._buckets)
        if total == 0:
            return None
        target, seen = q * total, 0
        for bound, count in zip((*LATENCY_BUCKETS, float("inf")), self._buckets, strict=True):
            seen += count
            if seen >= target:
                return bound
        return float("inf")

    def render(self, active_sessions: int, max_sessions: int) -> str:
        pid = f'pid="{os.getpid()}"'
        lines = [
            "# TYPE rlvr_sessions_active gauge",
            f"rlvr_sessions_active{{{pid}}} {active_sessions}",
            f"rlvr_sessions_max{{{pid}}} {max_sessions}",
            "# TYPE rlvr_sessions_opened_total counter",
            f"rlvr_sessions_opened_total{{{pid}}} {self.sessions_opened}",
            f"rlvr_sessions_closed_total{{{pid}}} {self.sessions_closed}",
            f"rlvr_sessions_reaped_total{{{pid}}} {self.sessions_reaped}",
            f"rlvr_capacity_rejections_total{{{pid}}} {self.capacity_rejections}",
            f"rlvr_episodes_total{{{pid}}} {self.episodes}",
            f"rlvr_steps_total{{{pid}}} {self.steps}",
            f"rlvr_step_deadlines_total{{{pid}}} {self.step_deadlines}",
            f"rlvr_memory_releases_total{{{pid}}} {self.memory_releases}",
            "# TYPE rlvr_steps_per_second gauge",
            f"rlvr_steps_per_second{{{pid}}} {self.steps_per_s():.3f}",
        ]
        for code, count in sorted(self.errors.items()):
            lines.append(f'rlvr_errors_total{{{pid},code="{code}"}} {count}')
        lines.append("# TYPE rlvr_step_latency_seconds histogram")
        cumulative = 0
        for bound, count in zip((*LATENCY_BUCKETS, float("inf")), self._buckets, strict=True):
            cumulative += count
            le = "+Inf" if bound == float("inf") else f"{bound:g}"
            lines.append(f'rlvr_step_latency_seconds_bucket{{{pid},le="{le}"}} {cumulative}')
        lines.append(f"rlvr_step_latency_seconds_sum{{{pid}}} {self._latency_sum:.6f}")
        lines.append(f"rlvr_step_latency_seconds_count{{{pid}}} {cumulative}")
        return "\n".join(lines) + "\n"
