"""The adversarial corpus: every program ends in a failed verdict and the host is unharmed.

Run in both isolation modes. "Unharmed" (see ``conftest.Host.check_unharmed``): the same server
processes still serve, none has a process beyond its spare child, no uid-65534 process survives,
no marker file appeared in /tmp, /var/tmp, /dev/shm, the home directory, the repository or /, and a
correct program still passes.
"""

from __future__ import annotations

import pytest

from rlvr_envs.verifiers import sandbox

from .conftest import Host
from .corpus import CORPUS, FUNCTION_ARGS, FUNCTION_EXPECTED, SAFE_FUNCTION, SAFE_STDIO, STDIO_EXPECTED, STDIO_INPUT

LIMITS = sandbox.Limits(time_limit=1.0, memory_mb=128)


def test_corpus_is_large_and_named_uniquely() -> None:
    names = [attack.name for attack in CORPUS]
    assert len(names) >= 25 and len(set(names)) == len(names)


def _judge(attack_code: str, mode: str) -> list[sandbox.TestResult]:
    if mode == "stdio":
        return sandbox.run_tests(attack_code, [{"input": STDIO_INPUT, "expected": STDIO_EXPECTED}], limits=LIMITS)
    return sandbox.run_tests(
        attack_code, [{"input": FUNCTION_ARGS, "expected": FUNCTION_EXPECTED}], entry_point="solve", limits=LIMITS
    )


def test_the_tasks_are_solvable(host: Host) -> None:
    assert _judge(SAFE_STDIO, "stdio")[0].passed
    assert _judge(SAFE_FUNCTION, "function")[0].passed


@pytest.mark.parametrize("attack", CORPUS, ids=[attack.name for attack in CORPUS])
def test_attack_fails_and_leaves_the_host_unharmed(host: Host, attack: object) -> None:
    from .corpus import Attack

    assert isinstance(attack, Attack)
    results = _judge(host.substitute(attack.code), attack.mode)
    assert len(results) == 1
    result = results[0]
    assert not result.passed, f"{attack.name} ({attack.what}) passed in {host.mode} mode: {result}"
    assert result.status != "sandbox_error", f"{attack.name} broke the sandbox: {result.error}"
    host.check_unharmed()
