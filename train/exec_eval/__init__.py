"""Executable evaluation: hand-written everyday intents, each with a harness run in a sandbox.

`codeqa-train exec-eval` (and `codeqa-train evaluate`) report pass@1, pass@5 and API hit per
system; `validation_metrics` is what tuning calls (the validation problems only).
"""
