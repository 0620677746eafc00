"""The curriculum benchmark: synthetic GRPO learners and a real-env run under each controller.

`simulation` is the library (learners, the GRPO group loop, metrics, plot, report);
`test_bench_curriculum` runs it, asserts the issue's targets and writes
``benchmarks/results/curriculum.md`` and ``docs/img/curriculum_simulation.png``.
"""
