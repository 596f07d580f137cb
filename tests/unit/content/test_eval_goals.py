"""The content evaluation's offline goals hold on every run (`make eval` runs all of it, with the scripted
OpenAI answers, whose failure modes the provider's own tests cover one by one)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.fixture(scope="module")
def content_eval():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("content_eval", BENCH / "content_eval.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["content_eval"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_offline_goals_of_the_content_evaluation(content_eval):
    topics, texts = content_eval.run_topics(False), content_eval.run_texts(False)
    assert len(topics) >= 40 and len(texts) >= 15
    results = {goal: (measured, ok) for goal, _, measured, ok in content_eval.goals(topics, texts, [])}
    assert all(ok for _, ok in results.values()), results
    assert min(i.score for i in topics + texts) == 1.0, [(i.name, i.checks) for i in topics + texts if i.score < 1]


@pytest.mark.parametrize(("text", "items"), [
    ("- one\n- two\n1. three", ["one", "two", "three"]),
    ("🔥 Title\n\n❌ first\n❌ second\nclosing line", ["first", "second"]),
])
def test_the_evaluation_counts_list_items_as_a_reader_would(content_eval, text, items):
    assert content_eval.list_items(text) == items
