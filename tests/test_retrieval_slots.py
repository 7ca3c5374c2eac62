"""model/retrieval.py slot filling: an intent's value goes only where its role fits.

Each case is a retrieved entry that used to come out wrong on the shipped bundle (issue 10):
a bare name pasted into a lambda's subscript, a doc entry's keyword *name* replaced by a value,
a URL and a file name swapped, a method offered on its type instead of the intent's value.
"""

from __future__ import annotations

import pytest
from codeqa_model.retrieval import (
    FREE,
    NAMED,
    NEVER,
    RetrievalIndex,
    assign_slots,
    drop_default_keywords,
    entry_from_pair,
    fill,
    value_roles,
)
from codeqa_model.slots import canonicalize_intent


def _fill(pair: tuple[str, str], intent: str) -> str:
    entry = entry_from_pair(*pair, "conala")
    canon, slots = canonicalize_intent(intent)
    return fill(entry.code, slots, dict(entry.values), entry.intent, canon)[0]


def put_doc_entry(intent: str, pair: tuple[str, str]) -> str:
    """A doc entry's (intent, code) pair filled from `intent`, as the engine fills doc rows."""
    entry = entry_from_pair(*pair, "mined")
    canon, slots = canonicalize_intent(intent)
    return fill(entry.code, slots, dict(entry.values), entry.intent, canon, parameters=True)[0]


def test_roles_follow_the_syntax_tree() -> None:
    roles = value_roles("f(var_0, key=lambda item: item[str_0], var_1=None).var_2")
    assert roles == {"var_0": FREE, "str_0": NAMED, "var_1": NEVER, "var_2": NAMED}
    assert value_roles("print var_0") is None  # Python 2: not parsed, no free roles


def test_a_name_never_lands_in_an_unrelated_lambda() -> None:
    pair = ("sort a list of dictionary values by 'date' in reverse order",
            "list.sort(key=lambda item: item['date'], reverse=True)")  # fmt: skip
    code = _fill(pair, "sort list `xs` in reverse order")
    assert "item[xs]" not in code and "item['date']" in code
    assert code == "xs.sort(key=lambda item: item['date'], reverse=True)"


def test_same_placeholder_still_fills_inside_a_lambda() -> None:
    pair = ("sort list `l` by key 'k'", "l.sort(key=lambda d: d['k'])")
    assert _fill(pair, "sort list `rows` by key 'age'") == "rows.sort(key=lambda d: d['age'])"


def test_keyword_names_are_never_replaced() -> None:
    # a doc entry whose argument name became a placeholder: `list.sort(var_0=False)`
    pair = ("This method sorts the list in place. `reverse` is a boolean value.",
            "list.sort(reverse=False)")  # fmt: skip
    entry = entry_from_pair(*pair, "apidocs")
    assert entry.code == "list.sort(var_0=False)"
    code = _fill(pair, "sort list `xs` in place")
    assert code == "xs.sort(reverse=False)"


def test_values_go_where_the_words_around_them_match() -> None:
    pair = ("download file from http url 'http://x.org/f.gz' and save as 'f.gz'",
            "urllib.request.urlretrieve('http://x.org/f.gz', 'f.gz')")  # fmt: skip
    code = _fill(pair, "download url `u` to file 'page.html'")
    assert code == "urllib.request.urlretrieve(u, 'page.html')"
    # without telling words the intent's order decides, as before
    copy = ("copy `src` to `dst`", "shutil.copy(src, dst)")
    assert _fill(copy, "copy 'a.txt' to 'b.txt'") == "shutil.copy('a.txt', 'b.txt')"


def test_type_qualified_method_gets_the_value_as_receiver() -> None:
    doc = ("Return true if all characters in the string are digits.", "str.isdigit()")
    assert _fill(doc, "check if string 'abc' contains only digits") == "'abc'.isdigit()"
    assert _fill(doc, "check if `s` has only digits") == "s.isdigit()"
    # a string is never made the receiver of a list method
    lst = ("This method sorts the list in place.", "list.sort()")
    assert _fill(lst, "sort 'abc'") == "list.sort()"


@pytest.mark.parametrize(
    ("intent", "chosen"),
    [
        ("copy `a` to `b`", {"var_0": "a", "var_1": "b"}),
        ("copy `b` to 'x.txt'", {"var_0": "b", "var_1": "'x.txt'"}),
    ],
)
def test_each_value_is_used_once(intent: str, chosen: dict[str, str]) -> None:
    canon, slots = canonicalize_intent(intent)
    got = assign_slots("shutil.copy(var_0, var_1)", slots, "copy var_0 to var_1", canon)
    assert {p: s.render() for p, s in got.items()} == chosen


