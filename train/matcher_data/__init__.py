"""Training and evaluation pairs for the match classifier that look like code users write.

`codeqa-train`'s curated classifier data (CoNaLa, shuffled and nearest-intent negatives) is
easy in the wrong way: a classifier that only checks "the code mentions my words" passes it.
This package adds positives from API documentation and mined docstring/function pairs, StaQC's
human labels split by question, and negatives that keep the surface but change the meaning
(a sibling API, a changed literal, a dropped or foreign line). Run as
`python -m codeqa_train.matcher_data --data out/data --shared-data ../shared/data --out DIR`.
"""
