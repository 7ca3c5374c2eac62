#!/usr/bin/env bash
# Trains every research-baseline row of the results table: 4 baseline generators (one per code
# embedding variant) and 8 baseline classifiers (each variant × {average embedding, decoder h⊙c}).
# Usage: scripts/train-baselines.sh [DATA_DIR] [RUNS_DIR]
# Needs out/emb/{w2v,glove}-{current,dev} and out/emb/intent-w2v (`codeqa-train embed`).
# Resumable: a run whose final/ exists is skipped, one with a checkpoint.pt continues from it.
# Wall-clock seconds per run are appended to RUNS_DIR/baseline-times.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-out/data/v1}"
runs="${2:-runs}"
train=.venv/bin/codeqa-train
threads="${CODEQA_THREADS:-1}"
times="$runs/baseline-times.tsv"
mkdir -p "$runs"

# stale DIR: true when a finished baseline classifier's input vectors (embeddings or generator)
# changed since it was trained -- `evaluate` would refuse it.
stale() {
    .venv/bin/python - "$1" <<'PY'
import argparse, sys
from pathlib import Path
from codeqa_train.fit_classifier import input_fingerprints
from codeqa_train.runs import read_config
cfg = read_config(Path(sys.argv[1]))
extra = cfg["extra"]
src = Path(extra["code_source"])
ns = argparse.Namespace(code_repr=cfg["code_repr"], embedding=src, generator=src,
                        intent_embedding=Path(extra["intent_embedding"]))
sys.exit(0 if input_fingerprints(ns) != extra.get("fingerprints") else 1)
PY
}

# run NAME CMD...: skip when NAME is finished (and, for a classifier, still current), else run
# with --resume if it has a checkpoint. A stale classifier is moved aside and retrained.
run() {
    local dir="$runs/$1"
    shift
    if [ -d "$dir/final" ]; then
        if [[ "$(basename "$dir")" == clf-* ]] && stale "$dir"; then
            echo "stale $dir: inputs retrained since; moving it to $dir.stale-$(date +%s)"
            mv "$dir" "$dir.stale-$(date +%s)"
        else
            echo "skip $dir (finished)"
            return
        fi
    fi
    local resume=()
    [ -f "$dir/checkpoint.pt" ] && resume=(--resume)
    local started
    started=$(date +%s)
    "$@" "${resume[@]}" 2>&1 | tee -a "$dir.log"
    printf '%s\t%s\t%s\n' "$(basename "$dir")" "$(( $(date +%s) - started ))" \
        "$(date -u +%FT%TZ)" >>"$times"
}

variants=(w2v-current glove-current w2v-dev glove-dev)
intent=out/emb/intent-w2v
# Generators: the seed's plain LSTM seq2seq (preset baseline: frozen 100-d embeddings, no
# attention, greedy), 6 epochs picked by greedy valid BLEU, as the first baseline was run.
for v in "${variants[@]}"; do
    run "gen-baseline-$v" "$train" fit-generator --data "$data" --preset baseline \
        --embeddings "out/emb/$v" --intent-embeddings "$intent" \
        --run-dir "$runs/gen-baseline-$v" --epochs 6 --select-by valid_bleu \
        --threads "$threads" --no-progress
done
# Classifiers: the seed's MLP on [intent average embedding ; code vector], the code vector
# being the average code embedding (avg) or the baseline generator's decoder h⊙c (hc). Trained
# on the seed's negatives only (random + hard; no slot-swap, no `result =` rewrites) and the
# epoch picked by hard-negative valid ROC-AUC, so the product's later defaults don't leak in.
seed_recipe=(--slot-swap 0 --assign-fraction 0 --monitor hard)
for v in "${variants[@]}"; do
    run "clf-baseline-avg-$v" "$train" fit-classifier --data "$data" --variant baseline \
        --code-repr avg --embedding "out/emb/$v" --intent-embedding "$intent" \
        --run-dir "$runs/clf-baseline-avg-$v" "${seed_recipe[@]}" --threads "$threads" --no-progress
    run "clf-baseline-hc-$v" "$train" fit-classifier --data "$data" --variant baseline \
        --code-repr hc --generator "$runs/gen-baseline-$v" --intent-embedding "$intent" \
        --run-dir "$runs/clf-baseline-hc-$v" "${seed_recipe[@]}" --threads "$threads" --no-progress
done
echo "baselines done; times in $times"
