"""Checks any registered env can be put through (ours and users'): conformance and shortcut probes.

`rlvr-envs check ID` runs them from the command line; `tests/conformance/` runs the same code.
"""
