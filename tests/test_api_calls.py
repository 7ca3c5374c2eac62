"""train/api_calls.py: called names, API hit and the unseen-API slice."""

from __future__ import annotations

from codeqa_train.api_calls import api_hit, api_hit_rate, called_names, unseen_api


def test_called_names_are_final_parts_of_calls_not_receivers() -> None:
    assert called_names("os.path.join(a, b).split()") == {"join", "split"}
    assert called_names("np.sort(x)") == called_names("numpy.sort(y)") == {"sort"}
    assert called_names("x = [1, 2]") == frozenset()


def test_code_that_does_not_parse_still_counts_by_regex() -> None:
    assert called_names("print x.strip( ") == {"strip"}
    assert called_names("if (a) and f(b") == {"f"}  # keywords before '(' are not calls


def test_api_hit_needs_every_called_function() -> None:
    assert api_hit("os.getcwd()", "print(os.getcwd())") is True
    assert api_hit("shutil.copy(a, b)", "os.rename(a, b)") is False
    assert api_hit("x[0]", "anything()") is None  # the reference calls nothing
    rate = api_hit_rate(["os.getcwd()", "x[0]", "f(1)"], [["g()", "os.getcwd()"], ["h()"], []])
    assert rate == 0.5  # 1 of the 2 references that call something


def test_unseen_api_slice() -> None:
    train = ["os.getcwd()", "sorted(d, key=d.get)"]
    refs = ["os.getcwd()", "shutil.copy(a, b)", "sorted(x)", "x[0]"]
    assert unseen_api(refs, train) == [1]
