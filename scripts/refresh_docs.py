"""Regenerate the command outputs shown in ``docs/`` (``python -m scripts.refresh_docs``).

A generated block is a marker comment followed by a fenced block (```` ```` ```` fences, for an
output that holds ```` ``` ```` lines, work too)::

    <!-- generated: rlvr-envs show rlvr/Math-v0 --level 3 --seed 1 -->
    ```text
    $ rlvr-envs show rlvr/Math-v0 --level 3 --seed 1
    ...the output of that command...
    ```

The marker may add ``| stdin: TEXT`` (``\\n`` for a newline) for commands that read input (``play``),
``| slow`` for blocks the default test run skips, and ``| standin`` (``| standin: fail_first=N``)
for ``eval --base-url STANDIN``: a stand-in server (``scripts/standin_server.py``, not a model;
the doc must state its rule) is started on 127.0.0.1, its URL replaces ``STANDIN``, and it is
stopped when the command returns. ``rlvr-envs ...`` runs the CLI in this process (piped: ASCII
tables, ``COLUMNS=100``); ``python FILE ...`` runs in a subprocess. The marker
``<!-- generated: output of the python block above -->`` runs the nearest ```` ```python ````
block before it in a subprocess (from the repository root) and shows what it printed.
``tests/docs/test_generated_blocks.py`` fails when a block differs from a fresh run (timings
masked; it renders them with ``--print-json`` in a fresh process, so envs other tests registered
do not show up), and says to run this script. ``--check`` reports stale blocks without writing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COLUMNS = "100"
MARKER = re.compile(
    r"^<!-- generated: (?P<spec>.+?) -->\n(?P<fence>`{3,})(?P<lang>\w*)\n(?P<body>.*?)^(?P=fence)$",
    re.DOTALL | re.MULTILINE,
)
#: The marker of a block that shows what the python block above it prints.
PYTHON_ABOVE = "output of the python block above"
_PYTHON_FENCE = re.compile(r"^(?P<fence>`{3,})python[ \t]*\n(?P<code>.*?)^(?P=fence)[ \t]*$", re.DOTALL | re.MULTILINE)
#: Where a ``| standin`` command names the stand-in server's URL.
STANDIN = "STANDIN"
#: Parts of an output that change from run to run: durations, throughput columns, clock times, ports.
_VOLATILE = [
    (re.compile(r"\b127\.0\.0\.1:\d+\b"), "127.0.0.1:<PORT>"),
    (re.compile(r'("(?:episodes_per_s|elapsed_s)": )[-+.\deE]+'), r"\1<N>"),  # the same, in --json output
    (re.compile(r"\b\d+(?:\.\d+)?s\b"), "<T>s"),
    (re.compile(r"\b\d+:\d\d:\d\d\b"), "<H:M:S>"),
    (re.compile(r"(?<=\|)\s*[\d.,]+\s*(?=\|\s*$)", re.MULTILINE), " <N> "),  # the last column: episodes/s
]


@dataclass(frozen=True)
class Block:
    path: Path
    command: str
    stdin: str | None
    slow: bool
    body: str
    start: int
    end: int
    #: ``| standin``: the stand-in server's options (``{}`` for none); ``None``: no server.
    standin: dict[str, int] | None = None
    #: For ``output of the python block above``: that block's code, and which such block of the file it is.
    code: str | None = None
    ordinal: int = 0


def parse_spec(spec: str) -> tuple[str, str | None, bool, dict[str, int] | None]:
    """``"CMD | stdin: TEXT | slow | standin: fail_first=2"`` -> (command, stdin, slow, standin options)."""
    parts = [part.strip() for part in spec.split(" | ")]
    stdin = next((p.removeprefix("stdin:").strip() for p in parts[1:] if p.startswith("stdin:")), None)
    standin_part = next((p for p in parts[1:] if p.split(":")[0] == "standin"), None)
    standin = None
    if standin_part is not None:
        items = standin_part.removeprefix("standin").lstrip(":").split(",")
        standin = {key.strip(): int(value) for key, value in (item.split("=") for item in items if item.strip())}
    stdin = stdin.replace("\\n", "\n") if stdin is not None else None
    return parts[0], stdin, "slow" in parts[1:], standin


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found: list[Block] = []
    for match in MARKER.finditer(text):
        command, stdin, slow, standin = parse_spec(match["spec"])
        code = None
        if command == PYTHON_ABOVE:
            above = [fence["code"] for fence in _PYTHON_FENCE.finditer(text[: match.start()])]
            if not above:
                raise SystemExit(f"{_shown(path)}: '{PYTHON_ABOVE}' with no ```python block above it")
            code = above[-1]
        body, start, end = match["body"], match.start("body"), match.end("body")
        ordinal = sum(b.code is not None for b in found) + 1 if code is not None else 0
        found.append(Block(path, command, stdin, slow, body, start, end, standin, code, ordinal))
    return found


def all_blocks() -> list[Block]:
    return [block for path in DOCS for block in blocks(path)]


def _run_cli(argv: list[str], stdin: str | None) -> str:
    from rlvr_envs import cli

    out = io.StringIO()
    old_columns, old_stdin = os.environ.get("COLUMNS"), sys.stdin
    os.environ["COLUMNS"] = COLUMNS
    sys.stdin = io.StringIO(stdin or "")
    try:
        # --help and argparse errors exit; their text is the output.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), contextlib.suppress(SystemExit):
            cli.main(argv)
    finally:
        sys.stdin = old_stdin
        if old_columns is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old_columns
    return out.getvalue()


def run_python(code: str) -> str:
    """What a doc's python block prints, run as a script from the repository root."""
    env = {**os.environ, "COLUMNS": COLUMNS, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    if done.returncode:
        raise SystemExit(f"a python block failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return "\n".join(line.rstrip() for line in done.stdout.splitlines()).rstrip() + "\n"


def run_block(block: Block) -> str:
    """A block's fresh output: its command's, or what the python block above it prints."""
    if block.code is not None:
        return run_python(block.code)
    return run_command(block.command, block.stdin, standin=block.standin)


def _with_standin(command: str, options: dict[str, int], stdin: str | None) -> str:
    """Run an ``eval --base-url STANDIN`` command against a fresh stand-in server (stopped after)."""
    from rlvr_envs.cli import build_parser
    from rlvr_envs.integrations.export import parse_levels
    from scripts.standin_server import StandInServer

    argv = shlex.split(command)
    if STANDIN not in argv:
        raise SystemExit(f"a '| standin' block must pass --base-url {STANDIN}: {command!r}")
    args = build_parser().parse_args(argv[1:])
    levels = parse_levels(args.level, args.levels)
    with StandInServer(args.env_ids[0], seed=args.seed, levels=levels, episodes=args.episodes, **options) as server:
        return run_command(command.replace(STANDIN, server.base_url), stdin)


def run_command(command: str, stdin: str | None = None, *, standin: dict[str, int] | None = None) -> str:
    """The output of one documented command, as a user sees it piped to a file."""
    if standin is not None:
        return _with_standin(command, standin, stdin)
    argv = shlex.split(command)
    if argv[0] == "rlvr-envs":
        output = _run_cli(argv[1:], stdin)
    elif argv[0] == "python":
        env = {**os.environ, "COLUMNS": COLUMNS, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, *argv[1:]], input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600
        )
        output = done.stdout + done.stderr
    else:
        raise SystemExit(f"generated block: cannot run {command!r} (only 'rlvr-envs ...' and 'python ...')")
    lines = [line.rstrip() for line in output.splitlines()]
    shown = f"{stdin_prefix(stdin)}{command}"
    return "\n".join([f"$ {shown}", *lines]).rstrip() + "\n"


def stdin_prefix(stdin: str | None) -> str:
    """How the doc shows the input a command read: ``printf '...' | ``."""
    if stdin is None:
        return ""
    return "printf " + shlex.quote(stdin.replace("\\", "\\\\").replace("\n", "\\n")) + " | "


def masked(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def block_key(block: Block) -> str:
    """``file: command``, how reports and tests name a block."""
    ordinal = f" #{block.ordinal}" if block.ordinal else ""
    return f"{_shown(block.path)}: {block.command}{ordinal}"


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def refresh(paths: list[Path], *, check: bool, include_slow: bool) -> list[str]:
    """Rewrite (or, with ``check``, only compare) every generated block; returns the stale ones."""
    stale = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        pieces, last = [], 0
        for block in blocks(path):
            if block.slow and not include_slow:
                continue
            fresh = run_block(block)
            if masked(fresh) != masked(block.body):
                stale.append(block_key(block))
            pieces += [text[last : block.start], fresh]
            last = block.end
            print(f"{'checked' if check else 'refreshed'} {_shown(path)}: {block.command}", file=sys.stderr)
        pieces.append(text[last:])
        if not check:
            path.write_text("".join(pieces), encoding="utf-8")
    return stale


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.refresh_docs", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="Markdown files (default: README.md and docs/*.md)")
    parser.add_argument("--check", action="store_true", help="report stale blocks, write nothing (exit 1 if any)")
    parser.add_argument("--skip-slow", action="store_true", help="leave blocks marked '| slow' alone")
    parser.add_argument(
        "--print-json", action="store_true", help="print each block's fresh output as JSON, write nothing (for tests)"
    )
    args = parser.parse_args()
    paths = [path.resolve() for path in args.files] or DOCS
    if args.print_json:
        chosen = [block for path in paths for block in blocks(path) if not (block.slow and args.skip_slow)]
        fresh = [{"key": block_key(b), "fresh": run_block(b)} for b in chosen]
        print(json.dumps(fresh))
        return 0
    stale = refresh(paths, check=args.check, include_slow=not args.skip_slow)
    for line in stale:
        print(f"{'stale' if args.check else 'updated'}: {line}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
