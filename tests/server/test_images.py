"""Image envs on the wire: base64 PNG content parts, decoded back to the same pixels by the gym proxy."""

from __future__ import annotations

import numpy as np

import rlvr_envs
from rlvr_envs.remote import RemoteEnv
from rlvr_envs.server import ServerConfig, running
from rlvr_envs.server.encode import decode_png_data_url


def test_vqa_images_travel_as_png_parts_and_decode_to_the_same_pixels() -> None:
    local = rlvr_envs.make("rlvr/VQA-v0")
    local_obs, _ = local.reset(seed=4, options={"level": 1})
    with running(ServerConfig(env_ids=("rlvr/VQA-v0",), port=0)) as url:
        with RemoteEnv(url, "rlvr/VQA-v0") as env:
            first = env.reset(seed=4, options={"level": 1})
            parts = first.observation["content"]
            assert parts[0] == {"type": "text", "text": local_obs["text"]}
            urls = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
            assert len(urls) == 1 and urls[0].startswith("data:image/png;base64,")
            assert np.array_equal(decode_png_data_url(urls[0]), local_obs["image"])
            again = env.step("<answer>no idea</answer>")
            assert again.done and not any(p["type"] == "image_url" for p in again.observation["content"])
        proxy = rlvr_envs.make("rlvr/VQA-v0", url=url)
        obs, _ = proxy.reset(seed=4, options={"level": 1})
        assert proxy.observation_space.contains(obs)
        assert np.array_equal(obs["image"], local_obs["image"]) and obs["text"] == local_obs["text"]
        proxy.close()
