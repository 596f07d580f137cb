"""The bundled knowledge base: every note parses, fits the slide budget and has a sibling language."""

from __future__ import annotations

from collections import Counter

import pytest

from ai_content import knowledge
from ai_content.knowledge import BUNDLED_DIR, DirectorySource, S3Source, get_index, load_notes, parse_note
from ai_content.logic import ContentSettings
from vibecoder.content import BODY_MAX_CHARS, TITLE_MAX_CHARS

NOTES = load_notes([DirectorySource(BUNDLED_DIR)])


def test_enough_notes_in_both_languages():
    langs = Counter(n.language for n in NOTES)
    assert len(NOTES) >= 30
    assert langs["ru"] >= 15 and langs["en"] >= 15


@pytest.mark.parametrize("note", NOTES, ids=lambda n: n.id)
def test_note_is_complete_and_fits_the_budget(note):
    assert note.problems() == []
    assert note.title and note.intro and note.summary and note.emoji
    assert len(note.principles) >= 4
    assert len(note.concepts) >= 2
    assert note.quotes and all(q.author for q in note.quotes)
    assert len(note.tags) >= 4
    for p in note.principles:
        assert p.emoji and 0 < len(p.title) <= TITLE_MAX_CHARS and 0 < len(p.description) <= BODY_MAX_CHARS
    for c in note.concepts:
        assert len(c.term) <= TITLE_MAX_CHARS and 0 < len(c.definition) <= BODY_MAX_CHARS
        assert c.code is None or len(c.code) <= BODY_MAX_CHARS


def test_every_topic_exists_in_russian_and_english():
    by_topic: dict[str, set[str]] = {}
    for n in NOTES:
        by_topic.setdefault(n.topic, set()).add(n.language)
    assert all(langs == {"ru", "en"} for langs in by_topic.values()), by_topic


def test_note_ids_are_unique():
    ids = [n.id for n in NOTES]
    assert len(ids) == len(set(ids))


def test_parse_note_reads_every_section():
    note = parse_note(
        """---
title: Sample
language: en
tags: one, two
emoji: 🧪
---
The hook.

## Principles
### 🎯 Aim
Do the thing.

- ignored stray text

## Quotes
> Said well.
> — Someone Real

## Concepts
### Term
Meaning.
```py
x = 1
```

## Summary
All of it.
""",
        name="sample",
    )
    assert note.id == "sample" and note.title == "Sample" and note.language == "en"
    assert note.intro == "The hook." and note.summary == "All of it."
    assert note.principles[0].title == "Aim" and note.principles[0].emoji == "🎯"
    assert note.principles[0].description.startswith("Do the thing.")
    assert note.quotes[0].text == "Said well." and note.quotes[0].author == "Someone Real"
    assert note.concepts[0].term == "Term" and note.concepts[0].code == "x = 1"
    assert note.tags == ["one", "two"]


def test_operator_folder_extends_and_overrides(tmp_path):
    (tmp_path / "sourdough.md").write_text(
        "---\ntitle: Sourdough\nlanguage: en\ntags: bread, sourdough, baking\nemoji: 🍞\n---\nBread.\n\n"
        "## Principles\n### 🌾 Feed the starter\nFlour and water daily.\n",
        encoding="utf-8",
    )
    (tmp_path / "tdd.md").write_text(
        "---\nid: tdd-en\ntitle: TDD, the operator's way\nlanguage: en\ntags: tdd\n---\nOurs.\n", encoding="utf-8"
    )
    settings = ContentSettings(knowledge_dirs=(str(tmp_path),))
    index = get_index(settings.knowledge_sources())
    ids = {n.id: n for n in index.notes}
    assert "sourdough" in ids and ids["tdd-en"].title == "TDD, the operator's way"
    assert index.search("sourdough bread")[0].note.id == "sourdough"
    assert len(index) == len(NOTES) + 1


def test_broken_operator_note_is_skipped(tmp_path):
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "good.md").write_text("---\ntitle: Good\nlanguage: en\n---\nFine.\n", encoding="utf-8")
    assert [n.id for n in load_notes([DirectorySource(tmp_path)])] == ["good"]


def test_s3_source_reads_markdown_objects():
    class Body:
        def __init__(self, data: bytes):
            self.data = data

        def read(self) -> bytes:
            return self.data

    class FakeS3:
        objects = {"kb/a.md": "---\ntitle: A\nlanguage: en\n---\nAlpha.\n", "kb/skip.txt": "no"}

        def get_paginator(self, name):
            assert name == "list_objects_v2"
            objects = self.objects

            class P:
                def paginate(self, Bucket, Prefix):  # noqa: N803 - boto3's names
                    yield {"Contents": [{"Key": k} for k in objects if k.startswith(Prefix)]}

            return P()

        def get_object(self, Bucket, Key):  # noqa: N803
            return {"Body": Body(self.objects[Key].encode())}

    notes = load_notes([S3Source("bucket", "kb/", client=FakeS3())])
    assert [n.id for n in notes] == ["a"] and notes[0].intro == "Alpha."


def test_index_is_built_once_per_process():
    # How fast it builds is a benchmark's question (bench/coldstart_bench.py), not a unit test's.
    knowledge.clear_cache()
    first = get_index(ContentSettings().knowledge_sources())
    assert get_index(ContentSettings().knowledge_sources()) is first


def test_s3_prefix_from_settings_with_moto():
    import boto3
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="kb-notes")
        s3.put_object(Bucket="kb-notes", Key="notes/bread.md", Body=b"---\ntitle: Sourdough\nlanguage: en\ntags: bread\n---\nBread.\n")
        s3.put_object(Bucket="kb-notes", Key="other/skip.md", Body=b"---\ntitle: Elsewhere\n---\n")
        settings = ContentSettings(knowledge_s3_uri="s3://kb-notes/notes/", include_bundled_knowledge=False)
        notes = load_notes(settings.knowledge_sources())
    assert [(n.id, n.title) for n in notes] == [("bread", "Sourdough")]


def test_readme_is_not_a_note():
    assert (BUNDLED_DIR / "README.md").exists()
    assert "README" not in {n.id for n in NOTES}


def test_a_note_dropped_into_a_folder_is_picked_up_without_a_restart(tmp_path):
    settings = ContentSettings(knowledge_dirs=(str(tmp_path),))
    before = get_index(settings.knowledge_sources())
    assert get_index(settings.knowledge_sources()) is before  # unchanged folder: the same index
    (tmp_path / "rust.md").write_text(
        "---\ntitle: Rust ownership\nlanguage: en\ntags: rust, ownership, borrow checker\n---\nOwnership.\n",
        encoding="utf-8",
    )
    after = get_index(settings.knowledge_sources())
    assert after is not before and after.search("rust borrow checker")[0].note.id == "rust"
