"""UnicodeText: any string passes `contains`; the shared-memory path round-trips unicode."""

from __future__ import annotations

import copy

from gymnasium.vector.utils import create_shared_memory, read_from_shared_memory, write_to_shared_memory
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_envs.core.spaces import SharedTextBatch, UnicodeText


def test_contains_any_unicode_up_to_max_length() -> None:
    space = UnicodeText(20)
    assert space.contains("héllo wörld 😀 中文")
    assert not space.contains("x" * 21) and not space.contains(5)
    assert space.contains(space.sample())
    assert space == UnicodeText(20) and space != UnicodeText(21)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=2, max_size=2))
def test_shared_memory_view_tracks_writes(texts: list[str]) -> None:
    space = UnicodeText(40)
    memory = create_shared_memory(space, n=2)
    view = read_from_shared_memory(space, memory, n=2)
    assert isinstance(view, SharedTextBatch)
    for index, text in enumerate(texts):
        write_to_shared_memory(space, index, text, memory)
    assert tuple(view) == tuple(texts)  # the view created before the writes sees them
    snapshot = copy.deepcopy(view)
    assert isinstance(snapshot, tuple) and snapshot == tuple(texts)
    write_to_shared_memory(space, 0, "changed", memory)
    assert view[0] == "changed" and snapshot[0] == texts[0]
    assert view[0:1] == ("changed",)
