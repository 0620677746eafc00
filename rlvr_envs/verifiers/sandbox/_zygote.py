"""Entry point of a sandbox server process: ``python -I -B .../sandbox/_zygote.py CONFIG_JSON``.

The server must stay small (every run is a ``fork`` of it), so it must not import the package's
``__init__`` modules (they pull in gymnasium, pydantic and every env spec). It installs empty
package modules for ``rlvr_envs``, ``rlvr_envs.verifiers`` and ``rlvr_envs.verifiers.sandbox``
that only know their folders, then imports the standard-library-only server modules under their
real names.
"""

from __future__ import annotations

import os
import sys
import types


def _install_package_stubs() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    verifiers = os.path.dirname(here)
    package = os.path.dirname(verifiers)
    for name, path in (
        ("rlvr_envs", package),
        ("rlvr_envs.verifiers", verifiers),
        ("rlvr_envs.verifiers.sandbox", here),
    ):
        module = types.ModuleType(name)
        module.__path__ = [path]
        module.__package__ = name
        sys.modules[name] = module


if __name__ == "__main__":
    _install_package_stubs()
    from rlvr_envs.verifiers.sandbox import _server

    sys.exit(_server.main(sys.argv[1:]))
