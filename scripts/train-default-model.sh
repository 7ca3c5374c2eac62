#!/usr/bin/env bash
# Trains the shipped model from the raw data, start to finish:
#   curate → mine → retrieval → fit the generator → fine-tune it on the API pairs → fit the
#   classifier on its tokenizers and its API-evidence combiner → tune the knobs on validation →
#   evaluate on test → export.
# Usage: scripts/train-default-model.sh [SHARED_DATA_DIR] [BUNDLE_OUT]
# Needs the project's .venv (`./dev test` or `./dev demo` sets it up). Every step is resumable:
# re-running after an interrupt picks the fits up from their last checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${1:-../shared/data}"
bundle="${2:-model/default}"
work="${CODEQA_WORK:-runs/default}"
train=.venv/bin/codeqa-train
mkdir -p "$work"
# A fit whose final/ exists is done; one with only a checkpoint resumes from it.
fit() {
    local run="$1"
    shift
    if [ -d "$run/final" ]; then
        echo "$run: already trained, kept"
        return
    fi
    local resume=()
    [ -f "$run/checkpoint.pt" ] && resume=(--resume)
    "$train" "$@" --no-progress "${resume[@]}"
}

started=$(date +%s)
"$train" data --shared-data "$shared" --out out/data --report-md docs/results/curation.md
# Python API knowledge (issue 10): the Debian Python 3.11 HTML docs when apt can install them
# (mine skips them with a message otherwise), then read everything with ast, never importing.
if [ ! -d /usr/share/doc/python3.11/html/library ] && [ "$(id -u)" = 0 ] \
    && command -v apt-get >/dev/null; then
    apt-get install -y -q python3.11-doc python-pandas-doc >/dev/null \
        || echo "python3.11-doc/python-pandas-doc could not be installed; mining without them"
fi
"$train" mine --shared-data "$shared" --out out/knowledge --no-progress
# Retrieval index (issue 10): the curated training pairs plus the mined API-doc pairs, BM25 over
# intent words and the words inside the called names, blended with a learned intent -> API
# retriever (weight and power chosen on CoNaLa valid + exec valid); its hits join the generator's
# beam in the engine, knobs tuned below.
"$train" retrieval --data out/data/v1 --docs out/knowledge/generator_pairs.jsonl=mined \
    --out "$work/retrieval"
fit "$work/generator" fit-generator --data out/data/v1 --run-dir "$work/generator"
# Then fine-tuned (same tokenizers, so the classifier below reads what it reads) on a weighted mix
# of the curated pairs with the re-sampled API-doc pairs and the mined ones (Xu et al., ACL 2020):
# SO x2, docs 0.35, mined 0.35, Django 0.1; 2 epochs (the best by CoNaLa valid loss, 2.69 -> 2.56).
# Chosen on validation 2026-12-02: tune's objective 23.04 against 22.29 for the generator alone
# (same engine and grids, 162 executable validation problems; on the 54 of 2026-12-01 it had
# scored 23.25 against 23.9).
.venv/bin/python -m codeqa_train.knowledge_mix out/data/v1 "$work/mix" \
    "$shared/apidocs/resampled-intent-topk1-temp5.jsonl=apidocs-rs" \
    out/knowledge/generator_pairs.jsonl=mined
fit "$work/generator-ft" fit-generator --data "$work/mix" --init-from "$work/generator" \
    --run-dir "$work/generator-ft" --epochs 2 \
    --source-weights conala=2,conala-curated=2,django=0.1,apidocs-rs=0.35,mined=0.35
# The matcher's pairs (issue 11): CoNaLa, StaQC human labels split by question (dev held out),
# API doc sentences and mined docstring/function pairs held out by package, with API-swap,
# literal, line-drop/add, slot-swap, hard and random negatives; test-*.jsonl only for evaluate.
.venv/bin/python -m codeqa_train.matcher_data --data out/data/v1 --shared-data "$shared" \
    --mined out/knowledge/function_pairs.jsonl --out out/matcher-data
