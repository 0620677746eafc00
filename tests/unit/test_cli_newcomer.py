"""The newcomer's path through the CLI (issue 20): help, version, flags named in errors, piped output,
user envs reachable from the CLI, family bugs shown short, and `play`'s wrapping and Ctrl-D."""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import pytest
from rich.console import Console

import rlvr_envs
from rlvr_envs import Task, TaskFamily, Verdict, cli
from rlvr_envs.cli import play

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_bare_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([], capsys)
    assert code == 0 and "usage: rlvr-envs" in out and "check" in out and "eval" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0 and rlvr_envs.__version__ in capsys.readouterr().out


def test_every_subcommand_argument_is_described() -> None:
    """Each argument of each command has a help text (the formatter then adds its default)."""
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    undocumented = [
        f"{name} {action.dest}"
        for name, sub in commands.choices.items()
        if name != "train"  # the trainer documents its own arguments (`rlvr-envs train --help`)
        for action in sub._actions
        if action.help is None
    ]
    assert not undocumented, f"arguments without help: {undocumented}"


def test_subcommand_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["eval", "--help"])
    out = capsys.readouterr().out
    assert "(default: 20)" in out and "episodes per env and policy" in out


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["show", "rlvr/Math-v0", "--level", "-1"], "--level"),
        (["play", "rlvr/Math-v0", "--level", "-1"], "--level"),
        (["eval", "rlvr/Math-v0", "--episodes", "0"], "--episodes"),
        (["curriculum", "rlvr/Math-v0", "--episodes", "0"], "--episodes"),
        (["export", "rlvr/Math-v0", "--n", "0"], "--n"),
    ],
)
def test_bad_numbers_name_the_flag(argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and f"argument {flag}" in err and "options[" not in err


def test_eval_validates_before_drawing_the_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["eval", "rlvr/Math-v0", "--policy", "bogus", "--episodes", "2"], capsys)
    assert code == 2 and "unknown policy 'bogus'" in out and "evaluating" not in out and "0/2" not in out


def test_list_and_eval_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["list", "--json"], capsys)
    assert code == 0 and "rlvr/Math-v0" in {spec["id"] for spec in json.loads(out)}
    code, out, _ = run(["eval", "rlvr/Math-v0", "--episodes", "2", "--json"], capsys)
    summary = json.loads(out)
    assert code == 0 and summary["results"][0]["mean_reward"] == 1.0 and summary["warnings"] == []


def test_piped_output_has_no_box_drawing() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rlvr_envs.cli", "list"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "rlvr/Math-v0" in out and "+---" in out
    assert not set(out) & set("─│┏┃━┡╇└┘┌┐")


def test_piped_curriculum_bars_are_ascii(capsys: pytest.CaptureFixture[str]) -> None:
    """`rlvr-envs curriculum ... | less` draws `#` bars, as its tables get `+--+` lines (not `█`)."""
    code, out, _ = run(["curriculum", "rlvr/Math-v0", "--episodes", "12", "--policy", "oracle"], capsys)
    assert code == 0 and "+---" in out and "#" in out
    assert not set(out) & set("█─│┏┃━")


def test_curriculum_bars_follow_the_console_encoding() -> None:
    """A UTF-8 console gets block bars; an ASCII one (a pipe, a non-UTF-8 terminal) gets `#`."""
    from rlvr_envs.cli._output import AsciiStream
    from rlvr_envs.curriculum import Uniform
    from rlvr_envs.curriculum.report import curriculum_panel

    panel = curriculum_panel(Uniform(low=0, high=1), {0: 3, 1: 1}, {0: 3.0, 1: 0.0})
    utf8, ascii_text = io.StringIO(), io.StringIO()
    Console(file=utf8, width=120, force_terminal=False).print(panel)
    Console(file=cast(IO[str], AsciiStream(ascii_text)), width=120).print(panel)
    assert "█" * 22 + " 75%" in utf8.getvalue() and "#" * 22 + " 75%" in ascii_text.getvalue()
    assert "█" not in ascii_text.getvalue()
    narrow = io.StringIO()  # a narrow terminal: every bar shrinks by one factor, none is cut to "…"
    Console(file=cast(IO[str], AsciiStream(narrow)), width=70).print(panel)
    bars = re.findall(r"\| (#+) (\d+)% ", narrow.getvalue())
    assert [share for _, share in bars] == ["75", "25"] and len(bars[0][0]) > 2 * len(bars[1][0]) > 0


def test_list_shows_the_curriculum_range(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["list"], capsys)
    assert "thompson 0..20" in out


def test_show_truncates_long_contexts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", "rlvr/LongContextQA-v0", "--seed", "0", "--level", "3"], capsys)
    assert code == 0 and len(out) < 20_000 and "--full prints everything" in out
    code, full, _ = run(["show", "rlvr/LongContextQA-v0", "--seed", "0", "--level", "3", "--full"], capsys)
    assert code == 0 and len(full) > 5 * len(out)


