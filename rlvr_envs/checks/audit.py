"""A repeatable audit page: sampled tasks with their gold, for a person to read and judge by eye.

``python -m rlvr_envs.checks.audit --env rlvr/VQA-v0 --levels 0,2,4,6,8 --per-level 8 --out audit.html``
writes an HTML page (and, beside it, one PNG per VQA task with the gold boxes drawn in magenta)
with each task's question, gold answer and supporting facts: the gold caption and the question's
program for VQA, the supporting documents' text for long-context QA, the prompt and the oracle's
reply for any other env. Each task gets an "ambiguous?" line to fill in while reading.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from rlvr_envs.core.types import Task


def _vqa_image(inner: Any, task: Task, path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.fromarray(np.asarray(inner.family.image(task)))
    draw = ImageDraw.Draw(image)
    objects = task.data["scene"]["objects"]
    for index in task.data["question"]["refs"]:
        x1, y1, x2, y2 = objects[index]["box"]
        draw.rectangle((x1, y1, x2 - 1, y2 - 1), outline=(255, 0, 255), width=2)
    image.save(path)


def _supporting_text(task: Task) -> list[tuple[str, str]]:
    """(id, text) of the supporting documents, cut from the prompt at their recorded offsets."""
    records = sorted(task.data.get("documents", []), key=lambda r: int(r.get("offset", 0)))
    end = task.prompt.find("</documents>")
    out = []
    for position, record in enumerate(records):
        if record["id"] not in task.data.get("supporting", []):
            continue
        stop = int(records[position + 1]["offset"]) if position + 1 < len(records) else end
        out.append((str(record["id"]), task.prompt[int(record["offset"]) : stop].strip()))
    return out


def _section(inner: Any, task: Task, folder: Path, number: int) -> str:
    esc = html.escape
    parts = [f"<h2>{number}. {esc(task.task_id)} (level {task.level})</h2>"]
    if task.family == "vqa":
        question = task.data["question"]
        name = f"task{number:03d}.png"
        _vqa_image(inner, task, folder / name)
        parts += [
            f'<img src="{name}" width="336">',
            f"<p><b>Question ({esc(question['family'])}):</b> {esc(question['text'])}</p>",
            f"<p><b>Gold answer:</b> {esc(question['answer'])} &nbsp; <b>caption:</b> {esc(question['caption'])}</p>",
            f"<pre>{esc(json.dumps(question['program']))}</pre>",
        ]
    elif task.family == "longcontext_qa":
        parts += [
            f"<p><b>Question:</b> {esc(task.data['question'])}</p>",
            f"<p><b>Gold answer:</b> {esc(str(task.data['answer']))} (aliases: "
            f"{esc(', '.join(map(str, task.data.get('aliases', []))))})</p>",
        ]
        for doc_id, text in _supporting_text(task):
            parts.append(f"<p><b>Supporting {esc(doc_id)}:</b></p><pre>{esc(text)}</pre>")
    else:
        inner.reset(options={"task": task})
        parts += [
            f"<pre>{esc(task.prompt[:4000])}</pre>",
            f"<p><b>Oracle:</b></p><pre>{esc(inner.oracle_action())}</pre>",
        ]
    parts.append("<p><b>Ambiguous?</b> ____ &nbsp; <b>Why:</b> ____</p>")
    return "\n".join(parts)


def write_audit(env_id: str, levels: list[int], per_level: int, out: Path, seed: int = 0) -> int:
    """Write the audit page for ``env_id``; returns the number of tasks on it."""
    from rlvr_envs.envs.api import make, unwrap

    env = make(env_id)
    inner = unwrap(env)
    out.parent.mkdir(parents=True, exist_ok=True)
    sections = []
    number = 0
    for level in levels:
        seeds = np.random.SeedSequence([seed, level]).generate_state(per_level, dtype=np.uint64)
        for value in seeds:
            inner.reset(seed=int(value % (2**63)), options={"level": level})
            number += 1
            task = inner.task
            if task is None:  # pragma: no cover - reset always sets a task
                raise RuntimeError(f"{env_id} reset without a task")
            sections.append(_section(inner, task, out.parent, number))
            print(f"audit: {env_id} task {number} (level {level})", file=sys.stderr, flush=True)
    env.close()
    title = f"Audit of {env_id}: {number} tasks, levels {', '.join(map(str, levels))}"
    page = f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>\n"
    out.write_text(page + "\n<hr>\n".join(sections), encoding="utf-8")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rlvr_envs.checks.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, help="a registered env id, e.g. rlvr/VQA-v0")
    parser.add_argument("--levels", default="0,2,4,6,8", help="comma-separated levels (default 0,2,4,6,8)")
    parser.add_argument("--per-level", type=int, default=8, help="tasks per level (default 8)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("audit/audit.html"))
    args = parser.parse_args(argv)
    levels = [int(v) for v in args.levels.split(",") if v.strip()]
    count = write_audit(args.env, levels, args.per_level, args.out, args.seed)
    print(f"wrote {count} tasks to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
