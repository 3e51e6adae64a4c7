"""Claim extraction: spaCy segmentation, rule-proposed quantities, the transformer claim tagger."""
