#!/usr/bin/env bash
# Fifth session, the final pipeline: tune on validation (grids narrowed around the fourth
# session's choices; every knob still swept) -> evaluate once on test -> export model/default.
# Usage: runs/s5/final.sh CLASSIFIER_RUN COMBINER_DIR
set -euo pipefail
cd /work/main
export OMP_NUM_THREADS=1
classifier="$1"; combiner="$2"
train=.venv/bin/codeqa-train
knowledge=(--extra-file out/knowledge5/api_table.json --extra-file runs/s3/retrieval/retrieval.json
    --extra-file runs/s3/retrieval/retriever.safetensors --extra-file "$combiner/combiner.json")
echo "[$(date +%T)] tune"
"$train" tune --data out/data/v1 --generator runs/gen-ft/gen --classifier "$classifier" \
    "${knowledge[@]}" --out runs/s5/tune --beam-sizes 8,5 --length-penalties 1.0,1.3 --no-repeat 5 \
    --retrieval-ks 5 --retrieval-weights 1.0 --consensus-weights 0.2,0.4 --api-weights 0.2,0.4,0.8 \
    --missing-weights 0.4,0.8 --name-weights 0,1,2,4 --extend 0
echo "[$(date +%T)] evaluate (test, read once)"
"$train" evaluate --data out/data/v1 --generator runs/gen-ft/gen --classifier "$classifier" \
    --tuning runs/s5/tune/tuning.json --exec "${knowledge[@]}" --matcher-data out/matcher-data \
    --out runs/s5/eval
echo "[$(date +%T)] export"
"$train" export --generator runs/gen-ft/gen --classifier "$classifier" --out model/default \
    --card runs/s5/eval/results.md --metrics runs/s5/eval/results.json \
    --tuning runs/s5/tune/tuning.json "${knowledge[@]}" \
    --command "scripts/train-default-model.sh ../shared/data model/default (generator: the 2026-11-27 fit fine-tuned on the API pairs, runs/gen-ft/gen; classifier: $classifier; combiner: $combiner; see docs/results)"
echo "[$(date +%T)] done"
