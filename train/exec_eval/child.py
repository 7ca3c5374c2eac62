"""The sandboxed side of one run: set limits, build the inputs, run the snippet, run the check.

Started by `sandbox.run_snippet` as `python -I -S child.py PAYLOAD RESULT` with the working
directory set to a fresh temporary folder. Standard library only: `-I -S` keep this project off
`sys.path` (the site-packages directories the parent passes are appended, without their `.pth`
files), so nothing here may import `codeqa_*`.

The order mirrors a user's file: the problem's `setup` runs in a namespace of its own (so what it
imports never leaks into the snippet's), only the declared `inputs` are copied into the snippet's
namespace, then the file's `imports` run there, then the suggestion's own import lines, then the
snippet. The check sees the setup's namespace plus `result`, `stdout`, `env` (the snippet's
namespace) and the inputs' current values (rebinding `xs = sorted(xs)` is visible).

`result` is, in this order: the value of the snippet's last top-level statement when it is an
expression (`os.getcwd()`) and that value is not None; else the value of the name assigned last
in source order at any depth outside function/class bodies (`rows = list(csv.reader(f))` inside a
`with`; `c = a.copy()` before `c.update(b)`); else None.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import sys
import traceback

RESULT_NAME = "__exec_eval_result__"


def set_limits(cpu_seconds: int, memory_bytes: int, file_bytes: int) -> None:
    """Resource limits for this process, set before any problem or snippet code runs.

    Done here rather than in a `preexec_fn`, which is unsafe when the parent runs threads.
    """
    import resource

    limits = [
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_AS, memory_bytes),
        (resource.RLIMIT_FSIZE, file_bytes),
        (resource.RLIMIT_CORE, 0),
    ]
    for kind, value in limits:
        with contextlib.suppress(ValueError, OSError):
            _soft, hard = resource.getrlimit(kind)
            cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(kind, (cap, cap))


def _assigned_names(nodes: list[ast.stmt]) -> list[str]:
    """Names bound by plain assignments, in source order, outside function and class bodies."""
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            return
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                found.append((target.lineno, target.col_offset, target.id))
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.expr):
                visit(child)

    for node in nodes:
        visit(node)
    found.sort()
    return [name for _line, _col, name in found]


def prepare(snippet: str) -> tuple[ast.Module, list[str]]:
    """The snippet's module with a trailing expression stored in RESULT_NAME, and the names to
    read the result from, first not-None value wins (see the module docstring)."""
    tree = ast.parse(snippet, "<snippet>", "exec")
    names = _assigned_names(tree.body)
    order = names[-1:]
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        store = ast.Assign(targets=[ast.Name(RESULT_NAME, ast.Store())], value=last.value)
        tree.body[-1] = ast.copy_location(store, last)
        ast.fix_missing_locations(tree)
        order = [RESULT_NAME, *order]
    return tree, order


def read_result(env: dict, order: list[str]) -> object:
    """The first value among `order` that is not None (None if there is none)."""
    for name in order:
        value = env.get(name)
        if value is not None:
            return value
    return None


def _error(stage: str, exc: BaseException) -> dict:
    lines = traceback.format_exception_only(type(exc), exc)
    return {"status": stage, "error": type(exc).__name__, "detail": "".join(lines).strip()[-400:]}


def run(payload: dict) -> dict:
    """One run; returns {"status": ..., ...}. Never raises for problem or snippet errors."""
    harness: dict = {"__name__": "__exec_eval_harness__"}
    try:
        exec(compile(payload["setup"], "<setup>", "exec"), harness)
        env: dict = {"__name__": "__main__"}
        for name in payload["inputs"]:
            env[name] = harness[name]
    except BaseException as exc:
        return _error("setup_error", exc)
    try:
        tree, result_names = prepare(payload["snippet"])
        code = compile(tree, "<snippet>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return _error("syntax_error", exc)
    imports = "\n".join([*payload["file_imports"], *payload["suggestion_imports"]])
    captured = io.StringIO()
    try:
        exec(compile(imports, "<imports>", "exec"), env)
        with contextlib.redirect_stdout(captured):
            exec(code, env)
    except BaseException as exc:
        return _error("runtime_error", exc)
    harness.update({name: env[name] for name in payload["inputs"] if name in env})
    harness["result"] = read_result(env, result_names)
    harness["stdout"] = captured.getvalue()
    harness["env"] = env
    harness["result_or"] = lambda name: (
        harness["result"] if harness["result"] is not None else harness[name]
    )
    try:
        exec(compile(payload["check"], "<check>", "exec"), harness)
    except AssertionError as exc:
        return _error("fail", exc)
    except BaseException as exc:
        return _error("check_error", exc)
    return {"status": "pass"}


def main(argv: list[str]) -> int:
    payload_path, result_path = argv[1], argv[2]
    with open(payload_path, encoding="utf-8") as handle:
        payload = json.load(handle)
    set_limits(payload["cpu_seconds"], payload["memory_bytes"], payload["file_bytes"])
    sys.path.extend(payload.get("site_packages", []))
    sys.setrecursionlimit(3000)
    outcome = run(payload)
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(outcome, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
