"""Give `strptime` and `strftime` the format of the date the intent shows.

"convert string '2024-01-15' to a datetime object" gets `datetime.strptime('2024-01-15',
'%H:%M')`: the call is right, the format comes from whichever Stack Overflow answer the model
learned it from, and it raises ValueError when run. The intent's example ('2024-01-15', or
"`hhmm` like '14:05'") says which format is meant, and reading it is static: split it into
digit runs, words and separators, name each part (`%Y`, `%b`, `%H`, ...), and keep the format
only if `datetime.strptime` reads the example back with it (parsing a string: nothing a model or
a file names is run). A candidate's format literal is replaced only when it cannot read the
example, or has no directive at all (`now().strftime('2024-01-31')` under "the current date as a
string like '2024-01-31'" writes that text, not today's date). A written-out pattern
('YYYY-MM-DD') stands for its format.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime

from codeqa_model.pyast import SourcePositions, parse_quietly, replace_ranges

Spans = tuple[tuple[int, int], ...]

# a quote after a letter is an apostrophe ("today's date as 'YYYY-MM-DD'"), not an opening one
_QUOTED = re.compile(r"(?<!\w)'([^'\n]{4,40})'(?!\w)|(?<!\w)\"([^\"\n]{4,40})\"(?!\w)")
_TOKEN = re.compile(r"\d+|[A-Za-z]+|[^\dA-Za-z]+")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")  # fmt: skip
# Letter runs of a written-out pattern ('YYYY-MM-DD'), and a moment to write an example with.
_PATTERN_PARTS = {
    "YYYY": "%Y", "yyyy": "%Y", "YY": "%y", "yy": "%y", "MM": "%m", "DD": "%d", "dd": "%d",
    "HH": "%H", "hh": "%I", "mm": "%M", "SS": "%S", "ss": "%S", "MMM": "%b", "Mon": "%b",
}  # fmt: skip
_SOME_MOMENT = datetime(2024, 1, 31, 13, 45, 30)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def infer_format(example: str) -> str | None:
    """The `strptime` format that reads `example` ('2024-01-15' → '%Y-%m-%d', '14:05' →
    '%H:%M', '15 Jan 2024' → '%d %b %Y'), or None when it is not a date or time."""
    tokens = _TOKEN.findall(example.strip())
    if not any(t.isdigit() for t in tokens):
        return None
    out = [_word(t) if t.isalpha() else t for t in tokens]
    if any(o is None for o in out):
        return None
    names = [str(o) for o in out]
    _name_times(tokens, names)
    if not _name_dates(tokens, names):
        return None
    fmt = "".join(n if re.fullmatch(r"%[a-zA-Z]", n) else n.replace("%", "%%") for n in names)
    try:
        datetime.strptime(example.strip(), fmt)
    except ValueError:
        return None
    return fmt


def _word(word: str) -> str | None:
    low = word.lower()
    if low in ("am", "pm"):
        return "%p"
    if low in ("t", "z", "utc", "gmt"):
        return word  # the ISO separator, a zone written out
    for full, (long_, short) in ((_MONTHS, ("%B", "%b")), (_DAYS, ("%A", "%a"))):
        if low in full:
            return long_
        if len(low) == 3 and any(f.startswith(low) for f in full):
            return short
    return None


def _name_times(tokens: list[str], names: list[str]) -> None:
    """hh:mm[:ss[.ffffff]] in place ('%I' when an am/pm follows)."""
    twelve = "%p" in names
    for i in range(len(tokens) - 2):
        if tokens[i].isdigit() and tokens[i + 1] == ":" and tokens[i + 2].isdigit():
            names[i] = "%I" if twelve else "%H"
            names[i + 2] = "%M"
            if i + 4 < len(tokens) and tokens[i + 3] == ":" and tokens[i + 4].isdigit():
                names[i + 4] = "%S"
                if i + 6 < len(tokens) and tokens[i + 5] == "." and tokens[i + 6].isdigit():
                    names[i + 6] = "%f"
            return


def _name_dates(tokens: list[str], names: list[str]) -> bool:
    """Year, month and day for the digit runs the time left; False when they are ambiguous in
    a way no reader would guess (no four-digit year and no month name)."""
    free = [i for i, t in enumerate(tokens) if t.isdigit() and not names[i].startswith("%")]
    if not free:
        return True
    has_month = any(n in ("%B", "%b") for n in names)
    years = [i for i in free if len(tokens[i]) == 4]
    if len(years) > 1 or (not years and not has_month):
        return False
    for i in years:
        names[i] = "%Y"
    rest = [i for i in free if i not in years]
    if has_month:
        if len(rest) > 1:
            return False
        for i in rest:
            names[i] = "%d"
        return True
    if len(rest) != 2:
        return False
    a, b = (int(tokens[i]) for i in rest)
    # 2024-01-15 is year, month, day; 31/12/2020 and 12/31/2020 say which is the day; 01/02/2020
    # takes the US reading with slashes, the European one with dots and dashes
    clear = years[0] < rest[0] or a > 12 or b > 12
    day_first = a > 12 if clear else tokens[rest[0] + 1] != "/"
    names[rest[0]], names[rest[1]] = ("%d", "%m") if day_first else ("%m", "%d")
    return True


def pattern_format(pattern: str) -> str | None:
    """The format a written-out pattern means: 'YYYY-MM-DD' → '%Y-%m-%d', 'DD/MM/YY HH:MM' →
    '%d/%m/%y %H:%M' (MM after an hour is minutes); None unless every letter run is a known
    part."""
    out: list[str] = []
    after_hour = False
    for token in _TOKEN.findall(pattern.strip()):
        if not token.isalpha():
            if token.isdigit():
                return None
            out.append(token)
            continue
        part = _PATTERN_PARTS.get(token)
        if token == "MM" and after_hour:
            part = "%M"
        if part is None:
            return None
        after_hour = after_hour or part in ("%H", "%I")
        out.append(part)
    return "".join(out) if sum(p.startswith("%") for p in out) >= 2 else None


def intent_format(intent: str) -> str | None:
    """The format of the one date or time the intent quotes; None for none or several."""
    found = _intent_example(intent)
    return found[1] if found is not None else None


def _intent_example(intent: str) -> tuple[str, str] | None:
    """(the first quoted date or time, its format) when all the intent quotes share one format."""
    found: list[tuple[str, str]] = []
    for a, b in _QUOTED.findall(intent):
        fmt = infer_format(a or b)
        if fmt is not None:
            found.append((a or b, fmt))
        elif (fmt := pattern_format(a or b)) is not None:
            found.append((_SOME_MOMENT.strftime(fmt), fmt))
    return found[0] if found and len({fmt for _, fmt in found}) == 1 else None


def fit_date_formats(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with each `strptime`/`strftime` format that cannot read the intent's example (or
    has no directive) replaced by one that can, and `spans` moved with the text; unchanged
    when nothing applies."""
    if "strptime" not in code and "strftime" not in code:
        return code, spans
    found = _intent_example(intent)
    tree = parse_quietly(code) if found is not None else None
    if tree is None or found is None:
        return code, spans
    example, fmt = found
    where = SourcePositions(code)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        literal = _format_argument(node)
        if literal is None or ("%" in literal.value and _reads(example, literal.value)):
            continue
        start, end = where.extent(literal)
        edits.append((start, end, repr(fmt)))
    # `strftime('2024-01-31')` writes the intent's own example, which is one of its values: the
    # format takes its place, so its span goes (any other span moves with the text)
    spans = tuple(sp for sp in spans if not any(s <= sp[0] and sp[1] <= e for s, e, _ in edits))
    return replace_ranges(code, spans, edits)


