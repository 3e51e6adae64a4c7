import json
from pathlib import Path

import jsonschema
import pytest

from pipelines.annotations import ANNOTATIONS_DIR, AnnotationError, load_split, locate_slot, parse_ann, to_record

SCHEMA = json.loads((ANNOTATIONS_DIR / "schema.json").read_text())


@pytest.fixture(scope="module")
def built(gold_splits):
    return gold_splits


def test_every_source_resolves_and_the_splits_are_built(built):
    assert built["test"] == 5
    assert built["train"] > 0 and built["dev"] > 0


@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_records_match_the_schema_and_offsets_are_exact(built, split):
    for record in load_split(split):
        text = record["text"]
        if "source" in record:  # seed text was read from ../shared/corpus by load_split
            del record["text"], record["path"]
        jsonschema.validate(record, SCHEMA)
        for span in record["spans"]:
            assert text[span["start"] : span["end"]] == span["text"], (record["id"], span)


def test_seed_records_hold_no_seed_text(built):
    for line in (ANNOTATIONS_DIR / "test.jsonl").read_text().splitlines():
        record = json.loads(line)
        assert "text" not in record and record["source"].endswith(".txt")


def test_seeds_are_only_in_the_test_split(built):
    sources = {r["id"]: r for s in ("train", "dev") for r in load_split(s)}
    assert not any("source" in r for r in sources.values())


def test_annotation_volume_meets_the_guideline(built):
    team = load_split("train") + load_split("dev")
    lines = sum(len([s for s in r["spans"] if s["label"] in ("VALUE", "DISTRACTOR", "COMPARATIVE")]) for r in team)
    assert len(team) >= 80, len(team)
    assert lines >= 800, lines


def test_slot_nearest_to_value_in_its_sentence_wins():
    text = "PyTorch rose. TensorFlow fell, but PyTorch holds 70% now."
    value = text.index("70%")
    start, end = locate_slot(text, "PyTorch", value, value + 3)
    assert start == text.rindex("PyTorch")


def test_bad_source_names_file_and_line(tmp_path: Path):
    src = tmp_path / "bad.ann"
    src.write_text(
        "id: x\nsplit: train\n---\nPyTorch has 70% share.\n===\n"
        '{"value": "70%", "subject": "pytorch", "metric": "nope", "num": 0.7, "unit": "percent"}\n'
        '{"value": "99%", "subject": "pytorch"}\n'
    )
    with pytest.raises(AnnotationError) as info:
        parse_ann(src)
    message = str(info.value)
    assert "bad.ann:6: unknown metric id 'nope'" in message
    assert "bad.ann:7: value '99%'" in message


def test_record_links_value_to_slots(tmp_path: Path):
    src = tmp_path / "ok.ann"
    src.write_text(
        "id: ok\nsplit: dev\n---\nJAX was used in 12% of papers in 2023.\n===\n"
        '{"value": "12%", "subject": "jax", "subject_text": "JAX", "metric": "research_paper_share", '
        '"metric_text": "papers", "time_text": "2023", "num": 0.12, "unit": "percent"}\n'
    )
    record = to_record(parse_ann(src))
    jsonschema.validate(record, SCHEMA)
    labels = sorted(r["label"] for r in record["relations"])
    assert labels == ["metric", "subject", "time"]


@pytest.fixture(scope="module")
def real(built):
    return load_split("real")


def test_real_records_match_the_schema_hold_no_text_and_offsets_are_exact(real):
    stored = [json.loads(line) for line in (ANNOTATIONS_DIR / "real.jsonl").read_text().splitlines()]
    assert all("text" not in r and r["realtext"] == r["id"] for r in stored)
    for record in real:
        text = record.pop("text")
        jsonschema.validate(record, SCHEMA)
        for span in record["spans"]:
            assert text[span["start"] : span["end"]] == span["text"], (record["id"], span)


def test_real_annotation_volume_and_every_distractor_kind(real):
    from pipelines.annotations import DISTRACTOR_KINDS

    claims = sum(1 for r in real for c in r["claims"] if c["label"] == "claim")
    kinds = {s.get("kind") for r in real for s in r["spans"] if s["label"] == "DISTRACTOR"}
    assert len(real) >= 380, len(real)
    assert claims >= 1500, claims
    assert set(DISTRACTOR_KINDS) <= kinds, set(DISTRACTOR_KINDS) - kinds


def test_an_excerpt_that_changed_is_an_error_naming_the_file(real, tmp_path: Path):
    src = tmp_path / "p0001.ann"
    src.write_text("id: p0001\nrealtext: p0001\nsha256: " + "0" * 64 + "\n---\n===\n")
    with pytest.raises(AnnotationError, match=r"p0001\.ann: the SHA-256 in the header does not match"):
        parse_ann(src)


def test_a_second_subject_keeps_its_place_when_the_first_is_unnamed(tmp_path: Path):
    src = tmp_path / "two.ann"
    src.write_text(
        "id: two\nsplit: train\n---\nThe new engine is 2x faster than vLLM.\n===\n"
        '{"value": "2x faster", "subject": ["sglang", "vllm"], "subject_text": ["", "vLLM"], '
        '"metric": "inference_speed_ratio", "num": 2}\n'
    )
    record = to_record(parse_ann(src))
    assert [r["label"] for r in record["relations"]] == ["subject2"]
    assert record["claims"][0]["dimension"] == "ratio" and record["claims"][0]["form"] == "versus"
