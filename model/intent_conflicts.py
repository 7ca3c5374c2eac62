"""Code that does the opposite of what the intent asks, or harm it never asked for.

The beam and the retrieval index both hand back the right module with the wrong direction:
`base64.urlsafe_b64decode(...)` under "encode string `s` as base64", `json.loads(d)` under
"write dict `d` to json file", `s.upper()` under "convert `s` to lowercase". Worse, a candidate
may delete files or open one for writing under an intent that only reads. Each rule here needs
the intent to name one side and not the other, and the code to call only the other side, so a
block doing both (read then write) is never caught. Words and names are read, nothing is run.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from codeqa_model.pyast import dotted_parts, mode_argument
from codeqa_model.slots import canonicalize_intent

__all__ = ["conflict", "ticked_names"]

_TICKED = re.compile(r"`([^`]+)`")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Calls that take one value twice on purpose: `zip(it, it)` pairs up an iterator's items.
_TWICE_ON_PURPOSE = frozenset({"zip", "einsum", "dot", "matmul", "outer"})


@dataclass(frozen=True)
class _Opposite:
    """Intent asks for `asks` (and never `other`); code calls `wrong` and never `right`."""

    asks: re.Pattern[str]
    other: re.Pattern[str]
    wrong: re.Pattern[str]  # matched against each called name's last part
    right: re.Pattern[str]
    says: str  # "decodes" → "decodes, where the intent asks to encode"
    wants: str


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_SERIALISERS = ("json", "pickle", "yaml", "marshal", "toml", "tomllib", "simplejson", "ujson")
_OPPOSITES = (
    _Opposite(
        _words(r"\bencod"),
        _words(r"\bdecod"),
        _words(r"decode"),
        _words(r"encode"),
        "decodes",
        "encode",
    ),
    _Opposite(
        _words(r"\bdecod"),
        _words(r"\bencod"),
        _words(r"encode"),
        _words(r"decode"),
        "encodes",
        "decode",
    ),
    _Opposite(
        _words(r"\bcompress"),
        _words(r"decompress|uncompress|unzip|extract|unpack"),
        _words(r"decompress"),
        _words(r"^(?!de)\w*compress"),
        "decompresses",
        "compress",
    ),
    _Opposite(
        _words(r"decompress|uncompress"),
        _words(r"\bcompress"),
        _words(r"^(?!de)\w*compress"),
        _words(r"decompress"),
        "compresses",
        "decompress",
    ),
    _Opposite(
        _words(r"\bencrypt"),
        _words(r"\bdecrypt"),
        _words(r"decrypt"),
        _words(r"encrypt"),
        "decrypts",
        "encrypt",
    ),
    _Opposite(
        _words(r"\bdecrypt"),
        _words(r"\bencrypt"),
        _words(r"encrypt"),
        _words(r"decrypt"),
        "encrypts",
        "decrypt",
    ),
    _Opposite(
        _words(r"\blower\s*-?\s*case|\blower\b"),
        _words(r"\bupper|\bcapital|\btitle"),
        _words(r"^upper$"),
        _words(r"^(lower|casefold)$"),
        "upper-cases",
        "lower-case",
    ),
    _Opposite(
        _words(r"\bupper\s*-?\s*case|\bupper\b|\bcapital"),
        _words(r"\blower"),
        _words(r"^(lower|casefold)$"),
        _words(r"^upper$"),
        "lower-cases",
        "upper-case",
    ),
    _Opposite(
        _words(r"\btitle\b"),
        _words(r"\b(upper|lower|capital)"),
        _words(r"^(upper|lower|capitalize)$"),
        _words(r"^(title|capwords)$"),
        "changes the case of every letter",
        "title-case",
    ),
    _Opposite(
        _words(r"\b(max|maximum|largest|biggest|highest|greatest|longest)\b"),
        _words(
            r"\b(min|minimum|smallest|lowest|least|shortest|fewest|cap|caps|capped|limit\w*"
            r"|clamp\w*|clip\w*|bound\w*|most|exceed\w*)\b"
        ),
        _words(r"^(min|argmin|nsmallest|idxmin)$"),
        _words(r"^(max|argmax|nlargest|idxmax)$"),
        "takes the minimum",
        "maximum",
    ),
    _Opposite(
        _words(r"\b(min|minimum|smallest|lowest|least|shortest|fewest)\b"),
        _words(
            r"\b(max|maximum|largest|biggest|highest|greatest|longest|floor|clamp\w*"
            r"|clip\w*|bound\w*|least|below)\b"
        ),
        _words(r"^(max|argmax|nlargest|idxmax)$"),
        _words(r"^(min|argmin|nsmallest|idxmin)$"),
        "takes the maximum",
        "minimum",
    ),
    _Opposite(
        _words(r"\bdeep\s*-?\s*cop"),
        _words(r"\bshallow"),
        _words(r"^copy$"),
        _words(r"^deepcopy$"),
        "copies only the outer container",
        "deep-copy",
    ),
    # Directories: making one, removing or copying one with what is in it.
    _Opposite(
        _words(r"\b(creat\w*|make|mak\w*|mkdir)\b.*\b(dir\w*|folder\w*)"),
        _words(r"\b(list|walk|exist\w*|check\w*|if|whether|remov\w*|delet\w*|copy|chang\w*)\b"),
        _words(r"^(walk|listdir|scandir|exists|isdir|realpath|abspath|chdir|glob|iterdir)$"),
        _words(r"^(mkdir|makedirs|mkdtemp|TemporaryDirectory|copytree)$"),
        "reads directories but creates none",
        "create a directory",
    ),
    _Opposite(
        _words(
            r"\b(remov\w*|delet\w*)\b.*\b(dir\w*|folder\w*)\b.*"
            r"\b(everything|all|contents|recursive\w*|non-?empty)\b"
        ),
        _words(r"\bempty\b(?<!non-empty)"),
        _words(r"^(rmdir|removedirs|remove|unlink)$"),
        _words(r"^rmtree$"),
        "removes a file or an empty directory, not a directory's contents",
        "remove a directory with what is in it",
    ),
    _Opposite(
        _words(r"\bcopy\b.*\b(dir\w*|folder\w*|tree)\b"),
        _words(r"\b(file|files)\b.*\b(into|to)\b"),
        _words(r"^(copy|copy2|copyfile|copyfileobj)$"),
        _words(r"^(copytree|copy_tree)$"),
        "copies one file, not a directory",
        "copy a directory with what is in it",
    ),
    # "check if key `k` exists in dict `d`": `k in list(d.values())` looks among the values.
    # (Not the other way: `sorted(d.keys(), key=d.get)` sorts "by value" rightly.)
    _Opposite(
        _words(r"\bkeys?\b"),
        _words(r"\bvalues?\b|\bitems?\b|\bkey\s*="),
        _words(r"^(values|itervalues)$"),
        _words(r"^(keys|iterkeys|items|iteritems)$"),
        "reads a dict's values",
        "look at the keys",
    ),
)
# Reading and writing a serialisation format (`json.loads` vs `json.dumps`).
_READS = _words(
    r"\b(read|reads|load|loads|loading|parse|parses|parsing|decode|deserializ\w*)\b"
    r"|\bfrom (a |the )?(json|yaml|pickle)"
)
_WRITES = _words(
    r"\b(write|writes|save|saves|dump|dumps|store|serializ\w*|encode|stringify|export|output)\b"
    r"|\bto (a |the )?(json|yaml|pickle|toml)\b|\bas (a )?(json|yaml)\b|\bpretty"
)
# Calls that delete, and the intent words that allow it.
_DELETES = frozenset(
    {"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree"}
    | {"remove", "unlink", "rmdir", "rmtree"}
)
_ASKS_TO_DELETE = _words(
    r"\b(delet|remov|clean|clear|eras|unlink|rm\b|rmdir|purg|wip|destroy|drop|discard|empty"
    r"|mov|renam|replac|overwrit|prun|rotat|temp|tmp|uninstall|reset)"
)
# Opening for writing under an intent that only reads.
_OPENERS = frozenset({"open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open"})
_ASKS_TO_WRITE = _words(
    r"\b(writ|sav|append|creat|dump|stor|output|export|log|overwrit|truncat|empty|clear|copy"
    r"|mov|replac|add|insert|modif|updat|edit|chang|touch|new|put|generat|make|set|remov|delet"
    r"|cop|downloa|zip|compress|extract|convert|encod|encrypt|serializ|pickl|send)"
)
# Calls that run their first argument as a program; a value the intent gives as a file or a
# directory ("create directory 'out/logs'") is no command (`os.system('out/logs')`).
_SHELLS = frozenset(
    (
        "os.system",
        "os.popen",
        "os.startfile",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
    )
)
_ASKS_TO_RUN = _words(
    r"\b(run|runs|running|execut\w*|command|commands|cmd|shell|call|launch|start|process|script|"
    r"subprocess|system|invoke|terminal|bash|program|open)\b"
)
# Modules that answer one kind of question only: called where the intent never names it, they
# answer another. `cmath.sqrt(4)` is (2+0j), not 2.0; `venv.create(d)` under "create directory
# `d`" makes a virtual environment there; `unittest.main(nums)` runs a test suite.
_TOPIC_MODULES = (
    (
        ("cmath.", "numpy.lib.scimath.", "numpy.emath.", "scimath."),
        _words(r"\b(complex|imaginary|negative)"),
        "answers in complex numbers",
    ),
    (
        ("venv.",),
        _words(r"\b(virtual|venv|virtualenv|environments?)\b"),
        "makes virtual environments",
    ),
    (("turtle.",), _words(r"\bturtles?\b"), "draws turtle graphics"),
    (
        ("tkinter.", "tk.", "ttk.", "Tkinter."),
        _words(
            r"\b(gui|window\w*|tk|tkinter|widgets?|buttons?|dialog\w*|labels?|canvas|frames?)\b"
        ),
        "builds a GUI",
    ),
    (("curses.",), _words(r"\b(curses|terminal|screen|console)\b"), "drives a terminal screen"),
    (("unittest.",), _words(r"\b(test\w*|unittest|assert\w*)\b"), "runs unit tests"),
)
_READ_ONLY = _words(r"\b(read|reads|load|loads|parse|count|search|find|grep|scan|print)\b")
# A format or module the intent asks the answer to use ("encode `s` as base64", "find the
# numbers in `s` with regex", "convert `d` to json"), and the names that show an answer does:
# `s.encode('utf8')` under the first is no base64 at all. JSON and CSV count only after a word
# that makes them the answer's form: "count the lines of csv file 'a.csv'" may open it plainly.
_ASKS_FOR_MODULE = (
    (_words(r"\bbase64\b"), ("base64",)),
    (_words(r"\b(regex\w*|regular expressions?)\b"), ("re", "regex")),
    (_words(r"\bzlib\b"), ("zlib",)),
    (_words(r"\bgzip\w*\b"), ("gzip",)),
    (_words(r"\bpickl\w*\b"), ("pickle", "dill", "joblib")),
    (_words(r"\bitertools\b"), ("itertools",)),
    (_words(r"\bsqlite3?\b"), ("sqlite3", "sqlite")),
    (_words(r"\buuids?\b"), ("uuid",)),
    (_words(r"\bya?ml\b"), ("yaml", "ruamel")),
    (_words(r"\b(md5|sha1|sha224|sha256|sha384|sha512|blake2b|sha3_256)\b"), ("hashlib", "md5")),
    (_words(r"\burl[- ]?(en|de)cod\w*"), ("urllib", "quote", "unquote", "urlencode")),
    (_words(r"\bzip (file|archive)s?\b"), ("zipfile", "archive")),
    (_words(r"\btar(ball)?\b"), ("tarfile", "archive")),
    (_words(r"\b(to|as|into|from|with|using|in|a)\s+json\b"), ("json",)),
    (_words(r"\b(to|as|into|from|with|using|in|a)\s+csv\b"), ("csv",)),
)
_FILE_NAME = re.compile(r"[\w./\\-]+\.\w{1,5}")
# Words that ask to put something into a file, where code that writes nothing fails.
_ASKS_TO_WRITE_A_FILE = _words(r"\b(append\w*|writ\w*|sav\w*)\b.*\b(to|into|in)\b.*\bfile\b")
# Words that make a string a file's name or path, for `open(s)` under "... of string `s`".
_NAMES_A_FILE = _words(
    r"\b(file\w*|path\w*|name\w*|dir\w*|folder\w*|open\w*|read\w*|write\w*|load\w*|"
    r"save\w*|fn|fname|csv|json|txt|log|disk|location)\b"
)


def conflict(
    nodes: list[ast.AST], intent: str, variables: Mapping[str, str] | None = None
) -> str | None:
    """Why the code contradicts the intent (one line, for a person), or None. `nodes` is the
    code's `ast.walk`; `variables` the back-ticked names the intent gives a type, with it
    ("string `s`" → {s: str})."""
    variables = variables or {}
    if not intent:
        return None
    said = _read(intent)
    calls = [n for n in nodes if isinstance(n, ast.Call)]
    names = [".".join(dotted_parts(c.func) or []) for c in calls]
    called = [_Called.of(c, n) for c, n in zip(calls, names, strict=True)]
    for rule in said.opposites:
        for wrong in (c for c in called if rule.wrong.search(c.last)):
            if not any(rule.right.search(c.last) for c in called if wrong.peer(c)):
                return f"calls {wrong.last}, which {rule.says}; the intent asks to {rule.wants}"
    return (
        _overwrites_input(nodes, set(variables), said)
        or _ignores_its_value(calls, set(variables))
        or _serialises_backwards(names, said)
        or _harms(calls, names, said)
        or _writes_when_reading(called, said)
        or _misreads_values(nodes, said, set(variables))
        or _repeats_a_value(calls, names, said)
        or _topic_unasked(names, said)
        or _opens_text(calls, names, said, variables)
        or _skips_the_module(nodes, said)
        or _made_up_number(calls, said)
        or _made_up_text(calls, said, intent)
        or _compares_made_up_text(nodes, said, intent)
        or _only_data(nodes, intent)
        or _opens_unasked(names, said)
        or _uses_a_value_on_itself(nodes)
        or _writes_nothing(nodes, said)
        or _tests_unasked_property(calls, said, nodes)
        or _computes_no_extreme(called, said)
        or _reduces_the_keys(calls, intent, variables)
        or _extreme_unasked(called, said, intent)
    )


@dataclass(frozen=True)
class _Said:
    """What the rules read off an intent, once per intent rather than once per candidate (a
    suggestion checks up to 25)."""

    opposites: tuple[_Opposite, ...]  # the rules whose one side the intent names
    reads: bool
    writes: bool
    may_delete: bool
    only_reads: bool
    asks_to_bind: bool
    letters_asked: bool
    runs: bool  # asks to run a command or program
    topics: frozenset[int]  # the `_TOPIC_MODULES` whose topic the intent names
    file: bool  # names a file, a path or reading and writing
    writes_file: bool  # asks to append, write or save something to a file
    modules: tuple[tuple[str, ...], ...]  # per format the intent asks for, the names that use it
    numbers: frozenset[int]  # the whole numbers the intent says, in digits or words
    quoted: frozenset[str]  # the intent's quoted string values
    examples: frozenset[str]  # values shown with "like '...'" beside a back-ticked name
    given: Counter[str]  # how often the intent gives each back-ticked name or quoted value
    tests: frozenset[str]  # the properties (`_PROPERTY_WORDS`) the intent asks about
    extremes: tuple[str, ...]  # "max"/"min": the extreme the intent asks for (`_EXTREMES`)
    about_a_file: bool  # says something of reading, writing or what a file holds


def asked_extremes(intent: str) -> tuple[str, ...]:
    """ "max" and/or "min": the largest or smallest of something the intent asks for (a cap or a
    bound asks for none)."""
    return _read(intent).extremes


def letters_looped(intent: str) -> frozenset[str]:
    """The intent's quoted strings no loop may go through letter by letter (all of them, unless
    it asks for characters, letters or "any of"): `_misreads_values` fails such loops and
    `substring_membership` rewrites them."""
    said = _read(intent)
    return frozenset() if said.letters_asked else said.quoted


def ticked_names(intent: str) -> list[str]:
    """The identifiers inside the intent's back-ticked spans, once per mention: "`d`" → [d],
    "`a.b`" → [a, b]."""
    return [w for quoted in _TICKED.findall(intent) for w in _IDENT.findall(quoted)]


@lru_cache(maxsize=256)
def _read(intent: str) -> _Said:
    quoted = [s.value for s in canonicalize_intent(intent)[1] if s.kind == "str"]
    return _Said(
        opposites=tuple(
            r for r in _OPPOSITES if r.asks.search(intent) and not r.other.search(intent)
        ),
        reads=_READS.search(intent) is not None,
        writes=_WRITES.search(intent) is not None,
        may_delete=_ASKS_TO_DELETE.search(intent) is not None,
        only_reads=_READ_ONLY.search(intent) is not None and not _ASKS_TO_WRITE.search(intent),
        asks_to_bind=_ASKS_TO_BIND.search(intent) is not None,
        letters_asked=_ASKS_FOR_LETTERS.search(intent) is not None,
        runs=_ASKS_TO_RUN.search(intent) is not None,
        topics=frozenset(
            i for i, (_, names, _) in enumerate(_TOPIC_MODULES) if names.search(intent)
        ),
        file=_NAMES_A_FILE.search(intent) is not None,
        writes_file=_ASKS_TO_WRITE_A_FILE.search(intent) is not None,
        modules=tuple(names for asks, names in _ASKS_FOR_MODULE if asks.search(intent)),
        numbers=_numbers(intent),
        quoted=frozenset(quoted),
        # "version string `version` like 'v2.14.3'": the example shows what `version` holds
        examples=frozenset(m.group("v") for m in _EXAMPLE.finditer(intent))
        if "`" in intent
        else frozenset(),
        given=Counter(
            ticked_names(intent)
            + [v for v in quoted for q in "'\"" for _ in range(intent.count(f"{q}{v}{q}"))]
        ),
        tests=_asked_properties(intent),
        # 'file.txt' names a file and asks nothing: quoted and ticked values are not read
        about_a_file=_ASKS_ABOUT_A_FILE.search(_QUOTED_OR_TICKED.sub(" ", intent)) is not None,
        extremes=tuple(
            side
            for side, (asks, _) in _EXTREMES.items()
            if asks.search(_COMMON_TERMS.sub(" ", intent)) and not _BOUNDS.search(intent)
        ),
    )


@dataclass(frozen=True)
class _Called:
    """A call's first and last name parts: `base64.b64decode(...)` → (base64, b64decode);
    `s.encode().decode()`'s outer call → ("", decode)."""

    head: str
    last: str
    dotted: bool

    @classmethod
    def of(cls, call: ast.Call, name: str) -> _Called:
        last = call.func.attr if isinstance(call.func, ast.Attribute) else name
        return cls(name.partition(".")[0], last, "." in name)

    def peer(self, other: _Called) -> bool:
        """Whether `other` may make up for this call: one on the same module or object
        (`s.encode()` inside `base64.b64decode(...)` does not encode to base64); any call
        for a builtin (`max(xs) - min(xs)`)."""
        return other.head == self.head if self.dotted else True