fit "$work/classifier" fit-classifier --data out/matcher-data --run-dir "$work/classifier" \
    --tokenizers "$work/generator" --parts --docs --api-docs "$shared/apidocs/python-docs.jsonl" \
    --kinds random,hard,api-swap,literal,line-drop,line-add,slot-swap,staqc --slot-swap 0 \
    --extra-random 0 --assign-fraction 0 --monitor hard,api-swap,staqc,literal --epochs 5
# API evidence beside the matcher (issue 11): a logistic combiner fitted out of fold on the matcher
# data's valid split plus hand-written validation blocks (tests/fixtures/mismatch-valid, apart from
# the test fixture's intents), the threshold-setting source's true pairs weighted up (weight chosen
# out of fold), its threshold the highest that flags <= 4% of any source's true pairs there (4%,
# not 5%: at 5% two sources sat exactly at the bar on validation).
"$train" fit-combiner --matcher-data out/matcher-data --classifier "$work/classifier" \
    --api-docs out/knowledge/api_docs.jsonl --doc-profiles --balance-sources \
    --blocks tests/fixtures/mismatch-valid --tail-weights 1,2,4,8 --block-weights 1,5,10,20 \
    --false-alarm-rate 0.04 --api-table out/knowledge/api_table.json \
    --sibling-weights 0,1,2,3,4,6 --literal-swap-weights 0,1,2,3,4,6 --effect-weights 0,1,2,3,4,6 \
    --contrary-weights 0,1,2,3,4,6 --number-weights 0,1,2,3,4,6 \
    --out "$work/combiner"
# The knowledge files the bundle ships; tune, evaluate and export all get the same list, so the
# engine tuned and measured is the one shipped.
knowledge=(--extra-file out/knowledge/api_table.json --extra-file "$work/retrieval/retrieval.json"
    --extra-file "$work/retrieval/retriever.safetensors" --extra-file "$work/combiner/combiner.json")
# Every knob the bundle ships (beam, length penalty, no-repeat n, rerank weight, threshold) is
# chosen here on the validation splits; the test split is read only by evaluate, after it.
# Beam 5 or 8 only (tune's HIGHEST: 8 is what the 25 ms completion budget allows).
# The sweep starts from the last recorded choices and tries their neighbours, growing a grid one
# step where its edge wins: the full default grids (11 rerank weights, up to 5 values a knob)
# took 45 of the end-to-end run's 109 minutes on 2026-12-02. The matcher stays out of the
# suggestion ranking (rerank weight 0): on 2026-12-03 weight 0.1 won by 0.05 on the validation
# objective (26.72 against 26.67) and cost 6 ms of suggest's p50 and 19 ms of its p95.
"$train" tune --data out/data/v1 --generator "$work/generator-ft" --classifier "$work/classifier" \
    "${knowledge[@]}" --out "$work/tune" --start docs/results/tuning.json --beam-sizes 5,8 \
    --length-penalties 1.0,1.3,1.6 --no-repeat 5,9 --retrieval-ks 3,5 --retrieval-weights 0.5,1.0 \
    --consensus-weights 0.2,0.4,0.8 --api-weights 0.2,0.4,0.8 --missing-weights 0.4,0.8 \
    --name-weights 1,2,4 --type-weights 0,0.3,0.6 --rerank-weights 0 --extend 1
"$train" evaluate --data out/data/v1 --generator "$work/generator-ft" --classifier "$work/classifier" \
    --tuning "$work/tune/tuning.json" --exec "${knowledge[@]}" --matcher-data out/matcher-data \
    --out "$work/eval"
"$train" export --generator "$work/generator-ft" --classifier "$work/classifier" --out "$bundle" \
    --card "$work/eval/results.md" --metrics "$work/eval/results.json" \
    --tuning "$work/tune/tuning.json" "${knowledge[@]}" \
    --command "scripts/train-default-model.sh $shared $bundle"
echo "trained and exported $bundle in $(( $(date +%s) - started )) s"
