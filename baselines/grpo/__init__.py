"""Reference GRPO agent for any rlvr-envs env id (see ``docs/grpo.md``).

One module per job: `config` (TOML + overrides), `advantages`, `losses`, `conversation` (chat
template and loss masks for multi-turn episodes), `rollout` (groups of episodes), `backends`
(``hf`` and ``vllm`` generation), `trainer` (the loop), `checkpoint`, `metrics`, `plots`,
`report`, `sft` and `demo` (the CPU demo behind ``make run``). Nothing here imports torch at
package import time; ``python -m baselines.grpo.train --config FILE`` is the entry point.
"""