# Intent words that ask for a variable to be made or set, not read.
_ASKS_TO_BIND = _words(
    r"\b(creat|mak|set|assign|initiali|defin|declar|build|generat|new|empty|stor|put|sav|"
    r"init|reset|fill|populat|construct|declare|let|give|store|load|read|split|convert|parse)"
)


def _overwrites_input(nodes: list[ast.AST], variables: set[str], said: _Said) -> str | None:
    """`d = {'apple': 1, 'bear': 2}` under "pretty print dict `d`": the user's value replaced by a
    Stack Overflow answer's example data."""
    if not variables or said.asks_to_bind:
        return None
    for node in nodes:
        if isinstance(node, ast.Assign) and _is_literal(node.value):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in variables:
                    return f"replaces `{target.id}` with made-up data"
    return None


def _is_literal(node: ast.expr) -> bool:
    """A constant, or a list/tuple/set/dict display of nothing but constants."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return bool(node.elts) and all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        values = [*node.keys, *node.values]
        return bool(values) and all(v is not None and _is_literal(v) for v in values)
    return False


# Methods that make a new value of the receiver's class and never read the receiver.
_CLASS_CONSTRUCTORS = frozenset({"today", "now", "utcnow", "fromtimestamp", "fromordinal"})


def _ignores_its_value(calls: list[ast.Call], variables: set[str]) -> str | None:
    """`d.today()` under "the day of the week of date `d`": today's date, whatever `d` is."""
    for call in calls:
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in _CLASS_CONSTRUCTORS
            and isinstance(func.value, ast.Name)
            and func.value.id in variables
        ):
            return f"calls {func.value.id}.{func.attr}(), which ignores `{func.value.id}`"
    return None


