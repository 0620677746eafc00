"""``--workers N``: several uvicorn worker processes, one curriculum per id owned by the supervisor."""

from __future__ import annotations

import httpx

from rlvr_envs.remote import RemoteEnv
from rlvr_envs.server.loadtest import server_process

EPISODES = 24


def test_two_workers_share_one_curriculum() -> None:
    with server_process(["rlvr/Math-v0", "--workers", "2"], startup_timeout_s=90) as (url, _):
        pids: set[str] = set()
        for seed in range(EPISODES):  # a fresh connection each: the kernel spreads them over the workers
            with RemoteEnv(url, "rlvr/Math-v0") as env:
                env.reset(seed=seed)
                assert env.step("\\boxed{7}").done
            with httpx.Client() as client:  # a new connection, possibly to the other worker
                pids.add(client.get(url + "/metrics").text.split('pid="', 1)[1].split('"', 1)[0])
        counts = set()
        for _ in range(8):
            with httpx.Client() as client:
                counts.add(client.get(url + "/envs/Math-v0/curriculum").json()["stats"]["episodes"])
    assert len(pids) == 2, "both workers should have answered"
    assert counts == {EPISODES}  # every worker sees every episode's update
