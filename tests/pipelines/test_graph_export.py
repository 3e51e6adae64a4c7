"""GraphML export survives text that XML cannot hold (a NUL or a control character in an article)."""

import xml.etree.ElementTree as ET

from pipelines.graph import Graph, to_graphml


def test_graphml_replaces_characters_xml_cannot_hold():
    g = Graph()
    g.node("claim:1", "claim", sentence="PyTorch\x00 had 70%\x07 of papers", spans=[[0, 3]])
    g.node("doc:1", "document", path="a\x1bb.txt")
    g.edge("claim:1", "doc:1", "provenance", sentence="x\x0cy")
    root = ET.fromstring(to_graphml(g))  # parses: no character XML forbids
    texts = [d.text for d in root.iter("{http://graphml.graphdrawing.org/xmlns}data")]
    assert "PyTorch\ufffd had 70%\ufffd of papers" in texts
    assert "a\ufffdb.txt" in texts and "x\ufffdy" in texts