def _serialises_backwards(names: list[str], said: _Said) -> str | None:
    """`json.dumps` where the intent parses json, or `json.loads` where it writes json."""
    used = [n for n in names if n.partition(".")[0] in _SERIALISERS]
    if not used:
        return None
    loads = [n for n in used if n.rpartition(".")[2] in ("load", "loads", "safe_load")]
    dumps = [n for n in used if n.rpartition(".")[2] in ("dump", "dumps", "safe_dump")]
    if said.reads and not said.writes and dumps and not loads:
        return f"calls {dumps[0]}, which writes; the intent asks to read or parse"
    if said.writes and not said.reads and loads and not dumps:
        return f"calls {loads[0]}, which reads; the intent asks to write"
    return None


# Calls that write a file or a stream, by their last name part.
_WRITING_CALLS = frozenset(
    ("to_csv", "to_json", "to_excel", "to_pickle", "to_parquet", "to_sql", "to_hdf",
     "to_feather", "to_html", "to_latex", "write", "writelines", "writerow", "writerows",
     "dump", "safe_dump", "save", "savefig", "savetxt", "savez", "tofile", "write_text",
     "write_bytes")
)  # fmt: skip


def _writes_when_reading(called: list[_Called], said: _Said) -> str | None:
    """`a.to_csv('data.csv')` under "read the csv file 'data.csv'": the intent asks only to
    read, load or parse, and the code calls a writer (`_opens_text` judges a file opened for
    writing)."""
    if not said.reads or said.writes:
        return None
    for call in called:
        if call.last in _WRITING_CALLS:
            return f"calls {call.last}, which writes; the intent asks to read"
    return None


