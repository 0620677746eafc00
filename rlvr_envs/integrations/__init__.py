"""Adapters that let other libraries train on and evaluate rlvr_envs envs (docs/integrations.md).

- `export`: tasks as TRL/verl datasets (JSONL, Parquet); `rlvr-envs export`.
- `trl`: `reward_funcs` and `environment_factory` for TRL's ``GRPOTrainer``.
- `verl`: ``compute_score``; `verl_agent_loop`: the ``rlvr_agent`` multi-turn agent loop.
- `openai_eval`: evaluation against OpenAI-compatible servers; ``rlvr-envs eval --base-url``.
- `ray_pool`: `RayEnvPool`, env actors sharing one curriculum actor.

Nothing heavy is imported here: each adapter imports its library (trl, verl, ray, httpx) itself.
"""
