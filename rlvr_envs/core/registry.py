"""Env specs: load, validate, register with gymnasium, and build envs from them.

One spec = one env id. Specs come from TOML files (``envs_registry/`` shipped with the package,
folders in ``RLVR_ENVS_PATH``), from ``rlvr_envs.register(...)`` in Python, and from third-party
packages through the ``rlvr_envs.envs`` entry-point group. Every source goes through the same
pydantic model, so an error always names the file (or caller) and the field to fix.
"""

from __future__ import annotations

import difflib
import importlib
import os
import tomllib
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import gymnasium as gym
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rlvr_envs.core.env import RLVREnv
from rlvr_envs.core.family import TaskFamily
from rlvr_envs.curriculum import Controller, build_controller
from rlvr_envs.errors import DuplicateEnvError, SpecError, UnknownEnvError, describe_validation_error, suggest

ENV_ID_PATTERN = r"^(?:[A-Za-z0-9_.-]+/)?[A-Za-z][A-Za-z0-9_.-]*-v\d+$"
ENTRY_POINT_GROUP = "rlvr_envs.envs"
PATH_VARIABLE = "RLVR_ENVS_PATH"

#: Spec fields that ``gym.make(id, **overrides)`` may override; any other override is a family kwarg.
ENV_LEVEL_FIELDS = frozenset(
    {"default_level", "max_turns", "curriculum", "reward_shaping", "max_action_chars", "max_observation_chars"}
)


class EnvSpecModel(BaseModel):
    """The schema of one env spec (a TOML file's top-level table).

    Example ``envs_registry/math.toml``::

        id = "rlvr/Math-v0"
        entry_point = "rlvr_envs.tasks.math:MathFamily"
        family = "math"
        max_turns = 1
        [curriculum]
        kind = "thompson"
        low = 0
        high = 20
        [kwargs]
        max_attempts = 1
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ENV_ID_PATTERN)
    entry_point: str = Field(description="'package.module:FamilyClass' implementing TaskFamily")
    family: str = Field(default="", description="short family name, for listings")
    description: str = ""
    default_level: int = Field(default=0, ge=0)
    max_turns: int = Field(default=1, ge=1)
    reward_shaping: bool = False
    max_action_chars: int = Field(default=16_384, ge=1)
    max_observation_chars: int = Field(default=65_536, ge=64)
    curriculum: dict[str, Any] = Field(default_factory=dict)
    reward: dict[str, Any] = Field(default_factory=dict, description="family reward options (weights, decay)")
    kwargs: dict[str, Any] = Field(default_factory=dict, description="family configuration")
    tags: list[str] = Field(default_factory=list)

    @field_validator("entry_point")
    @classmethod
    def _entry_point_shape(cls, value: str) -> str:
        module, _, attr = value.partition(":")
        if not module or not attr:
            raise ValueError(f"must look like 'package.module:ClassName', got {value!r}")
        return value


@dataclass
class RegisteredEnv:
    """A validated spec plus where it came from (and, for Python registrations, the class itself)."""

    spec: EnvSpecModel
    source: str
    family_class: type[TaskFamily] | None = None

    def load_family_class(self) -> type[TaskFamily]:
        """Import the family class named by the entry point (lazily: heavy deps load on first use)."""
        if self.family_class is None:
            module_name, _, attr = self.spec.entry_point.partition(":")
            try:
                obj: Any = importlib.import_module(module_name)
                for part in attr.split("."):
                    obj = getattr(obj, part)
            except (ImportError, AttributeError) as exc:
                raise SpecError(
                    f"{self.source}: field 'entry_point': cannot import {self.spec.entry_point!r} ({exc})"
                ) from exc
            if not (isinstance(obj, type) and issubclass(obj, TaskFamily)):
                raise SpecError(
                    f"{self.source}: field 'entry_point': {self.spec.entry_point!r} is not a TaskFamily subclass"
                )
            self.family_class = obj
        return self.family_class


_REGISTRY: dict[str, RegisteredEnv] = {}
_FAMILY_CACHE: dict[str, TaskFamily] = {}


def _format_validation_error(source: str, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "<root>"
        lines.append(f"{source}: field '{field}': {error['msg']}")
    return "\n".join(lines)


def validate_spec(data: dict[str, Any], *, source: str) -> EnvSpecModel:
    """Validate a raw spec dict; raise `SpecError` naming ``source`` and each bad field."""
    try:
        return EnvSpecModel.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_format_validation_error(source, exc)) from exc


def load_spec_file(path: str | Path) -> EnvSpecModel:
    """Read and validate one TOML spec file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"{path}: cannot read spec file ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})") from exc
    return validate_spec(data, source=str(path))