def _harms(calls: list[ast.Call], names: list[str], said: _Said) -> str | None:
    """Deletes files, or opens one for writing, under an intent that asks for neither; runs one
    of the intent's values as a command when it asks to run nothing."""
    if not said.may_delete:
        deleting = [n for n in names if n in _DELETES]
        if deleting:
            return f"calls {deleting[0]}, which deletes; the intent asks for no deletion"
    if said.only_reads:
        for call, name in zip(calls, names, strict=True):
            mode = _mode(call) if name in _OPENERS else None
            if mode is not None and set(mode) & set("wax"):
                return f"opens a file with mode {mode!r}; the intent only reads"
    if not said.runs:
        for call, name in zip(calls, names, strict=True):
            first = call.args[0] if name in _SHELLS and call.args else None
            if isinstance(first, ast.Constant) and first.value in said.quoted:
                return f"runs {first.value!r} as a command; the intent asks to run none"
    return None


def _mode(call: ast.Call) -> str | None:
    """The literal mode `open(...)` is given, if any."""
    node = mode_argument(call)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


# Intent words that make a string's letters the point ("the letters of 'abc'").
_ASKS_FOR_LETTERS = _words(r"\b(char|chars|character|characters|letter|letters|each|any of|vowel)")


_EXAMPLE = re.compile(
    r"\b(?:like|such as|e\.g\.?|for example|for instance)\s+(?P<q>['\"])(?P<v>[^'\"\n]+)(?P=q)",
    re.IGNORECASE,
)


