"""Rewrite the example-episode section of docs/longcontext.md from real output.

Run from the repository root: ``python scripts/longcontext_example.py`` (after a change to the
long-context generator; `tests/longcontext/test_envs.py` checks that the page shows real output).
"""

from pathlib import Path

import gymnasium as gym
import numpy as np

import rlvr_envs
from rlvr_envs.tasks.longcontext import LongContextQAFamily

page = Path("docs/longcontext.md")
text = page.read_text()
start = text.index("## An example episode")
end = text.index("## Protocol")
F = "```"
env = gym.make("rlvr/LongContextQA-v0", context_tokens=600)
obs, _ = env.reset(seed=8, options={"level": 2})
u = rlvr_envs.unwrap(env)
task = u.task
oracle = u.oracle_action()
docs = task.data["documents"]
gold = [d["id"] for d in docs if d["tier"] == "gold"]


def ids(pred: object) -> list[str]:
    return [d["id"] for d in docs if pred(d)]  # type: ignore[operator]


high = ids(lambda d: d["tier"] == "high")
unrelated = ids(lambda d: d["shares"] == "unrelated")
filler = ids(lambda d: d["tier"] == "low" and d["shares"] != "unrelated")
_, reward, *_, info = env.step(oracle)
v = info["verdict"]
first_gold = task.data["supporting"][0]
inter = task.data["rubric"][0]["name"]
senv = gym.make("rlvr/LongContextSearch-v0", context_tokens=1500)
sobs, _ = senv.reset(seed=8, options={"level": 2})
su = rlvr_envs.unwrap(senv)
turns = []
for _ in range(6):
    action = su.oracle_action()
    o, r, term, trunc, sinfo = senv.step(action)
    turns.append((action, o, r))
    if term or trunc:
        break
n_docs = len(su.task.data["documents"])


def j(items: list[str]) -> str:
    return ", ".join(f"`{i}`" for i in items)


def are(items: list[str], one: str, many: str) -> str:
    """``"`D2` is a distractor"`` or ``"`D2`, `D6` are distractors"``."""
    return f"{j(items)} {one if len(items) == 1 else many}"


out = [
    f"""## An example episode

This is real output: `gym.make("rlvr/LongContextQA-v0", context_tokens=600)` (pinned short so it
fits on the page), `reset(seed=8, options={{"level": 2}})`. The system message is the one in
[Protocol](#protocol); the first user message (the observation) is:

{F}text
{obs}
{F}

{j(gold)} are the gold documents ({j(task.data["supporting"])}: the book's publisher, then the
publisher's home city), {are(high, "is a high-confusability distractor", "are high-confusability distractors")}
(naming an entity on the path), {are(unrelated, "is an unrelated entity article", "are unrelated entity articles")}
(low confusability: a kind no gold document has, naming nothing on the path) and
{are(filler, "is filler", "are filler")} (the last filler essay is the *pad*, cut to make the length
exact). No gold document is first or last. The prompt has
{task.metadata["prompt_tokens"]} tokens by the approximation. The oracle's response and the result:

{F}text
{oracle}
{F}

The step returns `terminated=True`, reward `{reward}`, the observation
`{v["reason"]}` and in `info["verdict"]`:

{F}text
{{'reward': {v["reward"]}, 'correct': {v["correct"]},
 'components': {{'em': 1.0, 'f1': 1.0, 'citation_precision': 1.0, 'citation_recall': 1.0,
                'citation_f1': 1.0, 'rubric': 1.0, 'format': 1.0}},
 'reason': '{v["reason"]}', 'timed_out': False}}
{F}

Answering `<answer>{inter}</answer> <cite>{first_gold}</cite>` instead (the intermediate entity)
earns `0.0`: EM and F1 are 0, so the citation credit (precision 1.0, recall 0.5) is not paid, and
the rubric is paid only for a correct answer.

The same task in `rlvr/LongContextSearch-v0` (`context_tokens=1500`, same seed and level; the
collection holds {n_docs} documents and the ids differ) starts with:

{F}text
{sobs}
{F}

and the oracle plays {len(turns)} turns:
"""
]
for number, (action, o, r) in enumerate(turns, 1):
    out.append(f"""
**Turn {number}, the agent:**

{F}text
{action}
{F}
""")
    if number < len(turns):
        out.append(f"""
**The env** (a `tool` message, reward 0):

{F}text
{o}
{F}
""")
    else:
        out.append(f"""
**The episode ends** (`terminated=True`), observation and reward:

{F}text
{o}
{F}

reward `{r}`, `info["verdict"]["components"]`: `{sinfo["verdict"]["components"]}`

""")
out.append("\nThe section is written by `python scripts/longcontext_example.py`.\n\n")
page.write_text(text[:start] + "".join(out) + text[end:])

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
    + "\n`python scripts/longcontext_example.py`):\n\n"
    + "\n".join(rows)
    + text[tail:]
)
page.write_text(text)