def _format_argument(node: ast.AST) -> ast.Constant | None:
    """The format literal of a `….strptime(s, 'fmt')` or `….strftime('fmt')` call."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    at = {"strptime": 1, "strftime": 0}.get(node.func.attr)
    if at is None or len(node.args) <= at:
        return None
    arg = node.args[at]
    ok = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    return arg if ok else None  # type: ignore[return-value]


def _reads(example: str, fmt: str) -> bool:
    try:
        datetime.strptime(example.strip(), fmt)
    except (ValueError, TypeError):
        return False
    return True


_DIRECTIVE = re.compile(r"%[a-zA-Z]")


def intent_formats(intent: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(the date formats the intent gives, quoted ('%d/%m/%Y') or written out ('YYYY-MM-DD'),
    the quoted dates it shows as examples ('2024-01-15'))."""
    formats, examples = set(), []
    for a, b in _QUOTED.findall(intent):
        text = a or b
        if _DIRECTIVE.search(text):
            formats.add(text)
        elif (fmt := pattern_format(text)) is not None:
            formats.add(fmt)
        elif infer_format(text) is not None:
            examples.append(text)
    return frozenset(formats), tuple(examples)


def unasked_output_format(intent: str, nodes: list[ast.AST]) -> str | None:
    """`strptime(s, '%d/%m/%Y').strftime('%m/%d/%y')` under "parse the string `s` as a date
    with the format '%d/%m/%Y'": where the intent gives its formats or example dates, a date
    written out in a format that is none of them and reads none of the examples is not what
    it asked for (the question's own conversion, kept by retrieval)."""
    given: tuple[frozenset[str], tuple[str, ...]] | None = None
    for node in nodes:
        literal = _format_argument(node)
        if literal is None or not isinstance(node, ast.Call) or node.func.attr != "strftime":
            continue
        fmt = literal.value
        if not _DIRECTIVE.search(fmt):
            continue
        if given is None:
            given = intent_formats(intent)
        formats, examples = given
        if (
            (formats or examples)
            and fmt not in formats
            and not any(_reads(e, fmt) for e in examples)
        ):
            return f"writes the date as {fmt!r}, a format the intent never gives"
    return None