def _misreads_values(nodes: list[ast.AST], said: _Said, variables: set[str]) -> str | None:
    """The intent's variable written as a string (`f.write('s\\n')` under "write string `s`"),
    a quoted value looped over letter by letter (`any(e in s for e in 'error')`), or the example
    of a variable used as a value (`re.findall('the the', text)` under "doubled words like 'the
    the' in `text`")."""
    variables -= said.quoted
    for node in nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.strip() in variables:
                return f"writes the variable `{node.value.strip()}` as the string {node.value!r}"
            if node.value in said.examples:
                return f"uses the example {node.value!r} as a value"
        elif isinstance(node, ast.comprehension | ast.For) and not said.letters_asked:
            loop = node.iter
            if isinstance(loop, ast.Constant) and loop.value in said.quoted and len(loop.value) > 1:
                return f"loops over the letters of {loop.value!r}"
    return None


def _repeats_a_value(calls: list[ast.Call], names: list[str], said: _Said) -> str | None:
    """One of the intent's values passed twice to one call when the intent gives it once:
    `strptime(hhmm, hhmm)`, `os.path.join(base, 'data.csv', 'data.csv')`, `pow(x, x)` under
    "e to the power of `x`" are slot filling gone wrong, never what was asked (3 of CoNaLa's
    3,212 training snippets repeat a name in one call, all `zip`/`einsum` idioms)."""
    if not said.given:
        return None
    for call, name in zip(calls, names, strict=True):
        if name.rpartition(".")[2] in _TWICE_ON_PURPOSE:
            continue
        seen: Counter[str] = Counter()
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            if isinstance(arg, ast.Name):
                seen[arg.id] += 1
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                seen[arg.value] += 1
        for value, times in seen.items():
            if times > 1 and 0 < said.given[value] < times:
                shown = f"`{value}`" if value.isidentifier() else repr(value)
                given = "once" if said.given[value] == 1 else f"{said.given[value]} times"
                where = name or "a call"
                return f"passes {shown} {times} times to {where}; the intent gives it {given}"
    return None


def _topic_unasked(names: list[str], said: _Said) -> str | None:
    """A call into one of `_TOPIC_MODULES` under an intent that never names its topic."""
    for name in names:
        for i, (modules, _, does) in enumerate(_TOPIC_MODULES):
            if i not in said.topics and name.startswith(modules):
                return f"calls {name}, which {does}; the intent asks for none"
    return None


def _opens_text(
    calls: list[ast.Call], names: list[str], said: _Said, variables: Mapping[str, str]
) -> str | None:
    """`hashlib.md5(open(s, 'rb').read())` under "the md5 hash of string `s`": the string is
    the data, and the intent names no file to open."""
    if said.file:
        return None
    for call, name in zip(calls, names, strict=True):
        first = call.args[0] if call.args else None
        if name in _OPENERS and isinstance(first, ast.Name) and variables.get(first.id) == "str":
            return f"opens string `{first.id}` as a file name; the intent names no file"
    return None


