"""Module paths spelled as the file spells them, else with the usual aliases."""

from __future__ import annotations

import pytest
from codeqa_model.context import SourceContext
from codeqa_model.file_spelling import spell_for_file

CONVENTIONS = {"np": "numpy", "pd": "pandas", "plt": "matplotlib.pyplot", "tk": "tkinter"}
MODULES = {"numpy", "numpy.linalg", "pandas", "matplotlib", "matplotlib.pyplot", "tkinter",
           "tkinter.tix", "os", "os.path", "datetime", "json"}  # fmt: skip


def spell(source: str, code: str) -> str:
    context = SourceContext.from_source(source)
    return spell_for_file(code, (), context, CONVENTIONS, MODULES.__contains__)[0]


@pytest.mark.parametrize(
    ("source", "code", "spelled"),
    [
        # the file's alias, and no second import of the module
        ("import pandas as pd\n", "pandas.read_csv('a.csv')", "pd.read_csv('a.csv')"),
        # `datetime` is the class here: datetime.datetime.now() would raise AttributeError
        ("from datetime import datetime\n", "datetime.datetime.now()", "datetime.now()"),
        ("from os import path\n", "os.path.join(a, 'b')", "path.join(a, 'b')"),
        # a plain import: the full path, also for code that used the usual alias
        ("import numpy\n", "np.fix(x)", "numpy.fix(x)"),
        ("import matplotlib.pyplot\n", "plt.cla()", "matplotlib.pyplot.cla()"),
        ("import numpy as num\n", "np.zeros(3)", "num.zeros(3)"),
        # nothing imported: the usual alias, longest path first, every use alike
        ("", "matplotlib.pyplot.cla()", "plt.cla()"),
        ("", "np.fix(x) + numpy.ceil(y)", "np.fix(x) + np.ceil(y)"),
        ("", "numpy.linalg.norm(v)", "np.linalg.norm(v)"),
        ("", "df = pandas.read_csv('a.csv')", "df = pd.read_csv('a.csv')"),
    ],
)
def test_module_paths_are_spelled_for_the_file(source: str, code: str, spelled: str) -> None:
    assert spell(source, code) == spelled


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("import datetime\n", "datetime.datetime.now()"),
        ("import os\n", "os.path.join(a, 'b')"),
        # the alias is taken by a variable of the file's or the code's
        ("np = 3\n", "numpy.fix(x)"),
        ("", "np = 2\nnumpy.fix(np)"),
        # code that imports for itself keeps its spelling
        ("", "import numpy\nnumpy.fix(x)"),
        # `import tkinter as tk` does not load tkinter.tix
        ("", "tkinter.tix.OptionName(w)"),
        # a variable of the user's that shares a module's name is not the module
        ("pandas = load()\n", "pandas.read_csv('a.csv')"),
        ("", "x.y(("),
    ],
)
def test_code_that_spells_it_otherwise_for_a_reason_is_kept(source: str, code: str) -> None:
    assert spell(source, code) == code


def test_spans_move_with_the_text() -> None:
    code = "pandas.read_csv('a.csv')"
    assert spell_for_file(code, ((16, 23),), SourceContext.EMPTY, CONVENTIONS) == (
        "pd.read_csv('a.csv')",
        ((12, 19),),
    )
