"""Cutting text for highlighting: pure functions, no models."""

from __future__ import annotations

from service.web.highlight import Mark, blocks, context_window


def _flat(bs) -> str:
    return "".join(p.text for b in bs for p in b.pieces)


def test_blocks_keep_every_character_and_nest_values_in_sentences():
    text = "One. PyTorch has 70% of papers. Two."
    sentence = Mark(5, 31, anchor="s")
    value = Mark(17, 20, anchor="v")
    bs = blocks(text, [sentence], [value])
    assert _flat(bs) == text
    assert [b.mark for b in bs] == [None, sentence, None]
    assert [(p.text, p.mark) for p in bs[1].pieces] == [("PyTorch has ", None), ("70%", value), (" of papers.", None)]


def test_overlapping_spans_never_cross_and_windows_clip():
    text = "abcdefghij"
    bs = blocks(text, [Mark(0, 6), Mark(4, 10)], [Mark(3, 8), Mark(5, 7)])
    assert _flat(bs) == text
    # Each character sits in at most one outer and one inner span: the first that covers it.
    assert [len(b.pieces) for b in bs] == [2, 2]
    window = blocks(text, [Mark(0, 6)], [Mark(5, 9)], lo=4, hi=8)
    assert _flat(window) == "efgh"
    assert blocks(text, [Mark(3, 3)], [Mark(7, 5)]) and _flat(blocks(text, [Mark(3, 3)], [Mark(7, 5)])) == text


def test_context_window_ends_on_word_boundaries():
    text = "word " * 200
    lo, hi = context_window(text, 500, 510, chars=50)
    assert text[lo - 1] == " " and text[hi] == " " and lo <= 500 and hi >= 510
    assert context_window("short", 0, 5) == (0, 5)