def _skips_the_module(nodes: list[ast.AST], said: _Said) -> str | None:
    """`s.encode('utf8')` under "encode string `s` as base64": the intent names the format or
    module to use and the answer touches none of it (no name part or string says it:
    `pd.read_json`, `df.to_csv` and `codecs.encode(s, 'base64')` do)."""
    if not said.modules:
        return None
    parts: set[str] = set()
    texts: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Name):
            parts.update(node.id.lower().split("_"))
        elif isinstance(node, ast.Attribute):
            parts.update(node.attr.lower().split("_"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if not _FILE_NAME.fullmatch(node.value):  # 'c.yaml' names a file, not a codec
                texts.append(node.value.lower())
        elif isinstance(node, ast.alias):
            parts.update(node.name.lower().replace(".", "_").split("_"))
    for names in said.modules:
        said_by = (p == n or (len(n) > 3 and p.startswith(n)) for p in parts for n in names)
        if not any(said_by) and not any(n in t for t in texts for n in names if len(n) > 3):
            return f"uses no {names[0]}; the intent asks for it"
    return None


_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twice": 2, "double": 2, "pair": 2, "pairs": 2,
    "half": 2, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "triple": 3, "dozen": 12,
    "hundred": 100, "thousand": 1000,
}  # fmt: skip
_DIGITS = re.compile(r"\d+")


def _numbers(intent: str) -> frozenset[int]:
    """The numbers the intent says, and each one less: "the third item" is at index 2."""
    words = re.findall(r"[a-z]+", intent.lower())
    said = [int(d) for d in _DIGITS.findall(intent)]
    said += [_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS]
    return frozenset(said + [n - 1 for n in said])


def _made_up_number(calls: list[ast.Call], said: _Said) -> str | None:
    """`stack.remove(6)` or `stack.pop(2)` under "remove the last element from list `stack`":
    a number handed to a method of the user's variable that the intent never says is its Stack
    Overflow question's data (0, 1 and -1 are the ends and steps everyone writes)."""
    for call in calls:
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
        if not (isinstance(receiver, ast.Name) and said.given[receiver.id]):
            continue
        for arg in call.args:
            value = arg.value if isinstance(arg, ast.Constant) else None
            if isinstance(arg, ast.UnaryOp) and isinstance(arg.operand, ast.Constant):
                value = arg.operand.value  # -2 says 2
            if type(value) is int and value not in (0, 1) and value not in said.numbers:
                return f"passes {value} to `{receiver.id}`; the intent says no such number"
    return None


# str methods whose argument is text to look for, cut at or put in
_TEXT_ARGUMENT_METHODS = frozenset(
    ("count", "find", "rfind", "index", "rindex", "startswith", "endswith", "replace", "split",
     "rsplit", "partition", "rpartition", "strip", "lstrip", "rstrip", "removeprefix",
     "removesuffix", "insert", "append", "remove", "add", "discard", "get", "pop", "setdefault")
)  # fmt: skip


def _unsaid_text(node: ast.expr, lowered_intent: str) -> str | None:
    """The text of a string literal with a letter or digit, longer than one character, that the
    (lower-cased) intent never says; None for anything else."""
    text = node.value if isinstance(node, ast.Constant) else None
    if (
        isinstance(text, str)
        and len(text) > 1
        and any(c.isalnum() for c in text)
        and text.lower() not in lowered_intent
    ):
        return text
    return None


def _made_up_text(calls: list[ast.Call], said: _Said, intent: str) -> str | None:
    """`s.count('Hello')` under "count the characters in string `s`", `s.endswith(('.mp3',
    '.avi'))` under "… ends with a newline", `nums.insert(0, 'foo')` under "insert 0 at the
    beginning of list `nums`": text with a letter or digit, handed to a method of the user's
    variable that looks for, cuts, puts in or takes out text, that the intent never says (its
    Stack Overflow question's example)."""
    lowered = intent.lower()
    for call in calls:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in _TEXT_ARGUMENT_METHODS:
            continue
        # `"abcdabcva".count('data')`: the question's example text searched, not the user's
        receiver = _unsaid_text(func.value, lowered)
        if receiver is not None:
            return f"looks into {receiver!r}, which the intent never says"
        if not (isinstance(func.value, ast.Name) and said.given[func.value.id] and call.args):
            continue
        parts = [
            p for arg in call.args for p in (arg.elts if isinstance(arg, ast.Tuple) else [arg])
        ]
        for part in parts:
            text = _unsaid_text(part, lowered)
            if text is not None:
                return f"passes {text!r} to `{func.value.id}`; the intent says no such text"
    return None


def _compares_made_up_text(nodes: list[ast.AST], said: _Said, intent: str) -> str | None:
    """`any(d['name'] == 'Test' for d in d)` under "check if the key 'name' is in the dict
    `d`": the user's variable (a part of it, or an item a loop takes from it) compared with
    text the intent never says."""
    lowered = intent.lower()
    mine = {name for name, n in said.given.items() if n}
    for node in nodes:
        if (
            isinstance(node, ast.comprehension | ast.For)
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, ast.Name)
            and node.iter.id in mine
        ):
            mine.add(node.target.id)
    for node in nodes:
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
            continue
        if not isinstance(node.ops[0], ast.Eq | ast.NotEq):
            continue  # `c in 'aeiou'` asks whether it is one of a set of letters
        left, right = node.left, node.comparators[0]
        for side, other in ((left, right), (right, left)):
            base = side
            while isinstance(base, ast.Subscript | ast.Attribute):
                base = base.value
            text = _unsaid_text(other, lowered)
            if isinstance(base, ast.Name) and base.id in mine and text is not None:
                return f"compares `{base.id}` with {text!r}, which the intent never says"
    return None


_DATA = (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp, ast.USub, ast.Load)