# ---- user envs from the CLI ------------------------------------------------------------------
USER_ENV = textwrap.dedent(
    """
    import rlvr_envs
    from rlvr_envs import Task, TaskFamily, Verdict, final_text


    class Echo(TaskFamily):
        name = "echo"

        def generate(self, rng, level, *, task_id):
            word = "".join(rng.choice(list("abcdefgh"), size=3 + level))
            return Task(task_id=task_id, family=self.name, level=level, prompt=f"Say {word}", data={"gold": word})

        def verify(self, task, transcript):
            ok = final_text(transcript).strip() == task.data["gold"]
            return Verdict(reward=float(ok), correct=ok)

        def oracle_action(self, state):
            return state.task.data["gold"]


    rlvr_envs.register("user/ID-v0", family=Echo)
    """
)


@pytest.fixture
def user_module(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A user's env file, with a module name and env id of its own per test (a registry is per process)."""
    name = f"user_env_{request.node.name.removeprefix('test_')[:20]}"
    path = tmp_path / f"{name}.py"
    path.write_text(USER_ENV.replace("ID", name.title().replace("_", "")), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield path
    sys.modules.pop(name, None)


def user_id(path: Path) -> str:
    return f"user/{path.stem.title().replace('_', '')}-v0"


def test_module_colon_id_reaches_a_python_registered_env(user_module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", f"{user_module.stem}:{user_id(user_module)}", "--seed", "1"], capsys)
    assert code == 0 and "echo:0:" in out and "gold:" in out


def test_import_flag_reaches_a_python_registered_env(user_module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--import", str(user_module), "eval", user_id(user_module), "--episodes", "2"], capsys)
    assert code == 0 and user_id(user_module) in out and "+1.000" in out


def test_unknown_module_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", "no_such_module_xyz:user/Echo-v0"], capsys)
    assert code == 2 and "no_such_module_xyz" in out


# ---- family bugs are short and visible ---------------------------------------------------------
class RaisingGenerate(TaskFamily):
    name = "raising_generate"

    def generate(self, rng, level, *, task_id):  # type: ignore[no-untyped-def]
        return {"a": 1}["missing"]

    def verify(self, task, transcript):  # type: ignore[no-untyped-def]
        return Verdict(reward=0.0)

    def oracle_action(self, state):  # type: ignore[no-untyped-def]
        return ""


class RaisingVerify(TaskFamily):
    name = "raising_verify"

    def generate(self, rng, level, *, task_id):  # type: ignore[no-untyped-def]
        return Task(task_id=task_id, family=self.name, level=level, prompt="say x", data={})

    def verify(self, task, transcript):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("verify bug")

    def oracle_action(self, state):  # type: ignore[no-untyped-def]
        return "x"


def test_raising_generate_is_one_short_error(capsys: pytest.CaptureFixture[str]) -> None:
    rlvr_envs.register("test/RaisingGenerate-v0", family=RaisingGenerate, override=True)
    code, out, err = run(["show", "test/RaisingGenerate-v0"], capsys)
    assert code == 1 and "Traceback" not in out + err
    assert "RaisingGenerate.generate(level=0) raised KeyError" in out and "--traceback" in out
    assert len(out.strip().splitlines()) <= 3
    code, out, err = run(["--traceback", "show", "test/RaisingGenerate-v0"], capsys)
    assert code == 1 and "Traceback" in err


def test_raising_verify_is_counted_and_the_oracle_warned(capsys: pytest.CaptureFixture[str]) -> None:
    rlvr_envs.register("test/RaisingVerify-v0", family=RaisingVerify, override=True)
    code, out, _ = run(["eval", "test/RaisingVerify-v0", "--episodes", "3"], capsys)
    assert code == 0
    row = next(line for line in out.splitlines() if "test/RaisingVerify-v0" in line and "|" in line)
    assert [cell.strip() for cell in row.strip("|").split("|")][6] == "3"  # the errors column
    assert "3 of 3 episodes ended by an internal error" in out and "oracle scored below 1" in out


# ---- play --------------------------------------------------------------------------------------
def play_args(**overrides: object) -> argparse.Namespace:
    values: dict[str, object] = {"env_id": "rlvr/Math-v0", "level": 2, "seed": 1, "transcript": None, "images": None}
    values.update(overrides)
    return argparse.Namespace(**values)


def test_play_wraps_at_word_boundaries() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=40, color_system=None)
    play.say(console, "user", "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu")
    words = set(
        ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"]
    ) | {"user:"}
    for line in buffer.getvalue().splitlines():
        assert set(line.split()) <= words, f"a word was broken across lines: {line!r}"


def test_ctrl_d_after_partial_text_abandons() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None)
    code = play.run(play_args(), console, stream=io.StringIO("\\boxed{4}\npartial line without the dot\n"))
    assert code == 1 and "abandoned" in buffer.getvalue() and "episode over" not in buffer.getvalue()


def test_play_multimodal_names_the_image(tmp_path: Path) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None)
    play.run(play_args(env_id="rlvr/VQA-v0", level=0), console, stream=io.StringIO(""))
    assert "[image: " in buffer.getvalue() and "pass --images DIR" in buffer.getvalue()
    buffer.truncate(0)
    play.run(play_args(env_id="rlvr/VQA-v0", level=0, images=tmp_path), console, stream=io.StringIO(""))
    assert f"saved to {tmp_path / 'image_0.png'}" in buffer.getvalue() and (tmp_path / "image_0.png").is_file()


def test_malformed_user_spec_warns_with_the_file_and_no_source_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('id = "x/Bad-v0"\nentry_point = "nope"\n', encoding="utf-8")
    env = {"RLVR_ENVS_PATH": str(tmp_path), "PATH": "", "PYTHONPATH": str(ROOT)}
    err = subprocess.run(
        [sys.executable, "-c", "import rlvr_envs"], capture_output=True, text=True, env=env, timeout=120
    ).stderr
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and str(tmp_path / "bad.toml") in lines[0] and "entry_point" in lines[0], err


def test_eval_base_url_json_has_the_in_process_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """`eval --base-url --json` prints JSON (it used to print the table): the in-process row's keys,
    per-level rows, and the retried requests (the stand-in fails its first two requests with 503)."""
    from scripts.standin_server import StandInServer

    _, out, _ = run(["eval", "rlvr/MathRetry-v0", "--episodes", "2", "--json"], capsys)
    local_keys = set(json.loads(out)["results"][0])
    with StandInServer("rlvr/MathRetry-v0", seed=0, levels=(0, 1), episodes=4, fail_first=2) as server:
        argv = ["eval", "rlvr/MathRetry-v0", "--base-url", server.base_url, "--model", "stand-in", "--episodes", "4"]
        code, out, _ = run([*argv, "--levels", "0:1", "--concurrency", "1", "--json"], capsys)
    summary = json.loads(out)
    row = summary["results"][0]
    assert code == 0 and local_keys <= set(row) and summary["warnings"] == []
    assert (row["env"], row["policy"], row["episodes"], row["errors"]) == ("rlvr/MathRetry-v0", "stand-in", 4, 0)
    assert row["retried_requests"] == 2 and row["requests"] == 8  # 2 turns per episode; the 503s are retries
    assert row["mean_reward"] == 0.5 and row["success"] == 1.0 and row["mean_turns"] == 2.0  # right on attempt 2
    assert [level["level"] for level in row["levels"]] == [0, 1] and sum(lv["episodes"] for lv in row["levels"]) == 4
    assert local_keys - {"env", "policy"} <= set(row["levels"][0])


def test_eval_base_url_json_reports_an_unreachable_server(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval", "rlvr/Math-v0", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--episodes", "2"]
    code, out, _ = run([*argv, "--max-retries", "0", "--json"], capsys)
    row = json.loads(out)["results"][0]
    assert code == 1 and row["errors"] == 2 and row["mean_reward"] == 0.0 and row["failed_requests"] == 2
    assert "2 of 2 episodes FAILED" in json.loads(out)["warnings"][0]


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["show", "rlvr/Math-v0", "--levl", "3"], "Did you mean '--level'?"),
        (["list", "--jsn"], "Did you mean '--json'?"),
        (["--tracebak", "list"], "Did you mean '--traceback'?"),
    ],
)
def test_a_mistyped_flag_gets_the_nearest_one(argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "unrecognized arguments" in err and hint in err


def test_traceback_is_accepted_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", "rlvr/Mth-v0", "--traceback"], capsys)
    assert code == 2 and "Did you mean 'rlvr/Math-v0'" in out and "UnknownEnvError" in err


def test_a_mistyped_policy_gets_the_nearest_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["eval", "rlvr/Math-v0", "--episodes", "1", "--policy", "orcale"], capsys)
    assert code == 2 and "Did you mean 'oracle'?" in out