def _add(entry: RegisteredEnv, *, override: bool) -> None:
    env_id = entry.spec.id
    existing = _REGISTRY.get(env_id)
    if existing is not None and not override:
        same = existing.spec == entry.spec and existing.family_class is entry.family_class
        if same:
            return
        raise DuplicateEnvError(
            f"{entry.source}: env id {env_id!r} is already registered by {existing.source}; "
            "choose a new id (bump -vN) or pass override=True"
        )
    _REGISTRY[env_id] = entry
    _FAMILY_CACHE.pop(env_id, None)
    if env_id in gym.registry:
        del gym.registry[env_id]
    gym.register(
        id=env_id,
        entry_point="rlvr_envs.core.registry:make_env_from_spec",
        kwargs={"env_id": env_id},
    )


def register_spec_file(path: str | Path, *, override: bool = False) -> EnvSpecModel:
    """Register the env described by one TOML file."""
    spec = load_spec_file(path)
    _add(RegisteredEnv(spec=spec, source=str(path)), override=override)
    return spec


def register_spec_dir(folder: str | Path, *, override: bool = False) -> list[EnvSpecModel]:
    """Register every ``*.toml`` in ``folder`` (sorted, so the order is reproducible)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SpecError(f"{folder}: spec folder does not exist")
    return [register_spec_file(path, override=override) for path in sorted(folder.glob("*.toml"))]


def register(
    id: str,
    family: type[TaskFamily] | str,
    *,
    override: bool = False,
    **spec: Any,
) -> EnvSpecModel:
    """Register a custom env from Python.

    Args:
        id: the env id, e.g. ``"myorg/Reverse-v0"``.
        family: the class implementing the env: a `TaskFamily` subclass or its
            ``"package.module:Class"`` path. Not the spec's ``family`` field (the short name
            listings show), which is taken from the class's ``name``. The class's module must be
            importable by that name: worker processes and unpickled envs import it again.
        override: replace an existing registration with the same id.
        **spec: any other spec field (``max_turns``, ``curriculum``, ``kwargs``, ``reward``...).

    Example:
        >>> rlvr_envs.register("myorg/Reverse-v0", family=Reverse, max_turns=1)
        >>> env = gym.make("myorg/Reverse-v0")
    """
    family_class: type[TaskFamily] | None = None
    if isinstance(family, str):
        entry_point = family
    elif isinstance(family, type) and issubclass(family, TaskFamily):
        family_class = family
        entry_point = f"{family.__module__}:{family.__qualname__}"
    else:
        raise SpecError(f"register({id!r}): 'family' must be a TaskFamily subclass or 'module:Class' string")
    spec.setdefault("family", family_class.name if family_class is not None else "")
    model = validate_spec({"id": id, "entry_point": entry_point, **spec}, source=f"register({id!r})")
    _add(RegisteredEnv(spec=model, source=f"register({id!r})", family_class=family_class), override=override)
    return model


def registered(env_id: str) -> RegisteredEnv:
    """The registration of ``env_id``; `UnknownEnvError` with close matches if there is none.

    ``"module:id"`` (the form ``gym.make`` accepts) imports ``module`` first, so an env that
    module registers is found.
    """
    module, _, bare_id = env_id.rpartition(":")
    if module:
        _import_registering_module(module, env_id)
    entry = _REGISTRY.get(bare_id)
    if entry is None:
        close = difflib.get_close_matches(bare_id, _REGISTRY, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        how = "" if module or close else " An env registered from Python needs its module imported: pass 'module:id'."
        raise UnknownEnvError(f"no env registered as {bare_id!r}.{hint} Run `rlvr-envs list` to see all ids.{how}")
    return entry


def _import_registering_module(module: str, env_id: str) -> None:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        raise UnknownEnvError(
            f"{env_id!r}: cannot import module {module!r} (is it installed, or on PYTHONPATH?)"
        ) from exc


def list_specs() -> list[EnvSpecModel]:
    """Every registered spec, sorted by id."""
    return [_REGISTRY[key].spec for key in sorted(_REGISTRY)]


def build_family(
    entry: RegisteredEnv, family_overrides: dict[str, Any] | None = None, *, caller: str | None = None
) -> TaskFamily:
    """Instantiate the family of ``entry`` with its spec kwargs and reward table, plus overrides.

    An error in an override is reported against ``caller`` (what the user wrote, e.g.
    ``gym.make('rlvr/Math-v0', max_attempts='x')``); an error in the spec's own kwargs against its file.
    """
    family_class = entry.load_family_class()
    config_data = dict(entry.spec.kwargs)
    if entry.spec.reward:
        config_data["reward"] = dict(entry.spec.reward)
    overrides = family_overrides or {}
    config_data.update(overrides)
    try:
        config = family_class.Config.model_validate(config_data)
    except ValidationError as exc:
        mine = [e for e in exc.errors() if e["loc"] and e["loc"][0] in overrides]
        if caller is not None and mine:
            raise SpecError(f"{caller}: {describe_validation_error(_Errors(mine))}") from exc
        raise SpecError(_format_validation_error(f"{entry.source} [kwargs]", exc)) from exc
    return family_class(config)


@dataclass
class _Errors:
    """A subset of a ``ValidationError``'s errors, with the same ``errors()`` accessor."""

    items: list[Any]

    def errors(self) -> list[Any]:
        return self.items


