"""``python -m rlvr_envs.checks.replay ENV_ID SEED... [--import MODULE]``: print a transcript digest.

The determinism check runs this in two fresh processes and compares what they print.
"""

from __future__ import annotations

import argparse
import json

from rlvr_envs.checks.conformance import transcript_digest
from rlvr_envs.checks.loading import import_user_modules


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m rlvr_envs.checks.replay")
    parser.add_argument("env_id")
    parser.add_argument("seeds", nargs="+", type=int)
    parser.add_argument("--import", dest="imports", action="append", default=[])
    args = parser.parse_args()
    import_user_modules(args.imports)
    print(json.dumps({"digest": transcript_digest(args.env_id, args.seeds)}))


if __name__ == "__main__":
    main()