def _only_data(nodes: list[ast.AST], intent: str) -> str | None:
    """`[('Jellicle', 6), ('Cats', 5)]` under "find the least common multiple of 4 and 6": code
    that is only a literal holding values the intent never gives (a Stack Overflow question's
    data, or its printed output) computes nothing."""
    module = nodes[0] if nodes else None
    if not (isinstance(module, ast.Module) and len(module.body) == 1):
        return None
    statement = module.body[0]
    if not isinstance(statement, ast.Expr):
        return None
    inner = [n for n in nodes if n is not module and n is not statement]
    if not inner or not all(isinstance(n, _DATA) for n in inner):
        return None
    lowered = intent.lower()
    for n in inner:
        if isinstance(n, ast.Constant) and n.value is not None:
            text = str(n.value).lower()
            if text.strip() and text not in lowered:
                return f"only writes {n.value!r} and other data the intent never gives"
    return None


def _uses_a_value_on_itself(nodes: list[ast.AST]) -> str | None:
    """`if a in a: a.remove(a)`: a name compared with itself, or handed to its own method, is
    slot filling that put one value in two places (no one writes `x == x` for an answer)."""
    for node in nodes:
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name):
            for right in node.comparators:
                if isinstance(right, ast.Name) and right.id == node.left.id:
                    return f"compares `{right.id}` with itself"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and any(
                isinstance(a, ast.Name) and a.id == receiver.id for a in node.args
            ):
                return f"passes `{receiver.id}` to its own method {node.func.attr}"
    return None


_WRITERS = re.compile(
    r"write|dump|save|append|copy|move|retriev|download|store|put|^to_|^print$", re.IGNORECASE
)


def _writes_nothing(nodes: list[ast.AST], said: _Said) -> str | None:
    """`line in open('log.txt').read()` under "append string `line` to file 'log.txt'": the
    intent asks to put something into a file and the code calls nothing that writes, nor opens
    anything to write to."""
    if not said.writes_file:
        return None
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if _WRITERS.search(name):
            return None
        mode = _mode(node) if name == "open" else None
        if mode is not None and any(m in mode for m in "wax+"):
            return None
    return "writes nothing; the intent asks to put something into a file"


# What a `str` predicate or an `isinstance` test answers, and the intent words that ask it.
_PROPERTY_WORDS = {
    "digit": _words(r"\b(digits?|numbers?|numeric\w*|integers?|int|decimals?|numerals?)\b"),
    "alpha": _words(r"\b(letters?|alpha\w*|characters?|words?)\b"),
    "upper": _words(r"\b(upper\w*|capital\w*|case)\b"),
    "lower": _words(r"\b(lower\w*|small|case)\b"),
    "space": _words(r"\b(spaces?|whitespaces?|blank)\b"),
    "title": _words(r"\b(title\w*|capital\w*)\b"),
    "identifier": _words(r"\b(identifiers?|names?)\b"),
    "printable": _words(r"\bprint\w*"),
    "ascii": _words(r"\bascii\b"),
    "int": _words(r"\b(int|integers?|whole|numbers?|numeric\w*|digits?)\b"),
    "float": _words(r"\b(floats?|floating|decimals?|real|numbers?|numeric\w*)\b"),
    "str": _words(r"\b(str|strings?|text)\b"),
    "bytes": _words(r"\b(bytes?|binary)\b"),
    "list": _words(r"\blists?\b"),
    "dict": _words(r"\b(dict\w*|mappings?)\b"),
    "tuple": _words(r"\btuples?\b"),
    "set": _words(r"\bsets?\b"),
    "bool": _words(r"\b(bool\w*|true|false)\b"),
}
_PREDICATES = {
    "isdigit": ("digit",),
    "isnumeric": ("digit",),
    "isdecimal": ("digit",),
    "isalpha": ("alpha",),
    "isalnum": ("alpha", "digit"),
    "isupper": ("upper",),
    "islower": ("lower",),
    "isspace": ("space",),
    "istitle": ("title",),
    "isidentifier": ("identifier",),
    "isprintable": ("printable",),
    "isascii": ("ascii",),
}
_TYPES = frozenset(("int", "float", "str", "bytes", "list", "dict", "tuple", "set", "bool"))
_ASKS_FOR_TYPE = _words(r"\b(types?|instances?|kinds?|class\w*|isinstance)\b")
# "number `n`", "string `s`": the noun naming a value's type before it asks nothing about it
_TYPE_NOUN = re.compile(r"\b[\w-]+\s+(?=`)")


def _asked_properties(intent: str) -> frozenset[str]:
    text = _TICKED.sub(" ", _TYPE_NOUN.sub(" ", intent))
    asked = {p for p, words in _PROPERTY_WORDS.items() if words.search(text)}
    if _ASKS_FOR_TYPE.search(text):
        asked |= _TYPES
    return frozenset(asked)


def _tests_unasked_property(calls: list[ast.Call], said: _Said, nodes: list[ast.AST]) -> str | None:
    """`s.isdigit()` under "check if string `s` is empty", `isinstance(x, int)` under "check if
    `x` is None": a test of a property the intent never asks about (the beam's nearest yes/no
    answer). Not in code with its own functions or loops, whose tests serve their own steps
    (`if isinstance(el, list)` inside a flatten)."""
    if any(isinstance(n, ast.FunctionDef | ast.For | ast.While | ast.ClassDef) for n in nodes):
        return None
    for call in calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _PREDICATES:
            if not said.tests & set(_PREDICATES[func.attr]):
                return f"tests {func.attr}(), which the intent does not ask about"
        elif isinstance(func, ast.Name) and func.id == "isinstance" and len(call.args) == 2:
            kinds = call.args[1].elts if isinstance(call.args[1], ast.Tuple) else [call.args[1]]
            names = {k.id for k in kinds if isinstance(k, ast.Name)}
            if names and names <= _TYPES and not names & said.tests:
                shown = " or ".join(sorted(names))
                return f"tests whether a value is {shown}, which the intent does not ask"
    return None


