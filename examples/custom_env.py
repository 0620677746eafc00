"""A brand-new verifiable env in under 30 lines: reverse a word (see docs/custom-envs.md)."""

import gymnasium as gym

import rlvr_envs
from rlvr_envs import Task, TaskFamily, Verdict, final_text
from rlvr_envs.core.parsing import extract_tag


class ReverseWord(TaskFamily):
    name = "reverse"

    def generate(self, rng, level, *, task_id):
        word = "".join(rng.choice(list("abcdefgh"), size=3 + level))
        prompt = f"Reverse the string {word!r}. Reply as <answer>...</answer>."
        return Task(task_id=task_id, family=self.name, level=level, prompt=prompt, data={"gold": word[::-1]})

    def verify(self, task, transcript):
        ok = extract_tag(final_text(transcript), "answer") == task.data["gold"]
        return Verdict(reward=float(ok), correct=ok, components={"correct": float(ok)})

    def oracle_action(self, state):
        return f"<answer>{state.task.data['gold']}</answer>"


rlvr_envs.register("demo/ReverseWord-v0", family=ReverseWord, curriculum={"kind": "uniform", "high": 5})

if __name__ == "__main__":
    env = gym.make("demo/ReverseWord-v0")
    obs, info = env.reset(seed=0)
    print(obs, env.step(env.unwrapped.oracle_action())[1:3])
