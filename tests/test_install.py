"""The documented install works: the checkout builds a wheel that installs into a fresh venv.

README.md, both editor READMEs and both editors' "server not found" messages say
``python -m pip install <path to the checkout>``; pip builds a wheel from the checkout and
installs it. This test does the same in two steps (build the wheel, install it into a new
venv with ``--no-deps``) and then gives that venv the dependencies already installed in this
interpreter's environment through a .pth line, so torch is not installed twice. A plain path
line in a .pth adds the directory only: the .pth files inside it (such as the editable
install of this checkout) are not processed, so only the wheel provides codeqa's packages.

Checked from a directory outside the checkout: ``codeqa-lsp --help`` runs, the shipped model
bundle is in the installed package, ``import codeqa_model, codeqa_lsp, codeqa_train`` works,
and ``import model`` / ``import train`` fail (no generic top-level packages are installed).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# What the build reads: the packages (pyproject's package-dir maps model/ and train/) and the
# files pyproject.toml names.
SOURCES = ["pyproject.toml", "README.md", "codeqa_lsp", "model", "train"]


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the checkout's wheel installed; returns its bin directory."""
    root = tmp_path_factory.mktemp("install")
    src = root / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    wheels = root / "wheels"
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(wheels),
            str(src),
        ],
        cwd=root,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-3000:]
    (wheel,) = wheels.glob("codeqa_lsp-*.whl")

    env = root / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    done = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        cwd=root,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    # The dependencies (torch, pygls, ...) from this environment, without its .pth files.
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], root)
    deps = Path(sysconfig.get_path("purelib"))
    (Path(site.stdout.strip()) / "codeqa-test-deps.pth").write_text(f"{deps}\n")
    return env / "bin"


pytestmark = pytest.mark.slow


def test_console_script_runs_from_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    done = _run([str(installed / "codeqa-lsp"), "--help"], cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--stdio" in done.stdout


def test_installed_packages_import_and_generic_names_do_not(
    installed: Path, tmp_path: Path
) -> None:
    python = str(installed / "python")
    probe = (
        "import codeqa_lsp, codeqa_model, codeqa_train, pathlib; "
        "print(codeqa_lsp.__file__); "
        "print(pathlib.Path(codeqa_model.__file__).parent / 'default' / 'manifest.json')"
    )
    done = _run([python, "-c", probe], cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    lsp_file, manifest = done.stdout.split()
    assert Path(lsp_file).is_relative_to(installed.parent)  # the wheel's copy, not the checkout
    assert Path(manifest).is_file(), "the shipped model bundle is not in the wheel"
    for name in ("model", "train"):
        missing = _run([python, "-c", f"import {name}"], cwd=tmp_path, timeout=60)
        assert missing.returncode != 0 and "ModuleNotFoundError" in missing.stderr, name


def test_the_server_needs_no_torch(installed: Path, tmp_path: Path) -> None:
    """torch is a training dependency only: the wheel does not require it, and the installed
    command answers with every `import torch` failing."""
    (wheel,) = (installed.parent.parent / "wheels").glob("codeqa_lsp-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        requires = [
            line
            for line in zf.read(name).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    torch_lines = [line for line in requires if line.split()[1].startswith("torch")]
    assert torch_lines and all('extra == "train"' in line for line in torch_lines), torch_lines
    blocked = (
        "import sys; sys.modules['torch'] = None; "
        "from codeqa_lsp.cli import main; "
        "sys.argv = ['codeqa-lsp', 'suggest', 'get the current working directory']; main()"
    )
    done = _run([str(installed / "python"), "-c", blocked], cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "os.getcwd()" in done.stdout