# The extreme an intent asks for, and the calls that can find it (by their last name part).
_EXTREMES = {
    "max": (
        _words(r"\b(max|maximum|largest|biggest|highest|greatest|longest)\b"),
        frozenset(("max", "amax", "nanmax", "argmax", "idxmax", "nlargest", "maximum", "fmax")),
    ),
    "min": (
        _words(r"\b(min|minimum|smallest|lowest|shortest|fewest)\b"),
        frozenset(("min", "amin", "nanmin", "argmin", "idxmin", "nsmallest", "minimum", "fmin")),
    ),
}
# Names of one number, not an extreme of many: the greatest common divisor (`math.gcd`), the
# least common multiple (`math.lcm`), the highest common factor, the lowest common denominator.
_COMMON_TERMS = _words(r"\b(?:greatest|highest|least|lowest|smallest)\s+common\b")
# Sorting finds either end; a cap or a bound asks for no extreme ("most" and "least" are left
# out: "most common", "least squares", "the most efficient way").
_SORTS = frozenset(("sorted", "sort", "sort_values", "most_common", "heapify", "bisect"))
# every call (by its last name part) that finds an extreme or an order
FINDS_AN_EXTREME = _SORTS | _EXTREMES["max"][1] | _EXTREMES["min"][1]
_BOUNDS = _words(r"\b(at most|at least|up to|no more|cap\w*|clamp\w*|clip\w*|limit\w*|bound\w*)\b")


def _computes_no_extreme(calls: list[_Called], said: _Said) -> str | None:
    """`d.keys()` under "get the maximum key in dict `d`": the intent asks for the largest or
    the smallest of something and the code calls nothing that finds one (max, min, a sort)."""
    if not said.extremes:
        return None
    called = {c.last for c in calls}
    if called & _SORTS:
        return None
    for side in said.extremes:
        if not called & _EXTREMES[side][1]:
            return (
                f"finds no {'maximum' if side == 'max' else 'minimum'}, which the intent asks for"
            )
    return None


# Words under which a max or min is a step of the answer, not the answer's change of subject:
# a range, a bound, a size to pad or scale to, a most or least.
_EXTREME_STEP = _words(
    r"\b(range|spread|between|normali[sz]\w*|scal\w*|pad\w*|width|widest|align\w*|justif\w*|"
    r"most|least|top|best|worst|peak|extreme\w*|limit\w*|bound\w*|clamp\w*|clip\w*|cap\w*|"
    r"at most|at least|up to|no more|closest|nearest|furthest|farthest|first|last|earliest|"
    r"latest|oldest|newest|recent\w*|sort\w*|order\w*|rank\w*|argmax|argmin|index|mode|common|"
    r"frequent\w*|popular|majority|dominant|winn\w*)\b"
)


def _extreme_unasked(called: list[_Called], said: _Said, intent: str) -> str | None:
    """`max(len(word) for word in s)` under "get the length of the string `s`": a max or min
    the intent asks for nowhere (no extreme, no range, bound, order or size to fit)."""
    if said.extremes or _EXTREME_STEP.search(intent):
        return None
    for call in called:
        if call.last in ("max", "min"):
            side = "maximum" if call.last == "max" else "minimum"
            return f"takes the {side}, which the intent does not ask for"
    return None


# Calls that read every item of what they are given; given a dict, they read its keys.
_READS_ALL = frozenset(("max", "min", "sum", "sorted", "set", "list", "any", "all"))
_ASKS_VALUES = _words(r"\bvalues?\b")
_ASKS_KEYS = _words(r"\bkeys?\b|\bitems?\b|\bpairs?\b")


def _reduces_the_keys(
    calls: list[ast.Call], intent: str, variables: Mapping[str, str]
) -> str | None:
    """`max(d)` under "get the largest value in the dict `d`": a dict given whole to a call
    that reads its items reads the keys; the intent asks about the values (and not the keys).
    A `key=` (`max(d, key=d.get)`) looks at the values through the keys."""
    if not _ASKS_VALUES.search(intent) or _ASKS_KEYS.search(intent):
        return None
    for call in calls:
        func = call.func
        if not (isinstance(func, ast.Name) and func.id in _READS_ALL and call.args):
            continue
        first = call.args[0]
        keyed = any(k.arg == "key" for k in call.keywords)
        if isinstance(first, ast.Name) and variables.get(first.id) == "dict" and not keyed:
            name = first.id
            return f"{func.id}({name}) reads the keys of `{name}`; the intent asks for its values"
    return None


# Words under which opening a file is part of the answer (reading it, writing it, what is in it).
_ASKS_ABOUT_A_FILE = _words(
    r"\b(open\w*|read\w*|writ\w*|load\w*|sav\w*|append\w*|content\w*|text|lines?|pars\w*|"
    r"files?|dump\w*|log\w*|print\w*|csv|json|yaml|pickle|copy|hash\w*|md5|sha\w*|digest|"
    r"checksum|size|count\w*|words?|encod\w*|decod\w*|bytes|binary|data|image|stream|"
    r"handle|utf\S*|ascii|characters?|search\w*|find\w*|grep|contain\w*|replac\w*)\b"
)


_QUOTED_OR_TICKED = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"")


def _opens_unasked(names: list[str], said: _Said) -> str | None:
    """`open(os.path.join('file.txt', 'data'), 'r')` under "join path 'data' and 'file.txt'":
    a file opened where the intent says nothing of reading, writing or what a file holds."""
    if not said.about_a_file and any(n in _OPENERS for n in names):
        return "opens a file, which the intent does not ask for"
    return None