def test_index_candidates_use_the_role_rules() -> None:
    pairs = [
        ("sort a list of dictionary values by 'date' in reverse order",
         "list.sort(key=lambda item: item['date'], reverse=True)", "conala"),
    ]  # fmt: skip
    hits = RetrievalIndex.from_pairs(pairs, "bm25").candidates("sort list `xs` in reverse", 1)
    assert hits[0].code == "xs.sort(key=lambda item: item['date'], reverse=True)"
    assert [hits[0].code[s:e] for s, e in hits[0].slot_spans] == ["xs"]


def test_argument_names_inside_dotted_api_names_stay_names() -> None:
    # "With arguments `path`" must not turn os.path.dirname into os.var_0.dirname
    entry = entry_from_pair("Return the directory name of `path`.", "os.path.dirname(path)", "x")
    assert entry.code == "os.path.dirname(var_0)"
    assert _fill(("Return the directory name of `path`.", "os.path.dirname(path)"),
                 "get the directory of 'a/b.txt'") == "os.path.dirname('a/b.txt')"  # fmt: skip
    # an attribute that is only ever an attribute is still the intent's to name
    assert entry_from_pair("call method `foo` of `obj`", "obj.foo()", "x").code == "var_1.var_0()"


def test_a_class_method_gets_the_value_the_intent_calls_by_that_class() -> None:
    doc = ("Remove and return an element from the right side of the deque.", "deque.pop()")
    assert _fill(doc, "remove and return the last item of deque `d`") == "d.pop()"
    # a value the intent does not call a deque stays out; so does a module's function
    assert _fill(doc, "remove the last item of `d`") == "deque.pop()"
    os_doc = ("Return the current working directory.", "os.getcwd()")
    assert _fill(os_doc, "get the working directory of deque `d`") == "os.getcwd()"


def test_a_doc_entry_s_parameter_names_take_the_values_left_over() -> None:
    def put(intent: str, code: str, parameters: bool = True) -> str:
        canon, slots = canonicalize_intent(intent)
        return fill(code, slots, {}, "", canon, parameters=parameters)[0]

    assert put("read json file 'cfg.json'", "json.load(fp)") == "json.load('cfg.json')"
    assert put("copy `a` to `b`", "shutil.copy(src, dst)") == "shutil.copy(a, b)"
    assert put("copy `a`", "shutil.copy(src, dst)") == "shutil.copy(a, dst)"
    assert put("sum of `xs`", "sum(iterable)") == "sum(xs)"
    # builtins, keyword values and entries that are not docs keep their names
    assert put("length of 'abc'", "len(s, key=fp)") == "len('abc', key=fp)"
    assert put("length of `t`", "print(len)") == "print(len)"
    assert put("read json file 'cfg.json'", "json.load(fp)", parameters=False) == "json.load(fp)"


def test_a_doc_entry_s_default_keywords_are_left_out() -> None:
    canon, slots = canonicalize_intent("run command 'ls -l' and capture its output")
    code = "subprocess.run(var_0, var_1=False, var_2=None)"
    assert fill(code, slots, {"var_1": "capture_output"}, "", canon, parameters=True)[0] == (
        "subprocess.run('ls -l')"
    )
    assert drop_default_keywords("f(a=None, b, c=True, d=0)") == "f(b, c=True, d=0)"
    # code people wrote keeps what they wrote
    kept = fill("f(var_0, x=None)", slots, {}, "", canon, parameters=False)[0]
    assert kept == "f('ls -l', x=None)"


def test_the_intent_s_bare_numbers_take_the_entry_s() -> None:
    def put(intent: str, code: str, entry_intent: str = "") -> str:
        canon, slots = canonicalize_intent(intent)
        return fill(code, slots, {}, entry_intent, canon)[0]

    # paired in order with the entry intent's numbers
    assert put("first 3 items of `xs`", "var_0[:10]", "first 10 items of var_0") == "xs[:3]"
    # the entry's intent has none: the code's one number other than 0 and 1, everywhere
    assert put("sleep for 2 seconds", "time.sleep(5)", "delay for str_0 seconds") == (
        "time.sleep(2)"
    )
    assert put("chunks of 3 from `s`", "[var_0[i:i + 2] for i in range(0, len(var_0), 2)]") == (
        "[s[i:i + 3] for i in range(0, len(s), 3)]"
    )
    # nothing to pair, or no number but 0 and 1: unchanged
    assert put("last element of `xs`", "var_0[-1]") == "xs[-1]"
    assert put("4 items of `xs` by 2", "random.sample(var_0, 5)") == "random.sample(xs, 5)"
    assert put("decode `b` as utf-8", "var_0.decode(5)") == "b.decode(5)"


