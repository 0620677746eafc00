"""Reference agents that train on rlvr-envs through the public API only (``gym.make``, ``rlvr_envs.*``)."""
