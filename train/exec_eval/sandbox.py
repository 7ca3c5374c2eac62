"""Run one snippet against one problem's harness in a separate, limited Python process.

Each run gets a fresh temporary working directory; `python -I -S`: no PYTHON* variables and no
`.pth` processing, so this project's editable install stays off `sys.path` (and the interpreter
starts in a third of the time); the environment's site-packages directories are appended by the
child, so a snippet may import an installed package as a user's code would. TZ=UTC; CPU, memory
and file-size limits set by the child before any problem code runs; no stdin; its own process
group, killed whole on timeout. Nothing needs the network. The verdict comes from a result file
the child writes, never from its output.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from codeqa_train.exec_eval.problems import Problem
from codeqa_train.exec_eval.snippet import prepare

CHILD = Path(__file__).with_name("child.py")
DEFAULT_TIMEOUT = 5.0
# Plain directories only: no .pth files are processed, so editable installs stay invisible.
SITE_PACKAGES = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
MEMORY_BYTES = 1 << 30  # 1 GiB address space: the stdlib problems need a few tens of MiB
FILE_BYTES = 64 << 20


@dataclass(frozen=True)
class Outcome:
    """How one run ended: `status` is pass, fail, check_error, runtime_error, syntax_error,
    setup_error, timeout or crashed; `detail` says why in one short line."""

    status: str
    error: str = ""
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"


_COMPILE_ERRORS = (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError)


def _error(status: str, exc: BaseException) -> Outcome:
    return Outcome(status, type(exc).__name__, f"{type(exc).__name__}: {exc}"[:300])


def payload_for(
    problem: Problem,
    snippet: str,
    suggestion_imports: tuple[str, ...],
    timeout: float,
    case: tuple[str, str],
) -> dict | Outcome:
    """What the child runs for one of `problem.cases()`, compiled here (never executed here); an
    Outcome when the harness or the snippet does not compile."""
    setup_text, check_text = case
    try:
        setup = compile(setup_text, "<setup>", "exec")
        check = compile(check_text, "<check>", "exec")
    except _COMPILE_ERRORS as exc:
        return _error("setup_error", exc)
    try:
        prepared = prepare(snippet)
        imports = compile("\n".join([*problem.imports, *suggestion_imports]), "<imports>", "exec")
    except _COMPILE_ERRORS as exc:
        return _error("syntax_error", exc)
    return {
        "setup": setup,
        "inputs": list(problem.inputs),
        "imports": imports,
        "snippet": prepared.code,
        "result_names": list(prepared.result_names),
        "check": check,
        "cpu_seconds": max(1, int(timeout) + 1),
        "memory_bytes": MEMORY_BYTES,
        "file_bytes": FILE_BYTES,
        "site_packages": SITE_PACKAGES,
    }


def run_snippet(
    problem: Problem,
    snippet: str,
    suggestion_imports: tuple[str, ...] = (),
    timeout: float = DEFAULT_TIMEOUT,
) -> Outcome:
    """Run `snippet` (plus the import lines a suggestion carries) under each of `problem`'s
    cases in turn, each in a fresh process and folder; the first that does not pass is the
    outcome."""
    outcome = Outcome("pass")
    for case in problem.cases():
        outcome = _run_case(problem, snippet, suggestion_imports, timeout, case)
        if not outcome.passed:
            break
    return outcome


def _run_case(
    problem: Problem,
    snippet: str,
    suggestion_imports: tuple[str, ...],
    timeout: float,
    case: tuple[str, str],
) -> Outcome:
    payload = payload_for(problem, snippet, suggestion_imports, timeout, case)
    if isinstance(payload, Outcome):
        return payload
    with tempfile.TemporaryDirectory(prefix="exec-eval-") as root:
        work = Path(root) / "work"
        work.mkdir()
        payload_path, result_path = Path(root) / "payload.bin", Path(root) / "result.bin"
        payload_path.write_bytes(marshal.dumps(payload))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(work),
            "LANG": "C.UTF-8",
            "TMPDIR": str(work),
            "TZ": "UTC",
        }
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", str(CHILD), str(payload_path), str(result_path)],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return Outcome("timeout", "TimeoutExpired", f"no verdict within {timeout:g} s")
        finally:
            _kill_group(proc)  # children the snippet left behind share the group
        try:
            data = marshal.loads(result_path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if stderr else []
            return Outcome("crashed", f"exit {proc.returncode}", tail[0][-300:] if tail else "")
    if not isinstance(data, dict) or "status" not in data:
        return Outcome("crashed", "bad result", repr(data)[:300])
    return Outcome(str(data["status"]), str(data.get("error", "")), str(data.get("detail", "")))


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait()
