"""The procedural problem templates, registered in `TEMPLATES` on import (see `base.Template`)."""

from rlvr_envs.tasks.code.templates import (  # noqa: F401  (each module registers its templates)
    arrays,
    dp,
    graphs,
    greedy,
    mathematics,
    parsing,
    searching,
    simulation,
    strings,
)
from rlvr_envs.tasks.code.templates.base import (
    CATEGORIES,
    TEMPLATES,
    Pipeline,
    Scale,
    Template,
    pipeline_finals,
    register,
    transforms,
)

__all__ = ["CATEGORIES", "TEMPLATES", "Pipeline", "Scale", "Template", "pipeline_finals", "register", "transforms"]
