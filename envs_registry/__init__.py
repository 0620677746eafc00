"""envs_registry."""
