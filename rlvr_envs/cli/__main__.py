"""``python -m rlvr_envs.cli``: the same as the ``rlvr-envs`` command."""

from rlvr_envs.cli import main

raise SystemExit(main())
