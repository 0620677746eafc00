"""The demo's control arm: supervised training from GRPO's starting checkpoint for GRPO's wall time.

It is the strongest honest use of the same demonstrations: it continues the warm-up on the same
examples (the same fixed pool when ``demo.sft.pool`` is set) with the same optimizer state, and
with a validation split (``demo.sft.validation``) it checks greedy accuracy there every
``demo.sft.eval_every`` steps, starting at step 0, and keeps the best weights (early stopping by
checkpoint selection: it can never end below its start on validation). The checks count in its
wall-time budget.

The question the control answers is "would the same compute have done better as more SFT?". On a
CPU machine with a spare core the arm runs in a second process *beside* GRPO (one thread each), so
the comparison costs no extra wall time: the arm keeps training until it has trained for as long
as GRPO did. Elsewhere (CUDA, a single core) it runs after GRPO in the same process. Both ways
start from the same files: the SFT checkpoint plus its optimizer, scheduler and data-stream state.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import multiprocessing.sharedctypes
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from baselines.grpo.backends.hf import HFBackend
from baselines.grpo.config import TrainConfig
from baselines.grpo.evaluate import evaluate
from baselines.grpo.model import (
    autocast_dtype,
    load_pretrained,
    quiet_transformers,
    resolve_device,
    set_threads,
    usable_cores,
)
from baselines.grpo.rollout import RolloutCollector
from baselines.grpo.sft import SFTResult, SupervisedStream, demo_stream, make_sft_optimizer, sft_train

STATE_FILE = "sft_state.pt"
RESULT_FILE = "control_result.json"


def save_start(
    folder: Path, model: Any, tokenizer: Any, optimizer: Any, scheduler: Any, stream: SupervisedStream
) -> None:
    """Everything the control needs to continue the warm-up exactly where it stopped."""
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    torch.save(
        {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "stream_rng": stream.rng.bit_generator.state,
        },
        folder / STATE_FILE,
    )


def continue_sft(
    config: TrainConfig,
    start: Path,
    out: Path,
    exclude: set[str],
    budget_s: Any,
    *,
    device: torch.device | None = None,
) -> SFTResult:
    """Continue the warm-up from ``start`` until it has trained for ``budget_s`` seconds; save to ``out``.

    ``budget_s`` is a float, or a shared ``multiprocessing.Value`` that is 0 until GRPO has finished
    and then holds GRPO's wall time. At least one step is always taken.
    """
    demo = config.demo
    if demo is None:
        raise ValueError("the control arm needs a config with a [demo] table")
    sft = demo.sft
    device = device or resolve_device(config.run.device)
    model, tokenizer = load_pretrained(start, device)
    optimizer, scheduler = make_sft_optimizer(model, sft.lr, sft.warmup_steps)
    state = torch.load(start / STATE_FILE, weights_only=False)
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    rng = np.random.default_rng()
    rng.bit_generator.state = state["stream_rng"]
    stream = demo_stream(config, tokenizer, rng, exclude)
    amp = autocast_dtype(config.model.dtype, device)
    selector = (
        BestOnValidation(config, model, tokenizer, stream, amp, label="control") if stream.validation_requests else None
    )

    def stop(steps: int, elapsed: float) -> bool:
        if selector is not None and steps % sft.eval_every == 0 and steps not in selector.checked:
            selector.check(steps)
        budget = float(budget_s.value) if hasattr(budget_s, "value") else float(budget_s)
        return steps >= 1 and budget > 0 and elapsed >= budget

    try:
        result = sft_train(
            model,
            optimizer,
            scheduler,
            stream,
            batch_size=sft.batch_size,
            max_steps=10**9,
            max_grad_norm=sft.max_grad_norm,
            autocast_dtype=amp,
            stop=stop,
            log_every=sft.log_every,
            label="control",
        )
        if selector is not None:
            selector.check(result.steps)
            result.validation, result.best_step = selector.history, selector.best_step
            model.load_state_dict(selector.best_state)
            print(
                f"  [control] keeps step {selector.best_step} (validation accuracy {selector.best:.3f}, "
                f"{len(stream.validation_requests)} tasks)",
                flush=True,
            )
    finally:
        stream.close()
        if selector is not None:
            selector.close()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / RESULT_FILE).write_text(json.dumps(asdict(result)) + "\n")
    return result


class BestOnValidation:
    """Greedy accuracy on the validation split at each check; remembers the best weights (ties: the earlier).

    With ``optimizer`` (and ``scheduler``) it also keeps their state at the best check, so a run that
    goes back to the best weights (the warm-up's early stopping) continues from a consistent state.
    """

    def __init__(
        self,
        config: TrainConfig,
        model: Any,
        tokenizer: Any,
        stream: SupervisedStream,
        amp: Any,
        *,
        label: str,
        optimizer: Any = None,
        scheduler: Any = None,
    ) -> None:
        rollout = config.rollout
        self.model = model
        self.label = label
        self.optimizer, self.scheduler = optimizer, scheduler
        self.best_optimizer: dict[str, Any] = {}
        self.best_scheduler: dict[str, Any] = {}
        self.requests = stream.validation_requests
        self.collector = RolloutCollector.from_config(
            config.env,
            rollout,
            tokenizer,
            HFBackend(
                model,
                tokenizer,
                batch_size=rollout.generation_batch_size,
                autocast_dtype=amp,
                decoder=rollout.hf_decoder,
            ),
        )
        self.history: list[tuple[int, float]] = []
        self.checked: set[int] = set()
        self.best = -1.0
        self.best_step = -1
        self.best_state: dict[str, torch.Tensor] = {}

    def check(self, step: int) -> None:
        if step in self.checked:
            return
        self.checked.add(step)
        accuracy = evaluate(self.collector, self.requests).accuracy
        self.model.train()
        self.history.append((step, accuracy))
        if accuracy > self.best:
            self.best, self.best_step = accuracy, step
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            if self.optimizer is not None:
                self.best_optimizer = copy.deepcopy(self.optimizer.state_dict())
            if self.scheduler is not None:
                self.best_scheduler = copy.deepcopy(self.scheduler.state_dict())
        print(
            f"  [{self.label}] step {step}: validation accuracy {accuracy:.3f} "
            f"(best {self.best:.3f} at step {self.best_step})",
            flush=True,
        )

    def checks_since_best(self) -> int:
        """Checks after the best one (the early-stopping patience counter)."""
        steps = [step for step, _ in self.history]
        return len(steps) - 1 - steps.index(self.best_step) if self.best_step in steps else 0

    def restore_best(self) -> None:
        """Put the best check's weights (and optimizer/scheduler state, when kept) back."""
        self.model.load_state_dict(self.best_state)
        if self.optimizer is not None and self.best_optimizer:
            self.optimizer.load_state_dict(self.best_optimizer)
        if self.scheduler is not None and self.best_scheduler:
            self.scheduler.load_state_dict(self.best_scheduler)

    def close(self) -> None:
        self.collector.close()


def _child(config_json: str, start: str, out: str, exclude: list[str], budget: Any) -> None:
    config = TrainConfig.model_validate_json(config_json)
    quiet_transformers()
    set_threads(config.run)
    continue_sft(config, Path(start), Path(out), set(exclude), budget)


def runs_beside(config: TrainConfig, device: torch.device) -> bool:
    """Beside GRPO only where it takes a core GRPO does not use: CPU, ≥2 cores, GRPO on fewer threads."""
    return device.type == "cpu" and bool(config.run.threads) and config.run.threads < usable_cores()


class BesideControl:
    """The control arm in a spawned process that trains while GRPO trains (`finish` gives it the budget)."""

    def __init__(self, config: TrainConfig, start: Path, out: Path, exclude: set[str]) -> None:
        context = multiprocessing.get_context("spawn")  # no fork after torch's thread pools started
        self.out = out
        self._budget: multiprocessing.sharedctypes.Synchronized[float] = context.Value("d", 0.0)
        self._process = context.Process(
            target=_child,
            args=(config.model_dump_json(), str(start), str(out), sorted(exclude), self._budget),
            name="sft-control",
            daemon=True,
        )
        self._process.start()

    def finish(self, budget_s: float, *, grace_s: float = 900.0) -> SFTResult:
        """Tell the arm GRPO's wall time, wait until it has trained that long, and return its result."""
        self._budget.value = max(budget_s, 1e-9)
        self._process.join(timeout=budget_s + grace_s)
        if self._process.is_alive():
            self.abort()
            raise RuntimeError(f"the SFT control did not finish within {budget_s + grace_s:.0f} s")
        if self._process.exitcode != 0:
            raise RuntimeError(f"the SFT control process failed (exit code {self._process.exitcode}); see above")
        data = json.loads((self.out / RESULT_FILE).read_text())
        data["validation"] = [tuple(pair) for pair in data.get("validation", [])]
        return SFTResult(**data)

    def abort(self) -> None:
        """Stop the arm (GRPO failed): nothing should keep a core busy after the demo ends."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=10)