def allowed_make_keywords(entry: RegisteredEnv) -> list[str]:
    """The keywords ``gym.make(id, ...)`` accepts for ``entry``: env fields, ``level``, the family's config."""
    family_fields: set[str] = set()
    for name, info in entry.load_family_class().Config.model_fields.items():
        family_fields.add(name)
        aliases = info.validation_alias
        # AliasChoices (e.g. ``format`` for ``source_format``) lets users write any of its names
        for choice in getattr(aliases, "choices", [aliases] if isinstance(aliases, str) else []):
            if isinstance(choice, str):
                family_fields.add(choice)
    return sorted(ENV_LEVEL_FIELDS | {"level", "reward", "render_mode"} | family_fields)


def _check_make_keywords(entry: RegisteredEnv, env_id: str, overrides: dict[str, Any]) -> None:
    """Unknown keywords and a bad ``level`` named as the user wrote them, with the nearest valid name."""
    config = entry.load_family_class().Config
    allowed = allowed_make_keywords(entry)
    if config.model_config.get("extra") == "forbid":
        for key in overrides:
            if key not in allowed:
                raise SpecError(
                    f"gym.make({env_id!r}, {key}=...): unknown keyword {key!r}.{suggest(key, allowed)} "
                    f"Allowed: {', '.join(allowed)}"
                )
    level = overrides.get("level")
    if "level" in overrides and (isinstance(level, bool) or not isinstance(level, int) or level < 0):
        raise SpecError(f"gym.make({env_id!r}, level={level!r}): 'level' must be an int >= 0")


