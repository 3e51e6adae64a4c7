"""Tests for pipelines.tables: a cell's header row, column title, row header and caption; header units."""

from __future__ import annotations

import pytest

from pipelines.ingest import article_from_text
from pipelines.quantities import find_quantities
from pipelines.tables import apply_header_unit, header_unit, table_cell


def cell_of(text: str, value: str):
    cell = table_cell(text, text.index(value))
    assert cell is not None, value
    return cell


MARKDOWN = (
    "Benchmarks on one A100.\n\n"
    "| Framework | Stars (k) | Latency (ms) |\n"
    "|-----------|----------:|:------------:|\n"
    "| PyTorch   | 74        | 12.5         |\n"
    "| TensorFlow | 180      | 14.1         |\n\n"
    "After the table.\n"
)


def test_markdown_pipe_table() -> None:
    c = cell_of(MARKDOWN, "180")
    assert (c.row, c.column, c.cell.text) == (1, 1, "180")
    assert c.row_header is not None and c.row_header.text == "TensorFlow"
    assert c.column_title is not None and c.column_title.text == "Stars (k)"
    assert [h.text for h in c.header] == ["Framework", "Stars (k)", "Latency (ms)"]
    assert c.caption is not None and c.caption.text == "Benchmarks on one A100."
    for span in (c.cell, c.row_header, c.column_title):
        assert MARKDOWN[span.start : span.end] == span.text
    header = cell_of(MARKDOWN, "Latency")
    assert header.row == -1 and header.column_title is None


def test_not_in_a_table() -> None:
    assert table_cell(MARKDOWN, MARKDOWN.index("After")) is None
    assert table_cell("A | B in one line only.", 0) is None
    assert table_cell(MARKDOWN, MARKDOWN.index("|----")) is None  # the separator holds no cell
    assert table_cell("", 0) is None


def test_html_table_in_the_clean_view() -> None:
    html = (
        "<html><body><article><p>Some words before the table, long enough to be kept as the article text.</p>"
        "<table><tr><th>Framework</th><th>Share 2023</th></tr><tr><td>PyTorch</td><td>62%</td></tr>"
        "<tr><td>JAX</td><td>18%</td></tr></table><p>And a paragraph after the table to close the article.</p>"
        "</article></body></html>"
    )
    article = article_from_text(html, fmt="html")
    c = cell_of(article.clean, "18%")
    assert (c.row, c.column) == (1, 1)
    assert c.row_header is not None and c.row_header.text == "JAX"
    assert c.column_title is not None and c.column_title.text == "Share 2023"


def test_grid_table_with_caption_and_mixed_separators() -> None:
    grid = (
        "Mean compilation time (seconds)\n"
        "+----------+-------+\n"
        "| Compiler | timm  |\n"
        "+----------+-------+\n"
        "| eager    | 11.39 |\n"
        "| inductor | 42.5  |\n"
        "+----------+-------+\n"
    )
    c = cell_of(grid, "42.5")
    assert (c.row, c.row_header.text, c.column_title.text) == (1, "inductor", "timm")
    assert c.caption is not None and c.caption.text == "Mean compilation time (seconds)"
    mixed = "|  | GPUs | AllReduce time |\n|----|:--:|:--:|\nbaseline (dense)\t| 1024|\t1.2\nopt (MoE)\t| 512 |\t0.45\n"
    c = cell_of(mixed, "0.45")
    assert (c.row, c.column, c.row_header.text, c.column_title.text) == (1, 2, "opt (MoE)", "AllReduce time")


@pytest.mark.parametrize(
    ("title", "dimension", "factor", "extra"),
    [
        ("Latency (ms)", "duration", 0.001, {"time_unit": "ms"}),
        ("Time[s]", "duration", 1.0, {"time_unit": "s"}),
        ("cutedsl_kernel_us", "duration", 1e-6, {"time_unit": "us"}),
        ("Memory (GiB)", "size", 2**30, {"size_unit": "GiB"}),
        ("Throughput (tokens/s)", "rate", 1.0, {"per": "second"}),
        ("QPS", "rate", 1.0, {"per": "second"}),
        ("Accuracy (%)", "share", 0.01, {}),
        ("Downloads (millions)", "count", 1e6, {}),
        ("Speedup", "ratio", 1.0, {}),
    ],
)
def test_header_units(title: str, dimension: str, factor: float, extra: dict) -> None:
    unit = header_unit(title)
    assert unit is not None and unit.dimension == dimension
    assert unit.factor == pytest.approx(factor)
    for key, want in extra.items():
        assert getattr(unit, key) == want


@pytest.mark.parametrize("title", ["Framework", "Model", "GPUs", "Notes"])
def test_titles_without_units(title: str) -> None:
    assert header_unit(title) is None


def test_apply_header_unit_reads_bare_numbers_only() -> None:
    (bare,) = find_quantities("12.5")
    (with_unit,) = find_quantities("3 s")
    ms = header_unit("Latency (ms)")
    read = apply_header_unit(bare, ms)
    assert (read.dimension, read.time_unit, read.value) == ("duration", "ms", pytest.approx(0.0125))
    assert (read.start, read.end, read.surface) == (bare.start, bare.end, bare.surface)
    assert apply_header_unit(with_unit, ms) == with_unit  # its own unit wins
    assert apply_header_unit(bare, None) == bare


def test_real_table_cells_have_headers(realtext_pool) -> None:
    pool = realtext_pool
    seen = 0
    for excerpt in pool.values():
        text = excerpt.text
        if "|---" not in text and "| ---" not in text:
            continue
        for q in find_quantities(text):
            cell = table_cell(text, q.start)
            if cell is None or cell.row < 0:
                continue
            seen += 1
            assert text[cell.cell.start : cell.cell.end] == cell.cell.text
            assert cell.cell.start <= q.start <= cell.cell.end or q.start < cell.cell.start
            if cell.column_title is not None:
                assert text[cell.column_title.start : cell.column_title.end] == cell.column_title.text
                assert cell.column_title.start < cell.cell.start
    assert seen > 100


def test_every_cell_of_a_long_table_finds_its_row() -> None:
    """A table is read once per text: the last of 2,000 rows still knows its number, column and headers."""
    text = "| model | latency |\n|---|---|\n" + "".join(f"| m{i} | {i}.5 ms |\n" for i in range(2000))
    last = text.rindex("1999.5")
    cell = table_cell(text, last)
    assert cell is not None and cell.row == 1999 and cell.column == 1
    assert cell.column_title is not None and cell.column_title.text == "latency"
    assert cell.row_header is not None and cell.row_header.text == "m1999"
    assert table_cell(text, text.index("model")).row == -1  # the header row itself
