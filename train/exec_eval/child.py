"""The sandboxed side of one run: set limits, build the inputs, run the snippet, run the check.

Started by `sandbox.run_snippet` as `python -I -S child.py PAYLOAD RESULT` with the working
directory set to a fresh temporary folder. The payload is `marshal`led code objects the parent
compiled (`snippet.py`), so this file imports only built-in modules: the run's cost is the
interpreter's start. `-I -S` keep this project off `sys.path`; the site-packages directories the
parent passes are appended (without their `.pth` files), so a snippet may import what is installed.

The order mirrors a user's file: the problem's `setup` runs in a namespace of its own (so what it
imports never leaks into the snippet's), only the declared `inputs` are copied into the snippet's
namespace, then the file's `imports` run there, then the suggestion's own import lines, then the
snippet (stdout captured). The check sees the setup's namespace plus `result` (see `snippet.py`),
`stdout`, `env` (the snippet's namespace), `result_or(name)` and the inputs' current values
(rebinding `xs = sorted(xs)` is visible).
"""

import io
import marshal
import sys


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
        try:
            _soft, hard = resource.getrlimit(kind)
            cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(kind, (cap, cap))
        except (ValueError, OSError):
            continue


def _error(stage: str, exc: BaseException) -> dict:
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return {"status": stage, "error": type(exc).__name__, "detail": detail[-400:]}


def _result(env: dict, names: list) -> object:
    """The first value among `names` that is not None (None if there is none)."""
    for name in names:
        value = env.get(name)
        if value is not None:
            return value
    return None


def run(payload: dict) -> dict:
    """One run; returns {"status": ..., ...}. Never raises for problem or snippet errors."""
    harness: dict = {"__name__": "__exec_eval_harness__"}
    try:
        exec(payload["setup"], harness)
        env: dict = {"__name__": "__main__"}
        for name in payload["inputs"]:
            env[name] = harness[name]
    except BaseException as exc:
        return _error("setup_error", exc)
    captured = io.StringIO()
    saved = sys.stdout
    try:
        exec(payload["imports"], env)
        sys.stdout = captured
        exec(payload["snippet"], env)
    except BaseException as exc:
        return _error("runtime_error", exc)
    finally:
        sys.stdout = saved
    harness.update({name: env[name] for name in payload["inputs"] if name in env})
    result = _result(env, payload["result_names"])
    harness.update(result=result, stdout=captured.getvalue(), env=env)
    harness["result_or"] = lambda name: result if result is not None else harness[name]
    try:
        exec(payload["check"], harness)
    except AssertionError as exc:
        return _error("fail", exc)
    except BaseException as exc:
        return _error("check_error", exc)
    return {"status": "pass"}


def main(argv: list) -> int:
    with open(argv[1], "rb") as handle:
        payload = marshal.load(handle)
    set_limits(payload["cpu_seconds"], payload["memory_bytes"], payload["file_bytes"])
    sys.path.extend(payload["site_packages"])
    sys.setrecursionlimit(3000)
    outcome = run(payload)
    with open(argv[2], "wb") as handle:
        marshal.dump(outcome, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