def family_for(env_id: str) -> TaskFamily:
    """A cached family instance with the spec's own configuration (used by offline `verify`)."""
    family = _FAMILY_CACHE.get(env_id)
    if family is None:
        family = _FAMILY_CACHE[env_id] = build_family(registered(env_id))
    return family


def make_env_from_spec(env_id: str, render_mode: str | None = None, **overrides: Any) -> RLVREnv:
    """gymnasium entry point: build the env for ``env_id``, applying ``gym.make`` overrides.

    Overrides named like spec fields (``max_turns``, ``curriculum``, ``default_level``...) replace
    those fields; ``level=L`` is shorthand for a fixed curriculum at ``L``; ``curriculum`` may also be
    a `Controller` object, used as is (so several envs can share one); every other keyword
    goes to the family's config and is validated there.
    """
    entry = registered(env_id)
    _check_make_keywords(entry, env_id, overrides)
    caller = f"gym.make({env_id!r}, {', '.join(f'{key}={value!r}' for key, value in overrides.items())})"
    controller = overrides.pop("curriculum") if isinstance(overrides.get("curriculum"), Controller) else None
    env_fields = {key: overrides.pop(key) for key in list(overrides) if key in ENV_LEVEL_FIELDS}
    if "level" in overrides:
        env_fields["curriculum"] = {"kind": "fixed", "level": overrides.pop("level")}
    if "reward" in overrides:
        env_fields["reward"] = {**entry.spec.reward, **overrides.pop("reward")}
    spec = entry.spec
    if env_fields:
        try:
            spec = EnvSpecModel.model_validate({**spec.model_dump(), **env_fields})
        except ValidationError as exc:
            raise SpecError(f"{caller}: {describe_validation_error(exc)}") from exc
    family = build_family(RegisteredEnv(spec, entry.source, entry.family_class), overrides, caller=caller)
    return RLVREnv(
        family,
        env_id=env_id,
        max_turns=spec.max_turns,
        curriculum=controller
        if controller is not None
        else build_controller(spec.curriculum, default_level=spec.default_level),
        reward_shaping=spec.reward_shaping,
        max_action_chars=spec.max_action_chars,
        max_observation_chars=spec.max_observation_chars,
        render_mode=render_mode,
    )


def _spec_dirs_from_environment() -> Iterable[Path]:
    raw = os.environ.get(PATH_VARIABLE, "")
    return [Path(part) for part in raw.split(os.pathsep) if part.strip()]


def _load_entry_points() -> None:
    """Let installed packages add envs: each entry point is a callable (it registers) or a folder."""
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            target = entry_point.load()
            if callable(target):
                target()
            else:
                register_spec_dir(Path(str(target)))
        except Exception as exc:  # a broken plugin must not break `import rlvr_envs`
            warnings.warn(
                f"rlvr_envs: entry point {entry_point.name!r} ({entry_point.value}) failed: {exc}",
                RuntimeWarning,
                stacklevel=2,
            )


def _warn_about(path: Path, message: str) -> None:
    """A `RuntimeWarning` located at the user's file, not at our source (line 0: no source line shown)."""
    warnings.warn_explicit(message, RuntimeWarning, filename=str(path), lineno=0, module="rlvr_envs")


def _register_user_folder(folder: Path) -> None:
    """Register each spec in a user folder on its own, so one bad file cannot hide the others."""
    if not folder.is_dir():
        _warn_about(folder, f"rlvr_envs: {PATH_VARIABLE}: {folder} is not a folder")
        return
    for path in sorted(folder.glob("*.toml")):
        try:
            register_spec_file(path, override=True)
        except SpecError as exc:
            _warn_about(path, f"rlvr_envs: {PATH_VARIABLE}: skipped {exc}")


def load_all() -> None:
    """Register the built-in specs, then ``RLVR_ENVS_PATH`` folders, then entry points."""
    register_spec_dir(Path(str(resources.files("envs_registry"))))
    for folder in _spec_dirs_from_environment():
        _register_user_folder(folder)
    _load_entry_points()
