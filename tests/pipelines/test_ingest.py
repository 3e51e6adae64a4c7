from pathlib import Path

import pytest

from pipelines.errors import BinaryInput, EmptyInput, EncodingProblem, InputTooLarge, UnsupportedFormat
from pipelines.ingest import article_from_text, decode_bytes, expand_paths, read_article


def _assert_map_exact(article, needles):
    for needle in needles:
        i = article.clean.find(needle)
        assert i >= 0, needle
        s, e, text = article.original_span_text(i, i + len(needle))
        assert article.original[s:e] == text


def test_plain_text_is_its_own_clean_view():
    a = article_from_text("PyTorch holds 70% of papers.\nTensorFlow 20%.")
    assert a.clean == a.original
    assert a.to_original(14, 17) == (14, 17)


def test_greek_codepage_mojibake_is_repaired_and_maps_back(seed_paths):
    article = read_article(seed_paths[0])
    assert "β€" not in article.clean
    assert "François" in article.clean
    i = article.clean.find("François")
    s, e, text = article.original_span_text(i, i + len("François"))
    assert text == "FranΓ§ois"
    _assert_map_exact(article, ["70%", "62%", "8.41%", "92%"])


def test_cp1252_mojibake_repaired():
    original = "PyTorch\u00e2\u20ac\u2122s share is 70% \u00e2\u20ac\u201c up from 62%."
    a = article_from_text(original)
    assert "PyTorch’s" in a.clean and "–" in a.clean
    i = a.clean.find("62%")
    assert a.original_span_text(i, i + 3)[2] == "62%"
    j = a.clean.find("’")
    assert a.original_span_text(j, j + 1)[2] == "\u00e2\u20ac\u2122"


def test_crlf_lines_map_back():
    a = article_from_text("Title\r\nPyTorch has 74k stars.\r\n")
    i = a.clean.find("74k")
    s, e, t = a.original_span_text(i, i + 3)
    assert t == "74k" and a.original[s:e] == "74k"


HTML = """<!doctype html><html><head><title>Stars &amp; forks</title><style>.x{color:red}</style>
<script>var n = 12345;</script></head><body>
<nav><a href="/">Home</a> | <a href="/deals">Save 30% today!</a> | Call 1-800-555-0199</nav>
<article><h1>Framework scoreboard</h1>
<p>PyTorch now has about 82k&nbsp;stars on GitHub, while TensorFlow&#8217;s repository sits near 185k stars
in January 2024.</p>
<p>JAX grew its contributor base by 30% over the year, according to the maintainers of the project.</p>
</article>
<aside>Related: 10 tips for faster training</aside>
<footer>&copy; 2025 DevStack, 12 Main Street</footer></body></html>"""


def test_html_keeps_main_text_and_maps_offsets_into_the_markup():
    a = article_from_text(HTML, name="page.html", fmt="html")
    assert "82k" in a.clean and "185k" in a.clean and "30%" in a.clean
    assert "12345" not in a.clean and "color:red" not in a.clean
    assert "Save 30% today" not in a.clean
    for needle in ("82k", "185k", "30%", "TensorFlow’s"):
        i = a.clean.find(needle)
        s, e, text = a.original_span_text(i, i + len(needle))
        assert a.original[s:e] == text
    i = a.clean.find("’")
    assert a.original_span_text(i, i + 1)[2] == "&#8217;"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyInput),
        (b"   \n\t ", EmptyInput),
        (b"\x00\x01\x02binary\x00", BinaryInput),
        (bytes(range(256)) * 4, BinaryInput),
    ],
)
def test_bad_bytes_get_a_clear_error_naming_the_file(data, error):
    with pytest.raises(error) as info:
        decode_bytes(data, "bad.txt")
    assert "bad.txt" in str(info.value)


def test_undecodable_bytes_are_refused():
    data = b"PyTorch \x81\x8d\x8f\x90\x9d " * 50 + bytes([0xC3, 0x28, 0xA0, 0xA1]) * 40
    with pytest.raises((EncodingProblem, BinaryInput)) as info:
        decode_bytes(data, "x.txt")
    assert "x.txt" in str(info.value)


