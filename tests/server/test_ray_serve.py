"""Ray Serve: two replicas on a local Ray instance serve WebSocket sessions and share one curriculum;
HTTP sessions (no affinity across replicas) are refused with an error that names the WebSocket."""

from __future__ import annotations

import httpx
import pytest

from rlvr_envs.remote import RemoteEnv
from rlvr_envs.server import ServerConfig
from rlvr_envs.server.loadtest import free_port

ray = pytest.importorskip("ray")
serve = pytest.importorskip("ray.serve")

EPISODES = 16


@pytest.mark.slow
def test_two_replicas_share_one_curriculum() -> None:
    from rlvr_envs.server.ray_serve import application

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        port = free_port()
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        serve.run(application(ServerConfig(env_ids=("rlvr/Math-v0",)), num_replicas=2), route_prefix="/", name="rlvr")
        url = f"http://127.0.0.1:{port}"
        for seed in range(EPISODES):
            with RemoteEnv(url, "rlvr/Math-v0") as env:
                env.reset(seed=seed)
                assert env.step("\\boxed{7}").done
        pids, counts = set(), set()
        for _ in range(20):
            with httpx.Client() as client:
                pids.add(client.get(url + "/metrics").text.split('pid="', 1)[1].split('"', 1)[0])
                counts.add(client.get(url + "/envs/Math-v0/curriculum").json()["stats"]["episodes"])
        assert len(pids) == 2, "both replicas should have answered"
        assert counts == {EPISODES}
        for _ in range(4):  # whichever replica answers
            reply = httpx.post(url + "/envs/Math-v0/reset", json={"seed": 0})
            assert reply.status_code == 501 and reply.json()["data"]["code"] == "SESSION_ERROR"
            assert "/envs/Math-v0/ws" in reply.json()["data"]["message"]
    finally:
        serve.shutdown()
        ray.shutdown()
