"""Build the model-output corpus: ``python -m tests.math.corpus.build`` (deterministic).

Writes ``corpus.jsonl`` (development) and ``heldout.jsonl`` (never tuned on) next to this file.
Each line: gold, full model response, expected verdict, style tag, dataset, task, problem,
answer sources and a note.  The response templates imitate how model families really end a
solution (see ``STYLES``: Qwen/DeepSeek ``<think>`` + ``\\boxed{}``, Llama 3's "The final answer
is: $\\boxed{}$", GPT-4-style markdown, Minerva/lm-eval's "Final Answer: The final answer is $9$.
I hope it is correct.", GSM8K chain-of-thought "The answer is 72.", R1-Zero ``<answer>`` tags,
long reasoning with self-corrections, hedges).  Expected verdicts come from the answer's
correctness (hand-written in ``golds.py``) and the extraction policy of ``docs/math-verifier.md``
(reasoning inside ``<think>`` and answers with no final-answer cue do not count unless the spec
opts in), never from running the verifier.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from tests.math.corpus.golds import DEV, HELDOUT, Gold

HERE = Path(__file__).parent
DEFAULT = ["boxed", "answer_tag", "final_answer"]
OPT_IN = [*DEFAULT, "last_math"]

_REASONING = (
    "First, let me restate the problem in my own words and identify what is being asked.",
    "We set up the equation from the given information. Substituting $n = 3$ gives $2 \\cdot 3 + 1 = 7$.",
    "Let me compute this step by step: $12 \\times 4 = 48$, and then $48 - 6 = 42$.",
    "Using the formula $a_n = a_1 + (n-1)d$ and simplifying the expression carefully.",
    "Okay, so I need to figure this out. Hmm, maybe I should try small cases first: 1, 2, 3.",
    "By the quadratic formula, $x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$.",
    "Let's double-check the arithmetic: 15 + 27 = 42, and 42 / 2 = 21.",
    "Note that the total cost is the price per item times the number of items.",
    "Since the triangle is a right triangle, $a^2 + b^2 = c^2$ with $c = 5$.",
    "Factor the numerator and cancel common terms where possible.",
)


def _reason(rng: random.Random, k: int = 3) -> str:
    return "\n\n".join(rng.sample(_REASONING, k))


def _math(ans: str) -> str:
    """How a model writes an answer inline in prose: LaTeX goes in ``$...$``, plain numbers do not."""
    return f"${ans}$" if any(c in ans for c in "\\^{=_") else ans


def _prose(ans: str) -> str:
    return _math(ans).rstrip(".") if not ans.endswith("\\.") else _math(ans)


Style = Callable[[str, random.Random, str], str]  # (answer, rng, distractor) -> response


def qwen_think_boxed(a: str, r: random.Random, d: str) -> str:
    return (
        f"<think>\n{_reason(r)}\nSo the result should be {_prose(d)}... no wait, recheck.\n</think>\n\n"
        f"{_reason(r, 2)}\n\nTherefore, the final answer is $\\boxed{{{a}}}$."
    )


def qwen_math(a: str, r: random.Random, d: str) -> str:
    return (
        f"To solve the problem, we proceed step by step.\n\n1. {_reason(r, 1)}\n2. {_reason(r, 1)}\n\n"
        f"Thus, the answer is \\(\\boxed{{{a}}}\\)."
    )


def r1_no_open_think(a: str, r: random.Random, d: str) -> str:
    return (
        f"{_reason(r)}\n\nWait, let me double-check that. Maybe it's \\boxed{{{d}}}? No, that misses a case.\n"
        f"</think>\n\n**Solution:**\n\n{_reason(r, 2)}\n\n**Final Answer**\n\\[\n\\boxed{{{a}}}\n\\]"
    )


def r1_think_distractor(a: str, r: random.Random, d: str) -> str:
    return (
        f"<think>\nAlright, {_reason(r, 2)} So maybe the answer is \\boxed{{{d}}}. Hmm, wait, that can't be "
        f"right.\n{_reason(r, 1)}\n</think>\n\nThe answer is $\\boxed{{{a}}}$."
    )


def self_correction(a: str, r: random.Random, d: str) -> str:
    return (
        f"{_reason(r, 2)}\n\nThis gives $\\boxed{{{d}}}$.\n\nWait, I made an arithmetic error in the second "
        f"step. Redoing it carefully: {_reason(r, 1)}\n\nSo the correct answer is $\\boxed{{{a}}}$."
    )


def llama3_steps(a: str, r: random.Random, d: str) -> str:
    return (
        f"## Step 1: Understand the problem\n{_reason(r, 1)}\n\n## Step 2: Compute\n{_reason(r, 1)}\n\n"
        f"## Step 3: Conclude\nCombining the steps above.\n\nThe final answer is: $\\boxed{{{a}}}$"
    )


def gpt_bold_final(a: str, r: random.Random, d: str) -> str:
    delim = r.choice([("$", "$"), ("\\( ", " \\)"), ("", "")])
    body = a if delim[0] or not any(c in a for c in "\\^{") else f"${a}$"
    return (
        f"Let's work through this.\n\n### Step 1\n{_reason(r, 1)}\n\n### Step 2\n{_reason(r, 1)}\n\n---\n\n"
        f"**Final answer:** {delim[0]}{body}{delim[1]}"
    )


def gpt_bold_answer(a: str, r: random.Random, d: str) -> str:
    return f"{_reason(r, 2)}\n\n**Answer:** {_math(a)}"


def gpt_heading(a: str, r: random.Random, d: str) -> str:
    head = r.choice(["### Answer", "### Final Answer", "## Final Answer"])
    block = r.choice([f"$$\n{a}\n$$", f"\\[\n{a}\n\\]", f"$$ {a} $$"])
    return f"### Solution\n\n{_reason(r, 2)}\n\n{head}\n\n{block}"


def minerva(a: str, r: random.Random, d: str) -> str:
    return f"{_reason(r, 2)}\nFinal Answer: The final answer is ${a}$. I hope it is correct."


def gsm8k_cot(a: str, r: random.Random, d: str) -> str:
    return (
        f"{_reason(r, 2)} So in total it is {_prose(d)} before the discount, and after it {_prose(a)}. "
        f"The answer is {_prose(a)}."
    )


def answer_tag(a: str, r: random.Random, d: str) -> str:
    return f"<think>\n{_reason(r, 2)} Let me try {_prose(d)} first... no.\n</think>\n<answer> {a} </answer>"


def answer_dollar(a: str, r: random.Random, d: str) -> str:
    return f"{_reason(r, 2)}\n\nAnswer $ {a} $"


def solution_is(a: str, r: random.Random, d: str) -> str:
    return f"{_reason(r, 2)}\n\nTherefore ${a}$ is the solution."


def claude_bold_sentence(a: str, r: random.Random, d: str) -> str:  # held-out only
    return f"{_reason(r, 2)}\n\n**The answer is {_prose(a)}.**"


def phi_so_final(a: str, r: random.Random, d: str) -> str:  # held-out only
    return f"{_reason(r, 2)}\n\nSo, the final answer is {_prose(a)}."


COUNTED: dict[str, Style] = {
    "qwen_think_boxed": qwen_think_boxed,
    "qwen_math": qwen_math,
    "r1_no_open_think": r1_no_open_think,
    "r1_think_distractor": r1_think_distractor,
    "self_correction": self_correction,
    "llama3_steps": llama3_steps,
    "gpt_bold_final": gpt_bold_final,
    "gpt_bold_answer": gpt_bold_answer,
    "gpt_heading": gpt_heading,
    "minerva": minerva,
    "gsm8k_cot": gsm8k_cot,
    "answer_tag": answer_tag,
    "answer_dollar": answer_dollar,
    "solution_is": solution_is,
}
HELDOUT_ONLY: dict[str, Style] = {"claude_bold_sentence": claude_bold_sentence, "phi_so_final": phi_so_final}


def _last_math(a: str, r: random.Random, d: str) -> str:
    return f"{_reason(r, 2)}\n\nPutting everything together we finally obtain\n\\[\n{a}\n\\]"


def _think_only(a: str, r: random.Random, d: str) -> str:
    return f"<think>\n{_reason(r, 2)} So it is \\boxed{{{a}}}. Let me verify this by plugging back in: {_reason(r, 1)}"


def _split_items(ans: str) -> list[str] | None:
    depth, items, start = 0, [], 0
    for i, c in enumerate(ans):
        depth += c in "([{"
        depth -= c in ")]}"
        if c == "," and depth == 0:
            items.append(ans[start:i].strip())
            start = i + 1
    items.append(ans[start:].strip())
    thousands = all(len(it) == 3 and it.isdigit() for it in items[1:])  # 11,111,100 is one number
    ok = len(items) > 1 and all(items) and not thousands and not any(c in it for it in items for c in "=\\ ")
    return items if ok else None


def _items(golds: tuple[Gold, ...], styles: dict[str, Style], seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    names = sorted(styles)
    out: list[dict[str, object]] = []

    def add(g: Gold, response: str, expected: bool, style: str, note: str, sources: list[str] = DEFAULT) -> None:
        out.append({
            "gold": g.gold, "response": response, "expected": expected, "style": style, "dataset": g.dataset,
            "task": g.task, "problem": g.problem, "sources": sources, "note": note,
        })  # fmt: skip

    for g in golds:
        for correct, answers in ((True, g.right), (False, g.wrong)):
            for ans in answers:
                for style in rng.sample(names, 3 if correct or len(answers) < 3 else 2):
                    distractor = rng.choice(g.wrong) if correct else rng.choice(g.right)
                    add(g, styles[style](ans, rng, distractor), correct, style, "right" if correct else "wrong-close")
        right, wrong = g.right[0], g.wrong[0]
        # Several boxes together make a multi-element gold; a box per candidate for one gold is a hedge.
        scalar_gold = _split_items(g.gold.replace(" ", "")) is None
        for correct, answers in ((True, g.right), (False, g.wrong)):
            if scalar_gold:
                break  # "1,22" for gold 1.22 is a decimal comma, not two boxes
            for items in filter(None, map(_split_items, answers)):
                sep = rng.choice([" \\quad \\text{and} \\quad ", "$ and $", ", "])
                boxes = sep.join(f"\\boxed{{{it}}}" for it in items)
                note = "boxes together = gold" if correct else "boxes together = a wrong list"
                add(g, f"{_reason(rng, 2)}\n\nThe solutions are ${boxes}$.", correct, "multi_box", note)
        if scalar_gold and ((g.task == "answer" and g.dataset != "ours") or g.dataset == "aime"):
            hedge = rng.choice([
                f"The answer is $\\boxed{{{right}}}$ or $\\boxed{{{wrong}}}$.",
                f"So the answer is either {_prose(right)} or {_prose(wrong)}.",
                f"Final answer: $\\boxed{{{right} \\text{{ or }} {wrong}}}$",
            ])  # fmt: skip
            add(g, f"{_reason(rng, 2)}\n\n{hedge}", False, "hedge", "two candidates for one gold")
        add(g, _last_math(right, rng, wrong), True, "last_math_opt_in", "no cue; spec opts in", OPT_IN)
        add(g, _last_math(wrong, rng, right), False, "last_math_opt_in", "no cue; spec opts in; wrong", OPT_IN)
        add(g, _last_math(right, rng, wrong), False, "last_math_default", "no cue and no opt-in: no answer")
        add(g, _think_only(right, rng, wrong), False, "think_only", "truncated inside <think>: no answer")
    return out


def build() -> dict[str, int]:
    written = {}
    for name, golds, styles, seed in (
        ("corpus.jsonl", DEV, COUNTED, 15),
        ("heldout.jsonl", HELDOUT, {**COUNTED, **HELDOUT_ONLY}, 1515),
    ):
        rows = _items(golds, styles, seed)
        with (HERE / name).open("w", encoding="utf-8") as f:
            for i, row in enumerate(rows):
                f.write(json.dumps({"id": f"{name.split('.')[0]}-{i:04d}", **row}, ensure_ascii=False) + "\n")
        written[name] = len(rows)
    return written


if __name__ == "__main__":
    print(build())
