"""The LLM-voiced customer against a scripted OpenAI-compatible server on 127.0.0.1: the model's wording
reaches the agent only when it carries exactly the rule-based answer's facts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rlvr_envs.tasks.ecommerce import EcomFamily
from rlvr_envs.tasks.ecommerce.llm_customer import LLMCustomer, facts

from ..integrations.chat_server import ChatServer
from .conftest import make_task


def _rule_text(messages: list[dict[str, Any]]) -> str:
    return re.search(r"Your reply must say: (.*)", messages[-1]["content"], re.S).group(1)  # type: ignore[union-attr]


def _episode(base_url: str) -> Any:
    _, task = make_task("discovery", seed=3, level=6)
    family = EcomFamily(scenarios=["discovery"], customer="llm", customer_base_url=base_url)
    return family, task, family.new_episode(task)


def test_a_faithful_paraphrase_is_used_and_replay_ignores_the_voice() -> None:
    with ChatServer(lambda messages, body: "Oh, sure! " + _rule_text(messages).lower()) as server:
        family, task, episode = _episode(server.base_url)
        assert isinstance(episode.customer, LLMCustomer)
        answer = episode.step("Could you tell me the maximum you'd pay?").message
        assert answer.startswith("Oh, sure!") and episode.customer.fallbacks == 0
        assert "You are a customer" in server.bodies[0]["messages"][0]["content"]
    rules = family.new_episode(task, voiced=False)
    assert not isinstance(rules.customer, LLMCustomer)
    assert facts(rules.step("Could you tell me the maximum you'd pay?").message) == facts(answer)


@pytest.mark.parametrize(
    "responder",
    [
        lambda messages, body: _rule_text(messages) + " Also, I want it in silver and from Kestrel.",  # discloses
        lambda messages, body: "Sounds good to me!",  # drops the facts it had to tell
    ],
)
def test_a_model_that_adds_or_drops_facts_falls_back_to_the_rules(responder: Any) -> None:
    with ChatServer(responder) as server:
        _, _, episode = _episode(server.base_url)
        answer = episode.step("Could you tell me the maximum you'd pay?").message
        truth = _rule_text(server.bodies[0]["messages"])
    assert answer == truth and episode.customer.fallbacks == 1


def test_a_failing_server_falls_back_to_the_rules() -> None:
    with ChatServer(lambda messages, body: "never sent", fail_first=5) as server:
        _, _, episode = _episode(server.base_url)
        answer = episode.step("What is your budget?").message
    assert answer and episode.customer.fallbacks == 1


def test_llm_customer_needs_a_base_url() -> None:
    with pytest.raises(ValueError, match="customer_base_url"):
        EcomFamily(customer="llm")
