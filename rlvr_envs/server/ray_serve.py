"""The server as a Ray Serve application: replicas of the same app, one curriculum actor per id.

Each replica builds its own app (its own sessions; a WebSocket stays on the replica it reached);
every replica's envs sample from and update the id's curriculum through `RayController`, the proxy
the Ray env pool uses, so the curriculum is one across replicas and machines. HTTP sessions live
in one replica while Ray routes each HTTP request to any replica, so the HTTP session routes
(``/reset``, ``/step``, ``/state``, ``/session``) answer ``SESSION_ERROR`` (HTTP 501) pointing to the
WebSocket (``/envs/{key}/ws``). Ray Serve has no sticky routing to offer instead: its multiplexed
model ids (``serve_multiplexed_model_id``) only *prefer* a replica that has the id loaded, then fall
back to any replica (``MultiplexMixin.apply_multiplex_routing``), and no request can name a
replica. Needs ``ray[serve]``.

Example::

    ray.init()
    serve.start(http_options={"host": "127.0.0.1", "port": 8000})
    serve.run(application(ServerConfig(env_ids=("rlvr/Math-v0",)), num_replicas=4), route_prefix="/")
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from rlvr_envs.core.registry import list_specs, registered
from rlvr_envs.curriculum import Controller, build_controller
from rlvr_envs.errors import RLVRError
from rlvr_envs.server.app import create_app
from rlvr_envs.server.config import ServerConfig


def application(config: ServerConfig, *, num_replicas: int = 2, ray_actor_options: dict[str, Any] | None = None) -> Any:
    """A bound Ray Serve application (pass it to ``serve.run``); call it where Ray is initialised."""
    try:
        import ray
        from ray import serve
    except ImportError as exc:
        raise RLVRError("the Ray Serve deployment needs ray[serve]: pip install 'ray[serve]'") from exc
    from rlvr_envs.integrations.ray_pool import CurriculumActorImpl, RayController

    actor_class = ray.remote(num_cpus=0)(CurriculumActorImpl)
    curricula: dict[str, Controller] = {}
    for env_id in list(config.env_ids) or [spec.id for spec in list_specs()]:
        spec = registered(env_id).spec
        level = int(config.env_kwargs.get("default_level", spec.default_level))  # type: ignore[call-overload]
        base = build_controller(spec.curriculum, default_level=level)
        curricula[env_id] = RayController(actor_class.remote(base.state().model_dump()))

    replica_config = config.model_copy(update={"http_sessions": False})

    def build() -> FastAPI:  # runs in each replica
        return create_app(replica_config, curricula)

    options = ray_actor_options if ray_actor_options is not None else {"num_cpus": 0}
    deployment = serve.deployment(name="rlvr-envs", num_replicas=num_replicas, ray_actor_options=options)(
        serve.ingress(build)()
    )
    return deployment.bind()
