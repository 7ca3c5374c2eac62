"""`codeqa-train mine`: Python API knowledge, mined offline from static sources.

Reads (never imports) the standard library, typeshed stubs and pinned PyPI packages with `ast`,
the Python HTML docs when installed, and Xu et al.'s doc pairs; writes, under `--out`:
`generator_pairs.jsonl`, `function_pairs.jsonl`, `api_docs.jsonl`, `api_table.json`, `report.json`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from codeqa_model.atomic import atomic_write_text
from codeqa_train.data.errors import BadInput
from codeqa_train.knowledge import resample
from codeqa_train.knowledge.apidocs import DOCS, load_apidocs
from codeqa_train.knowledge.collect import iter_module_files, merge, read_tree
from codeqa_train.knowledge.htmldocs import (
    DEFAULT_PANDAS_DOCS,
    PANDAS_SOURCE,
    read_html_docs,
)
from codeqa_train.knowledge.mine import known_paths, mine_modules
from codeqa_train.knowledge.operations import read_operations
from codeqa_train.knowledge.pysource import ModuleInfo
from codeqa_train.knowledge.records import DocEntry, GenPair
from codeqa_train.knowledge.sources import (
    DEFAULT_HTML_DOCS,
    PINNED_PACKAGES,
    SourceInfo,
    package_roots,
    package_source,
    stdlib_dir,
    stdlib_source,
    typeshed_dir,
)
from codeqa_train.knowledge.table import build_table

GENERATOR_PAIRS = "generator_pairs.jsonl"
FUNCTION_PAIRS = "function_pairs.jsonl"
API_DOCS = "api_docs.jsonl"
API_TABLE = "api_table.json"
REPORT = "report.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=Path("../shared/data"),
        help="raw data dir (apidocs/, conala/, staqc-annotated/)",
    )
    parser.add_argument("--out", type=Path, default=Path("out/knowledge"))
    parser.add_argument(
        "--html-docs",
        type=Path,
        default=DEFAULT_HTML_DOCS,
        help="Python HTML docs (Debian python3.11-doc); skipped when absent",
    )
    parser.add_argument(
        "--pandas-docs",
        type=Path,
        default=DEFAULT_PANDAS_DOCS,
        help="pandas HTML docs (Debian python-pandas-doc); skipped when absent. Only entries "
        "the installed pandas still defines are kept",
    )
    parser.add_argument(
        "--packages",
        nargs="*",
        default=sorted(PINNED_PACKAGES),
        help="PyPI distributions to read (default: the pinned list)",
    )
    parser.add_argument("--no-stdlib", action="store_true", help="skip the standard library")
    parser.add_argument("--stdlib-dir", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--typeshed",
        type=Path,
        default=None,
        help="typeshed root (stdlib/ and stubs/); default: the copy jedi vendors",
    )
    parser.add_argument(
        "--temperature",
        type=float,
        default=5.0,
        help="re-sampling sharpness: weight ∝ exp(T · cosine to train intents)",
    )
    parser.add_argument(
        "--test-intent-threshold",
        type=float,
        default=0.9,
        help="drop mined intents this close (TF-IDF cosine) to a CoNaLa test one",
    )
    parser.add_argument("--no-progress", action="store_true")


def _progress(
    total: int, desc: str, enabled: bool
) -> tuple[Callable[[], None], Callable[[], None]]:
    if not enabled:
        return (lambda: None), (lambda: None)
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="file", file=sys.stderr, leave=False)
    return (lambda: bar.update(1)), bar.close


def _read(root: Path, prefix: str, stubs: bool, desc: str, progress: bool) -> dict[str, ModuleInfo]:
    wanted = ".pyi" if stubs else ".py"
    total = sum(1 for p, _, _ in iter_module_files(root, prefix) if p.suffix == wanted)
    tick, close = _progress(total, desc, progress)
    try:
        return read_tree(root, prefix, stubs=stubs, tick=tick)
    finally:
        close()


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    progress = not args.no_progress
    bad = BadInput(skip=True)
    sources: list[SourceInfo] = []
    counts: dict[str, Counter[str]] = {}
    infos: dict[str, ModuleInfo] = {}
    package_of: dict[str, str] = {}
    shed = typeshed_dir(args.typeshed)

    if not args.no_stdlib:
        root = args.stdlib_dir or stdlib_dir()
        src = _read(root, "", False, "stdlib", progress)
        stubs = _read(shed[0] / "stdlib", "", True, "typeshed", progress) if shed else {}
        infos.update(merge(src, _this_python(stubs, src)))
        package_of.update({m.split(".")[0]: "stdlib" for m in infos})
        sources.append(stdlib_source())
        if shed:
            sources.append(shed[1])
    for dist in args.packages:
        roots = package_roots(dist, PINNED_PACKAGES.get(dist, (dist.lower(),)))
        if not roots:
            print(
                f"mine: PyPI package {dist!r} is not installed; skipped "
                "(pip install -e '.[train]')",
                file=sys.stderr,
            )
            continue
        info = package_source(dist)
        if info:
            sources.append(info)
        for name, root in roots:
            src = _read(root, name, False, dist, progress)
            stubs = _read(root, name, True, f"{dist} stubs", progress)
            if shed and (shed[0] / "stubs" / dist / name).is_dir():
                stubs = {
                    **_read(
                        shed[0] / "stubs" / dist / name, name, True, f"{dist} typeshed", progress
                    ),
                    **stubs,
                }
            infos.update(merge(src, stubs))
            package_of[name] = f"pypi:{dist}"

    html_docs: list[DocEntry] = []
    html_gen: list[GenPair] = []
    html_table: list[tuple[str, str, list[str]]] = []
    if args.html_docs.is_dir():
        html_docs, html_gen, html_table, html_source = read_html_docs(
            args.html_docs, set(infos), progress
        )
        html_gen += read_operations(args.html_docs)
        sources.append(html_source)
    else:
        print(
            f"mine: no HTML docs at {args.html_docs}; skipped "
            "(apt-get install python3.11-doc, or pass --html-docs DIR)",
            file=sys.stderr,
        )

    gen: list[GenPair] = []
    table, paths = build_table(infos, html_table)
    docs, gen_src, funcs = mine_modules(infos, paths, package_of)
    docs += html_docs
    if args.pandas_docs.is_dir() and "pandas" in package_of:
        # The Debian docs may describe another pandas than the pinned one: keep what it defines.
        known = known_paths(infos, paths)
        p_docs, p_gen, _rows, p_source = read_html_docs(
            args.pandas_docs, set(infos), progress, PANDAS_SOURCE, keep=known.__contains__
        )
        docs += p_docs
        gen += p_gen
        sources.append(p_source)
    elif args.pandas_docs != DEFAULT_PANDAS_DOCS or "pandas" in package_of:
        print(
            f"mine: no pandas docs at {args.pandas_docs} (or pandas not mined); skipped "
            "(apt-get install python-pandas-doc, or pass --pandas-docs DIR)",
            file=sys.stderr,
        )

    if (args.shared_data / DOCS).is_file():
        gen += load_apidocs(args.shared_data, bad)
        sources.append(
            SourceInfo(
                "apidocs",
                "neulab/external-knowledge-codegen @ 7bd432f",
                "python 3.7.5 docs",
                "Apache-2.0 (text: PSF)",
                str(args.shared_data / "apidocs"),
            )
        )
    else:
        print(f"mine: no {args.shared_data / DOCS}; apidocs pairs skipped", file=sys.stderr)
    gen += html_gen + gen_src

    def count(step: str, rows: list, key: Callable[[object], str]) -> None:
        counts.setdefault(step, Counter()).update(key(r) for r in rows)

    count("mined", gen, lambda r: f"generator/{r.source}")
    count("mined", funcs, lambda r: f"functions/{r.package}")
    count("mined", docs, lambda r: f"api_docs/{r.source}")

    gen = _dedup(gen, lambda p: resample.dedup_key(p.intent, p.snippet))
    funcs = _dedup(funcs, lambda p: ("", " ".join(p.code.split())))
    docs = _dedup(docs, lambda d: (d.path, ""))
    count("dedup", gen, lambda r: f"generator/{r.source}")
    count("dedup", funcs, lambda r: f"functions/{r.package}")
    count("dedup", docs, lambda r: f"api_docs/{r.source}")

    test = resample.test_pairs(args.shared_data, bad)
    thr = args.test_intent_threshold
    gen = [
        p
        for p, leak in zip(gen, resample.near_test([p.intent for p in gen], test, thr), strict=True)
        if not leak
    ]
    funcs = [
        p
        for p, leak in zip(
            funcs, resample.near_test([p.intent for p in funcs], test, thr), strict=True
        )
        if not leak
    ]
    count("not-test", gen, lambda r: f"generator/{r.source}")
    count("not-test", funcs, lambda r: f"functions/{r.package}")
    count("not-test", docs, lambda r: f"api_docs/{r.source}")

    references = resample.train_intents(args.shared_data, bad)
    weights = resample.intent_weights([p.intent for p in gen], references, args.temperature)
    gen = [p.with_weight(float(w)) for p, w in zip(gen, weights, strict=True)]

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / GENERATOR_PAIRS, [p.to_json() for p in gen])
    _write_jsonl(out / FUNCTION_PAIRS, [p.to_json() for p in funcs])
    _write_jsonl(out / API_DOCS, [d.to_json() for d in docs])
    table_text = json.dumps(table, separators=(",", ":"), sort_keys=True)
    atomic_write_text(out / API_TABLE, table_text)
    report = {
        "format": 1,
        "sources": [s.to_json() for s in sources],
        "steps": list(counts),
        "counts": {step: dict(sorted(c.items())) for step, c in counts.items()},
        "api_table": {
            "modules": len(table["modules"]),
            "names": sum(len(v) for v in table["modules"].values()),
            "bytes": len(table_text.encode()),
        },
        "resample": {
            "temperature": args.temperature,
            "reference_intents": len(references),
            "weight_by_source": _mean_weight(gen),
        },
        "test_intent_threshold": thr,
        "conala_test_intents": len(test),
        "skipped_bad_input": dict(bad.counts),
        "seconds": round(time.monotonic() - started, 1),
    }
    atomic_write_text(out / REPORT, json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(format_report(report))
    print(f"mine: wrote {out} in {report['seconds']} s")
    return 0


def _this_python(stubs: dict[str, ModuleInfo], src: dict[str, ModuleInfo]) -> dict[str, ModuleInfo]:
    """typeshed covers every Python version: keep modules this Python has (`parser` went in
    3.10; a candidate naming it must not get `import parser`)."""
    have = set(sys.stdlib_module_names) | {m.split(".")[0] for m in src}
    return {m: info for m, info in stubs.items() if m.split(".")[0] in have}


def _dedup(rows: list, key: Callable) -> list:
    seen: set = set()
    kept = []
    for row in rows:
        k = key(row)
        if k not in seen:
            seen.add(k)
            kept.append(row)
    return kept


def _mean_weight(gen: list[GenPair]) -> dict[str, float]:
    total: Counter[str] = Counter()
    n: Counter[str] = Counter()
    for p in gen:
        total[p.source] += p.weight
        n[p.source] += 1
    return {s: round(total[s] / n[s], 3) for s in sorted(n)}


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def format_report(report: dict) -> str:
    """Sources (package, version, licence) and per-step counts as plain-text tables."""
    lines = ["source       package                                   version          licence"]
    for s in report["sources"]:
        lines.append(
            f"{s['name'][:12]:<12} {s['package'][:41]:<41} {s['version'][:16]:<16} {s['licence']}"
        )
    steps = report["steps"]
    rows = sorted({r for c in report["counts"].values() for r in c})
    width = max([len(r) for r in rows] + [6])
    lines.append("")
    lines.append("output".ljust(width) + "".join(f"{s:>10}" for s in steps))
    for r in rows:
        lines.append(
            r.ljust(width) + "".join(f"{report['counts'][s].get(r, 0):>10}" for s in steps)
        )
    t = report["api_table"]
    lines.append(f"\napi table: {t['modules']} modules, {t['names']} names, {t['bytes']} bytes")
    return "\n".join(lines)
