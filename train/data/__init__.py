"""Curated data pipeline behind `codeqa-train data`.

Loaders turn each raw source into `Pair` records, the curation steps filter them (each step counted
in a `Report`), and `output` writes one versioned directory atomically. See docs/DESIGN.md.
"""