def test_a_variadic_parameter_takes_every_value_the_intent_lists() -> None:
    lcm = ("Return the least common multiple. With arguments `integers`.", "math.lcm(*integers)")
    assert put_doc_entry("least common multiple of `a` and `b`", lcm) == "math.lcm(a, b)"
    assert put_doc_entry("least common multiple of `a`, `b` and `c`", lcm) == "math.lcm(a, b, c)"
    # one value stays unpacked: it is the list of them
    assert put_doc_entry("least common multiple of list `nums`", lcm) == "math.lcm(*nums)"
    # a string is not one of the numbers
    assert put_doc_entry("least common multiple of `a` in 'out.txt'", lcm) == "math.lcm(*a)"
    # a quoted value is one item: a `*` would spread its characters
    join = (
        "Join one or more path segments intelligently. With arguments `a`, `p`.",
        "os.path.join(a, *p)",
    )
    assert (
        put_doc_entry("join path 'data' and 'file.txt'", join) == "os.path.join('data', 'file.txt')"
    )
    assert put_doc_entry("join paths 'a', 'b' and 'c'", join) == "os.path.join('a', 'b', 'c')"
    # the shared API-doc rows back-tick the star with the name, so the entry's code has none
    product = (
        "Cartesian product of input iterables . With arguments `*iterables`.",
        "itertools.product(*iterables)",
    )
    assert entry_from_pair(*product, "apidocs").code == "itertools.product(var_0)"
    assert put_doc_entry("cartesian product of `a` and `b`", product) == "itertools.product(a, b)"
    call = ("Schedule `func`. With arguments `func`, `*args`.", "loop.call_soon(func, *args)")
    assert put_doc_entry("call `f` with `a` and `b`", call) == "loop.call_soon(f, a, b)"
    # a `**kwargs` parameter takes no list of values
    update = ("Update the mapping. With arguments `**kwargs`.", "d.update(**kwargs)")
    assert put_doc_entry("update with `a` and `b`", update) == "d.update(a)"


def test_bare_numbers_take_the_names_an_entry_left_empty_after_the_same_words() -> None:
    def put(intent: str, entry_intent: str, code: str, fallback: dict[str, str]) -> str:
        canon, slots = canonicalize_intent(intent)
        entry_canon, _ = canonicalize_intent(entry_intent)
        return fill(code, slots, fallback, entry_canon, canon)[0]

    randint = ("Generate a random integer between `a` and `b`", "random.randint(var_0, var_1)")
    names = {"var_0": "a", "var_1": "b"}
    assert put("random integer between 1 and 6", *randint, names) == "random.randint(1, 6)"
    # as many numbers as empty names, or nothing: no guessing which number goes where
    assert put("random integer between 1 and 6 or 9", *randint, names) == "random.randint(a, b)"
    # no number follows a word its placeholder follows
    assert put("pick 1 or 6 at random", *randint, names) == "random.randint(a, b)"


def test_a_doc_entry_s_names_take_bare_numbers_after_the_same_words_too() -> None:
    power = ("`x` to the power `y`", "pow(x, y)")
    assert put_doc_entry("raise `x` to the power 3", power) == "pow(x, 3)"
    # a documented parameter left empty keeps its name, never a builtin's: `pow` would pass
    # the check as the builtin
    polypow = ("Raise a polynomial to a power. With arguments `c`, `pow`.", "polypow(c, pow)")
    assert put_doc_entry("raise polynomial `p` to a power", polypow) == "polypow(p, pow_)"
    assert put_doc_entry("raise polynomial `p` to the power 2", polypow) == "polypow(p, 2)"


def test_a_documented_star_parameter_is_left_out_unless_the_intent_fills_it() -> None:
    def put(intent: str, code: str, fallback: dict[str, str]) -> str:
        canon, slots = canonicalize_intent(intent)
        return fill(code, slots, fallback, "", canon, parameters=True)[0]

    # a signature's `**kwargs` kept as a positional parameter: nothing defines `kwargs`
    wrap = {"var_0": "text", "var_1": "width", "var_2": "**kwargs"}
    assert put("wrap `text` into lines", "textwrap.wrap(var_0, var_2, var_1=70)", wrap) == (
        "textwrap.wrap(text, width=70)"
    )
    assert put("wrap `s`", "f(var_2, var_0)", wrap) == "f(s)"
    # a value the intent gives still goes there
    smallest = {"var_0": "arg1", "var_1": "arg2", "var_2": "*args"}
    assert put("smallest of `a`, `b` and `c`", "min(var_0, var_1, var_2)", smallest) == (
        "min(a, b, c)"
    )


