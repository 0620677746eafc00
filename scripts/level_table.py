"""Per-level baseline table for the docs: ``python scripts/level_table.py ENV_ID --levels A:B --policy P ...``.

For each level it runs ``rlvr-envs eval ENV_ID --level L --episodes N --seed S`` with every
``--policy`` (the same code: `rlvr_envs.cli.evaluate.evaluate`, each policy on its own env) and
prints one Markdown-style row: per policy the mean reward, the share of correct episodes and the
mean number of turns. Used by generated blocks in docs/ecommerce.md and docs/longcontext.md.
"""

from __future__ import annotations

import argparse

from rich.console import Console

from rlvr_envs.cli.evaluate import evaluate, summarise
from rlvr_envs.integrations.export import parse_levels


def main() -> int:
    parser = argparse.ArgumentParser(prog="python scripts/level_table.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("env_ids", nargs="+", help="env ids (one table each)")
    parser.add_argument("--levels", required=True, help="levels A:B (inclusive)")
    parser.add_argument("--policy", action="append", required=True, help="as for `rlvr-envs eval` (repeatable)")
    parser.add_argument("--episodes", type=int, default=100, help="episodes per level and policy")
    parser.add_argument("--seed", type=int, default=0, help="seed of each level's first episode")
    args = parser.parse_args()
    quiet = Console(quiet=True)
    names = [name.rsplit(":", 1)[-1] for name in args.policy]
    for env_id in args.env_ids:
        seeds = f"seeds {args.seed}-{args.seed + args.episodes - 1}"
        print(f"{env_id}: {args.episodes} episodes per level and policy, {seeds}")
        header = ["level"] + [f"{name} {what}" for name in names for what in ("turns", "correct", "mean reward")]
        print("| " + " | ".join(header) + " |")
        for level in parse_levels(None, args.levels):
            results = evaluate(
                [env_id], args.policy, episodes=args.episodes, level=level, seed=args.seed, out=None, console=quiet
            )
            cells = [str(level)]
            for policy in args.policy:
                s = summarise(results[(env_id, policy)])
                cells += [f"{s['mean_turns']:.2f}", f"{s['success']:.1%}", f"{s['mean_reward']:+.3f}"]
            print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