def test_a_mistyped_curriculum_parameter_gets_the_nearest_one(capsys: pytest.CaptureFixture[str]) -> None:
    table = '{"kind": "frontier", "min_rolouts": 3}'
    code, out, _ = run(["curriculum", "rlvr/Math-v0", "--episodes", "1", "--controller", table], capsys)
    assert code == 2 and "min_rolouts" in out and "Did you mean 'min_rollouts'?" in " ".join(out.split())


def test_eval_results_do_not_depend_on_the_order_of_policies(tmp_path: Path) -> None:
    """The env's adaptive curriculum used to carry the first policy's episodes into the next one's:
    random after oracle played the levels oracle had unlocked."""
    both, alone = tmp_path / "both.jsonl", tmp_path / "alone.jsonl"
    argv = ["eval", "rlvr/Math-v0", "--episodes", "12"]
    assert cli.main([*argv, "--policy", "oracle", "--policy", "random", "--out", str(both)]) == 0
    assert cli.main([*argv, "--policy", "random", "--out", str(alone)]) == 0
    after_oracle = [json.loads(line) for line in both.read_text().splitlines() if '"policy": "random"' in line]
    first = [json.loads(line) for line in alone.read_text().splitlines()]
    assert [(r["task_id"], r["reward"]) for r in after_oracle] == [(r["task_id"], r["reward"]) for r in first]