def test_a_type_method_s_receiver_is_the_value_the_intent_calls_by_that_type() -> None:
    center = (
        "Return centered in a string of length `width`. Padding is done using `fillchar`.",
        "str.center(width, fillchar)",
    )
    # the string is the receiver, the bare number the width, the quoted string the fill char
    assert put_doc_entry("center string `s` in 11 characters padded with '*'", center) == (
        "s.center(11, '*')"
    )
    # a quoted string never takes a numeric parameter; without a number the name stays
    assert put_doc_entry("center string `s` padded with '*'", center) == "s.center(width, '*')"
    # a class method is called on the type, whatever the intent calls its values
    fromkeys = (
        "Create a new dictionary with keys from `iterable` and values set to `value`.",
        "dict.fromkeys(iterable, value)",
    )
    assert (
        put_doc_entry("create a dict from keys `keys` with value 0", fromkeys)
        == "dict.fromkeys(keys, 0)"
    )


def test_of_two_values_of_the_type_a_changing_method_s_receiver_is_where_things_go() -> None:
    append = ("Add an item to the end of the list. With arguments `x`.", "list.append(x)")
    assert put_doc_entry("append list `b` to list `a`", append) == "a.append(b)"
    assert put_doc_entry("add the items of list `b` to the end of list `a`", append) == (
        "a.append(b)"
    )
    remove = ("Remove the first item whose value is `x`.", "list.remove(x)")
    assert put_doc_entry("remove list `b` from list `a`", remove) == "a.remove(b)"
    update = ("Update the dictionary with the pairs from `other`.", "dict.update(other)")
    assert put_doc_entry("copy the pairs of dict `a` into dict `b`", update) == "b.update(a)"
    # no place named: the first; a method that changes nothing: the first
    assert put_doc_entry("update dict `a` with dict `b`", update) == "a.update(b)"
    issubset = ("Test whether every element in the set is in `other`.", "set.issubset(other)")
    assert put_doc_entry("is set `a` a subset of set `b`", issubset) == "a.issubset(b)"
    assert put_doc_entry("compare set `a` to set `b` for a subset", issubset) == "a.issubset(b)"


def test_values_are_paired_for_the_best_whole_not_the_first_best_pair() -> None:
    entry = (
        "find all files with extension '.txt' in directory `mydir`",
        "[f for f in os.listdir(mydir) if f.endswith('.txt')]",
    )
    # 'docs' is the entry's first quoted value too, but '.md' is shaped like the extension
    assert _fill(entry, "list all files in directory 'docs' ending with '.md'") == (
        "[f for f in os.listdir('docs') if f.endswith('.md')]"
    )


def test_a_pair_s_one_plain_literal_is_the_value_its_intent_names_and_its_code_never_uses() -> None:
    # CoNaLa: "Get a md5 hash from string `thecakeisalie`" over hashlib.md5('thecakeisalie')
    pair = ("Get a md5 hash from string `thecakeisalie`", "k = hashlib.md5('thecakeisalie')")
    assert _fill(pair, "md5 hash of string `s`") == "k = hashlib.md5(s)"
    assert _fill(pair, "md5 hash of string 'abc'") == "k = hashlib.md5('abc')"
    assert _fill(pair, "an md5 hash") == "k = hashlib.md5('thecakeisalie')"
    # a literal that is code of its own (a pattern), two literals, a prefixed one: kept
    regex = ("match even number of letter `A`", "re.compile('^([^A]*)AA([^A]|AA)*$')")
    assert _fill(regex, "match letter `c`") == "re.compile('^([^A]*)AA([^A]|AA)*$')"
    two = ("join `x` to list", "['a', 'b']")
    assert _fill(two, "join `y` to list") == "['a', 'b']"
    prefixed = ("encode string `hi`", "b'hi'.hex()")
    assert _fill(prefixed, "encode string `s`") == "b'hi'.hex()"
    # doc entries' literals are documented defaults, never the user's value
    assert put_doc_entry("show `t`", ("Show text `x`.", "show(y='tab')")) == "show(y='tab')"


def test_bare_numbers_fill_a_documented_star_parameter_all_together() -> None:
    lcm = (
        "Return the least common multiple of the specified integer arguments. With arguments "
        "`integers`.",
        "math.lcm(*integers)",
    )
    assert put_doc_entry("the least common multiple of 4 and 6", lcm) == "math.lcm(4, 6)"
    assert put_doc_entry("the least common multiple of 4, 6 and 10", lcm) == ("math.lcm(4, 6, 10)")
    assert put_doc_entry("the least common multiple of 12", lcm) == "math.lcm(12)"
