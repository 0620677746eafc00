"""``rlvr-envs serve`` refuses unsafe or wrong arguments with a sentence, before binding anything."""

from __future__ import annotations

import pytest

from rlvr_envs.cli import main


def test_public_host_without_token_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "rlvr/Math-v0", "--host", "0.0.0.0"]) == 2
    out = capsys.readouterr().out
    assert "--token" in out and "--insecure" in out


def test_unknown_id_suggests_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "rlvr/Maths-v0"]) == 2
    assert "rlvr/Math-v0" in capsys.readouterr().out
