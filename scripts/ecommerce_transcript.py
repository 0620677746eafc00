"""The annotated EcomDialogue-v0 transcript of docs/ecommerce.md (``python scripts/ecommerce_transcript.py``).

A scripted agent plays one level-6 discovery episode and makes one mistake on purpose: it asks for
the budget and colour (not the rating), searches with what it was told, first offers a result that
breaks a constraint the customer stated, then the goal's product, orders it and gives the order id.
The products it names are read from its own tool results; the ``#`` lines are computed from the
hidden goal and those results, so the notes stay true when the generators change. Tool results are
cut to their first lines (``...``).
"""

from __future__ import annotations

from typing import Any

import rlvr_envs
from rlvr_envs.tasks.ecommerce.agents import call

SHOWN_LINES = 5


def show(message: dict[str, Any]) -> None:
    lines = str(message["content"]).splitlines()
    cut = [*lines[:SHOWN_LINES], "..."] if len(lines) > SHOWN_LINES else lines
    print(f"{message['role']}: " + "\n".join(cut))


def note(text: str) -> None:
    print(f"  # {text}")


def rows(tool_text: str) -> dict[str, dict[str, str]]:
    """``P12345 | name | $price | colour c | brand b | rating r (...) | ...`` lines by product id."""
    found = {}
    for line in tool_text.splitlines():
        cells = [cell.strip() for cell in line.split(" | ")]
        if len(cells) > 5 and cells[0].startswith("P"):
            found[cells[0]] = {
                "name": cells[1],
                "price": cells[2],
                "colour": cells[3].removeprefix("colour "),
                "brand": cells[4].removeprefix("brand "),
                "rating": cells[5].removeprefix("rating ").split(" ")[0],
            }
    return found


def main() -> None:
    env = rlvr_envs.make("rlvr/EcomDialogue-v0", scenarios=["discovery"])
    _obs, info = env.reset(seed=4, options={"level": 6})
    want = rlvr_envs.unwrap(env).task.data["goal"]["intents"][0]["wants"][0]  # type: ignore[union-attr]
    wanted = want["constraints"]
    note(f"hidden goal: {want['category']} with {wanted}; kept back: {want['hidden']}")
    shown = 0

    def act(action: str) -> tuple[float, bool, dict[str, Any]]:
        nonlocal shown
        obs, reward, terminated, truncated, step_info = env.step(action)
        for message in step_info["messages"][shown:]:
            show(message)
        shown = len(step_info["messages"])
        if terminated or truncated:
            print(f"env: {obs}")
        return float(reward), bool(terminated or truncated), step_info

    for message in info["messages"][1:]:  # the system message is the protocol's
        show(message)
    shown = len(info["messages"])
    act("Happy to help! What is your budget, and which colour would you like?")
    note("the question names two slots; the customer reveals exactly those")

    search = {"category": want["category"], "max_price": wanted["max_price"], "color": wanted["color"]}
    _, _, step_info = act(call("search_products", **search))
    results = rows(str(step_info["messages"][-1]["content"]))
    target = want["target"].split("-", 1)[0]
    near = [p for p, row in results.items() if p != target and row["brand"] == wanted["brand"]]
    for product in near:
        row = results[product]
        facts = f"{row['brand']}, {row['colour']}, {row['price']}, rated {row['rating']}"
        note(f"near miss among the results: {product}: {facts} (the hidden minimum is {wanted['min_rating']})")
    wrong = next(p for p, row in results.items() if row["brand"] != wanted["brand"])
    act(f"How about {wrong}? It is within your budget.")
    note(f"{wrong} is by {results[wrong]['brand']}: rejected with the broken constraint")

    right = results[target]
    act(f"Then I suggest {target}, the {right['name']}, for {right['price']}.")
    note("the price is the product's own, from a tool result: no hallucination")

    _, _, step_info = act(call("add_to_cart", product_id=target) + "\n" + call("place_order"))
    placed = str(step_info["messages"][-1]["content"])
    order = next(word for word in placed.replace(":", " ").split() if word.startswith("O") and word[1:].isdigit())
    reward, done, step_info = act(f"Your order {order} is placed.")
    verdict = step_info.get("verdict") or {}
    print(f"[episode over: {done}] reward {reward}; verdict components {verdict.get('components')}")
    env.close()


if __name__ == "__main__":
    main()