def test_legacy_encoding_is_detected():
    text = "Café survey: PyTorch is preferred by 71% of respondents, TensorFlow by 22%. Réponses: 1 200."
    assert decode_bytes(text.encode("cp1252"), "f.txt") == text


def test_huge_input_refused():
    with pytest.raises(InputTooLarge):
        decode_bytes(b"a" * 100, "big.txt", max_bytes=50)


def test_read_article_checks_suffix_and_size(tmp_path: Path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(UnsupportedFormat):
        read_article(tmp_path / "a.pdf")
    (tmp_path / "big.txt").write_text("x" * 200)
    with pytest.raises(InputTooLarge):
        read_article(tmp_path / "big.txt", max_bytes=100)


def test_expand_paths_lists_article_files_of_a_folder(tmp_path: Path):
    (tmp_path / "b.md").write_text("b")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "c.png").write_bytes(b"\x89PNG")
    (tmp_path / "README.md").write_text("what this folder holds")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.html").write_text("<p>d</p>")
    names = [p.name for p in expand_paths([tmp_path])]
    assert names == ["a.txt", "b.md", "d.html"]


def test_html_table_rows_stay_one_line_with_cells_apart():
    page = (
        "<html><body><article><p>Framework adoption figures collected by our editors over the past year follow.</p>"
        "<table><tr><th>Framework</th><th>Share</th></tr>"
        "<tr><td>PyTorch</td><td>70%</td></tr><tr><td>JAX</td><td>9%</td></tr></table></article></body></html>"
    )
    a = article_from_text(page, fmt="html")
    assert "PyTorch | 70% |" in a.clean and "JAX | 9% |" in a.clean
    i = a.clean.find("9%")
    assert a.original_span_text(i, i + 2)[2] == "9%"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ("PyTorch 70%".encode("utf-16") + b"x", EncodingProblem),  # an odd byte count
        (b"\xff\xfeP\x00\x00\xd8y\x00", EncodingProblem),  # a lone surrogate
        (b"\xff\xfe\x00\x00\x00\x00\x11\x00", EncodingProblem),  # beyond U+10FFFF
        ("PyTorch\x00 70%".encode("utf-16"), BinaryInput),  # NUL, once decoded
        (b"PyTorch holds 70%. " * 4000 + b"\x00", BinaryInput),  # NUL past the first 64 KiB
    ],
)
def test_undecodable_or_nul_text_is_an_input_error(data, error):
    with pytest.raises(error) as info:
        decode_bytes(data, "bad.txt")
    assert "bad.txt" in str(info.value)


def test_utf32_and_utf16_with_a_byte_order_mark_are_read():
    text = "PyTorch was used in 70% of papers in 2024."
    for codec in ("utf-32", "utf-16", "utf-8-sig"):
        assert decode_bytes(text.encode(codec), "f.txt") == text


@pytest.mark.parametrize("charset", ["unicode_escape", "raw_unicode_escape", "idna", "undefined", "punycode", "zlib"])
def test_a_declared_charset_that_is_no_character_set_is_not_used(charset):
    page = f'<meta charset="{charset}"><p>caf\xe9 \\x00 \\ud800 70%</p>'.encode("latin-1")
    try:
        text = decode_bytes(page, "p.html")
    except (EncodingProblem, BinaryInput):
        return
    assert "\x00" not in text and "\\x00" in text  # the escape stays as written


def test_fifos_and_devices_are_listed_and_refused(tmp_path: Path):
    import os

    from pipelines.errors import NotARegularFile

    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    (tmp_path / "a.txt").write_text("PyTorch holds 70% of papers.")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.txt", "pipe.txt", "zero.md"]
    for name in ("pipe.txt", "zero.md"):
        with pytest.raises(NotARegularFile) as info:
            read_article(tmp_path / name)  # refused at once: opening a FIFO would wait for a writer
        assert name in str(info.value)
