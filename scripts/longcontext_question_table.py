"""Rewrite the question-type examples table of docs/longcontext.md from real generated tasks.

Run from the repository root: ``python scripts/longcontext_question_table.py`` (after a change to
the long-context generator).
"""

from pathlib import Path

import numpy as np

from rlvr_envs.tasks.longcontext import LongContextQAFamily

page = Path("docs/longcontext.md")

# ---- the question-type table in "Questions" ---------------------------------------------------------
text = page.read_text()
intro = text.index("asking for an attribute at its end is one more. Examples")
head = text.index("| type | example | answer | supporting docs |", intro)
tail = text.index("\n\n", head)
rows = ["| type | example | answer | supporting docs |", "|---|---|---|---|"]
for qtype, level in (
    ("bridge", 2),
    ("bridge", 6),
    ("comparison", 2),
    ("intersection", 2),
    ("temporal", 6),
    ("counting", 6),
):
    family = LongContextQAFamily(question_types=[qtype], context_tokens=4000)
    data = family.generate(np.random.default_rng(7), level, task_id="example").data
    question = data["question"].split(" Answer with")[0]
    rows.append(f"| {qtype} | {question} | {data['answer']} | {len(data['supporting'])} |")
text = (
    text[:intro]
    + "asking for an attribute at its end is one more. Examples (real: `LongContextQAFamily(question_types=[type],"
    + "\ncontext_tokens=4000).generate(np.random.default_rng(7), level, ...)` at levels 2 and 6, written by"
    + "\n`python scripts/longcontext_question_table.py`):\n\n"
    + "\n".join(rows)
    + text[tail:]
)
page.write_text(text)
