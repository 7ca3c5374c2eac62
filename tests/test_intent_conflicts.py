"""Candidates that do the opposite of the intent, or harm it never asked for, fail the check;
a block that does both sides, or an intent that names both, is left alone."""

from __future__ import annotations

import pytest
from codeqa_model.api_check import ApiChecker
from codeqa_model.api_table import ApiTable
from codeqa_model.intent_conflicts import asked_extremes

TABLE = ApiTable(
    {
        "base64": {"b64encode": ["f", "s, altchars=..."], "b64decode": ["f", "s, altchars=..."]},
        "json": {
            "loads": ["f", "s, *, cls=..., **kwds"],
            "dumps": ["f", "obj, *, indent=..., **kw"],
            "load": ["f", "fp, *, cls=..., **kwds"],
            "dump": ["f", "obj, fp, **kw"],
        },
        "random": {
            "randint": ["f", "a, b"],
            "uniform": ["f", "a, b"],
            "sample": ["f", "population, k, *, counts=..."],
        },
        "re": {
            "findall": ["f", "pattern, string, flags=..."],
            "match": ["f", "pattern, string, flags=..."],
        },
        "datetime": {"datetime": ["c", "year, month, day"]},
        "datetime.datetime": {"strptime": ["f", "date_string, format, /"]},
        "hashlib": {
            "md5": ["f", "string=b''"],
            "sha256": ["f", "string=b''"],
            "new": ["f", "name, data=b''"],
        },
        "cmath": {"sqrt": ["f", "z, /"]},
        "venv": {"create": ["f", "env_dir, system_site_packages=..."]},
        "unittest": {"main": ["f", "module=..., defaultTest=..., argv=..."]},
        "zlib": {"compress": ["f", "data, /, level=..."], "decompress": ["f", "data, /"]},
        "os": {
            "remove": ["f", "path"],
            "path": ["m", "posixpath"],
            "system": ["f", "command"],
            "walk": ["f", "top"],
            "makedirs": ["f", "name, mode=..., exist_ok=..."],
            "removedirs": ["f", "name"],
            "rmdir": ["f", "path"],
            "listdir": ["f", "path=..."],
        },
        "posixpath": {"join": ["f", "a, /, *paths"]},
        "shutil": {
            "rmtree": ["f", "path, ignore_errors=..."],
            "copy": ["f", "src, dst"],
            "copytree": ["f", "src, dst"],
        },
        "subprocess": {
            "run": ["f", "args, *, shell=..., capture_output=..."],
            "check_output": ["f", "args, *, shell=..."],
        },
        "builtins": {
            "open": ["f", "file, mode=..., buffering=..., encoding=..."],
            "int": ["c", "x, /, base=..."],
            "max": ["f", "*args, key=..."],
            "min": ["f", "*args, key=..."],
        },
    },
    instances={
        "str": {
            "encode": ["f", "encoding=..., errors=..."],
            "lower": ["f", ""],
            "upper": ["f", ""],
            "split": ["f", "sep=..., maxsplit=..."],
            "title": ["f", ""],
            "isdigit": ["f", ""],
            "isalpha": ["f", ""],
            "isupper": ["f", ""],
            "count": ["f", "sub, start=..., end=..., /"],
            "endswith": ["f", "suffix, start=..., end=..., /"],
            "rstrip": ["f", "chars=..., /"],
        }
    },
)
CHECKER = ApiChecker(TABLE)


@pytest.mark.parametrize(
    ("intent", "code", "why"),
    [
        ("encode string `s` as base64", "base64.b64decode(s.encode('ascii'))", "b64decode"),
        ("decode base64 string `s`", "base64.b64encode(s)", "b64encode"),
        ("compress bytes `data`", "zlib.decompress(data)", "decompress"),
        ("convert `s` to lowercase", "s.upper()", "upper"),
        ("get the largest number in `xs`", "min(xs)", "min"),
        ("parse json string `text`", "json.dumps(text)", "json.dumps"),
        ("write dict `d` to json file 'out.json'", "json.loads(d)", "json.loads"),
        ("read csv file 'data.csv'", "shutil.rmtree('data.csv')", "deletes"),
        ("read the lines of 'notes.txt'", "open('notes.txt', 'w').readlines()", "mode 'w'"),
        ("join path `base` and 'data.csv'", "os.path.join(base, *'data.csv')", "per letter"),
        ("read json file 'data.json'", "json.loads('data.json')", "not JSON"),
        ("run command 'ls -l' and capture its output", "subprocess.check_output('ls -l')", "shell"),
        ("convert integer `n` to a binary string", "int(n, 2)", "base"),
        ("append line 'done' to file 'log.txt'", "str.append('done')", "no attribute"),
        ("filter list `nums` to keep even numbers", "filter.filter(nums)", "no attribute"),
        ("the digits at the start of `s`", r"re.match(r'\d+', s).group(1)", "0 group(s)"),
        ("get key 'port' of dict `config`", "dict.get('port', config)", "where the dict goes"),
        ("check if string `s` contains 'error'", "s.encode('error')", "no text encoding"),
        ("hex of string `s`", "s.encode('hex')", "no text encoding"),
        ("the sha256 hex digest of string `s`", "hashlib.md5(s.encode()).hexdigest()", "sha256"),
        ("write string `s` to file 'out.txt'", "open('out.txt', 'w').write('s\\n')", "variable"),
        ("check if string `s` contains 'error'", "any(e in s for e in 'error')", "letters"),
        ("find doubled words like 'the the' in `text`", "re.findall('the the', text)", "example"),
        ("generate a random float between 5 and 10", "random.randint(5, 10)", "asks for a float"),
        ("get the words of `s` as a string", "s.split()", "gives a list"),
        ("make string `s` title case", "s.upper()", "title-case"),
        ("a random sample of 3 items from list `xs`", "random.sample(range(3), xs)", "as 'k'"),
        ("the day of the week of date `d`", "d.today().strftime('%A')", "ignores `d`"),
        ("pretty print dict `d` as json", "d = {'apple': 1}\nprint(json.dumps(d))", "made-up"),
        ("the day of the week of date `d`", "len('today')", "uses none of `d`"),
        ("parse time `hhmm` like '14:05'", "datetime.datetime.strptime(hhmm, hhmm)", "2 times"),
        ("join path `base` and 'data.csv'", "os.path.join(base, 'data.csv', 'data.csv')", "once"),
        ("create directory 'out/logs' with parents", "os.system('out/logs')", "as a command"),
        ("compute the square root of `x`", "cmath.sqrt(x)", "complex"),
        ("create directory 'out' with parents", "venv.create('out')", "virtual environments"),
        ("take the numbers from `nums` while positive", "unittest.main(nums)", "unit tests"),
        ("the md5 of string `s`", "hashlib.md5(open(s, 'rb').read()).hexdigest()", "file name"),
        ("convert list `xs` to a set", "unique = list(set(xs))", "gives a list"),
        ("encode string `s` as base64", "s.encode('utf8')", "uses no base64"),
        ("find the numbers in `s` with regex", "[c for c in s if c.isdigit()]", "uses no re"),
        ("convert dict `d` to json", "str(d)", "uses no json"),
        ("generate a random uuid string", "str(random.randint(0, 9))", "uses no uuid"),
        ("read yaml file 'c.yaml' into a dict", "eval(open('c.yaml').read())", "uses no yaml"),
        ("the sha512 hex digest of bytes `b`", "hex(int.from_bytes(b, 'big'))", "uses no hashlib"),
        ("url-encode the string `q`", "q.encode('utf-8')", "uses no urllib"),
        ("create directory 'build/tmp' with parents", "os.walk('build/tmp')", "creates none"),
        ("remove folder 'tmp' and everything in it", "os.removedirs('tmp')", "empty directory"),
        (
            "copy directory 'src' with its contents to 'bak'",
            "shutil.copy('src', 'bak')",
            "one file",
        ),
        ("remove the last element of list `stack`", "stack.remove(6)", "no such number"),
        ("remove the last element of list `stack`", "stack.pop(-2)", "no such number"),
        ("remove the last element of list `a`", "if a in a:\n    a.remove(0)", "with itself"),
        ("remove the last element of list `a`", "a.remove(a)", "its own method"),
        ("convert float `f` to int", "float(int(f))", "asks for an int"),
        ("append string `line` to file 'log.txt'", "line in open('log.txt').read()", "nothing"),
        ("check if string `s` is empty", "s.isdigit()", "tests isdigit()"),
        ("check if number `n` is even", "n.isdigit()", "tests isdigit()"),  # the type noun
        ("check if `x` is None", "isinstance(x, int)", "whether a value is int"),
        ("check if `s` is a palindrome", "isinstance(s, (str, bytes))", "bytes or str"),
        ("get the maximum key in dict `d`", "d.keys()", "finds no maximum"),
        ("make a deep copy of dict `config`", "config.copy()", "only the outer container"),
        ("count the characters in string `s`", "s.count('Hello')", "no such text"),
        ("insert 0 at the beginning of list `nums`", "nums.insert(0, 'foo')", "'foo'"),
        ("count the files in directory 'data'", "'abcdabcva'.count('data')", "'abcdabcva'"),
        ("get the name from dict `d`", "d.get('somekey')", "'somekey'"),
        (
            "join path 'data' and 'file.txt'",
            "open(os.path.join('data', 'file.txt'))",
            "opens a file",
        ),
        ("check if string `s` ends with a newline", "s.endswith(('.mp3', '.avi'))", "'.mp3'"),
        ("find the shortest word in `words`", "words.split()", "finds no minimum"),
        ("check if key `k` exists in dict `d`", "k in list(d.values())", "a dict's values"),
        ("get the largest value in the dict `d`", "max(d)", "reads the keys of `d`"),
        ("sum the values of the dict `prices`", "sum(prices)", "reads the keys of `prices`"),
        ("get the length of the string `s`", "max(len(w) for w in s)", "takes the maximum"),
        ("check if key 'name' is in dict `d`", "any(x['name'] == 'Test' for x in d)", "'Test'"),
        ("least common multiple of 4 and 6", "[('Jellicle', 6), ('Cats', 5)]", "'Jellicle'"),
        ("sum the numbers 1 to 10", "[1, 2, 3]", "only writes 2"),
        ("read 'data.csv' into dataframe `df`", "df.to_csv('data.csv')", "to_csv, which writes"),
        ("check if `row` has a name", "row.name != 'unknown'", "compares `row` with 'unknown'"),
        ("get the average of the list `nums`", "min(x for x in nums if x > 2)", "the minimum"),
    ],
)
def test_a_contradicting_candidate_fails_and_says_why(intent: str, code: str, why: str) -> None:
    result = CHECKER.check(code, intent=intent)
    assert not result.ok
    assert why in (result.reason or "")


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("encode string `s` as base64", "base64.b64encode(s.encode('ascii'))"),
        ("decode then encode `s`", "base64.b64encode(base64.b64decode(s))"),
        ("convert `s` to lowercase", "s.lower()"),
        ("difference between the largest and smallest of `xs`", "max(xs) - min(xs)"),
        ("cap `x` at a maximum of 10", "min(x, 10)"),
        ("get the largest value in the dict `d`", "max(d.values())"),
        ("get the key with the largest value in dict `d`", "max(d, key=d.get)"),
        ("get the largest key in the dict `d`", "max(d)"),
        ("get the largest value in the list `d`", "max(d)"),  # not a dict
        # a max or min as a step: a range, a bound, a size to pad to, the most common
        ("get the range of the list `xs`", "max(xs) - min(xs)"),
        ("check if the string `s` is 'yes'", "s == 'yes'"),  # the intent's own text
        ("make a list of 1, 2 and 3", "[1, 2, 3]"),  # data the intent gives
        ("read 'a.txt' and write it to 'b.txt'", "open('b.txt', 'w').write(open('a.txt').read())"),
        ("make an empty dict", "{}"),
        ("check if the string `s` is empty", "s == ''"),
        ("check if `x` is positive", "y = 'abc'\ny == 'abc' and x > 0"),  # not the user's
        ("clamp `x` between 0 and 100", "max(0, min(x, 100))"),
        ("pad the strings `ws` to the same width", "[w.ljust(max(map(len, ws))) for w in ws]"),
        ("get the mode of the list `xs`", "max(set(xs), key=xs.count)"),
        ("normalize the list `xs` to 0..1", "[(x - min(xs)) / (max(xs) - min(xs)) for x in xs]"),
        ("parse json string `text`", "json.loads(text)"),
        (
            "read json 'a.json' and write it pretty to 'b.json'",
            "json.dump(json.load(open('a.json')), open('b.json', 'w'))",
        ),
        ("write dict `d` to json file 'out.json'", "json.dump(d, open('out.json', 'w'))"),
        ("delete file 'tmp.txt'", "os.remove('tmp.txt')"),
        ("read the lines of 'notes.txt'", "open('notes.txt').readlines()"),
        ("copy the lines of 'a.txt' into 'b.txt'", "open('b.txt', 'w').writelines(open('a.txt'))"),
        ("parse json string '[1, 2]'", "json.loads('[1, 2]')"),
        ("run command 'ls -l'", "subprocess.run('ls -l', shell=True)"),
        ("run command 'ls'", "subprocess.run('ls')"),
        ("parse the binary string `s` to an integer", "int(s, 2)"),
        ("join list `xs` with commas", "str.join(',', xs)"),
        ("keys of list `xs`", "dict.fromkeys(xs)"),
        ("sort list `list` in place", "list.sort()"),  # the user's `list`, not the builtin
        ("the digits at the start of `s`", r"re.match(r'(\d+)', s).group(1)"),
        ("string `s` as utf-8 bytes", "s.encode('utf-8')"),
        ("string `s` as bytes", "s.encode('latin-1', 'ignore')"),
        ("the sha256 hex digest of string `s`", "hashlib.sha256(s.encode()).hexdigest()"),
        ("the sha256 hex digest of string `s`", "hashlib.new('sha256', s.encode()).hexdigest()"),
        ("count the vowels in string `s`", "sum(c in 'aeiou' for c in s)"),
        ("is any character of 'xyz' in string `s`", "any(c in s for c in 'xyz')"),
        ("generate a random float between 5 and 10", "random.uniform(5, 10)"),
        ("convert string `s` to a list", "s.split(',')"),
        ("make string `s` title case", "s.title()"),
        ("create dict `d` with key 'a' set to 1", "d = {'a': 1}"),
        ("a random sample of 3 items from list `xs`", "random.sample(xs, 3)"),
        ("parse a date like '2024-01-31'", "datetime.datetime.strptime('2024-01-31', '%Y-%m-%d')"),
        ("join path `base` and 'data.csv'", "os.path.join(base, 'data.csv')"),
        ("group list `it` into pairs", "list(zip(it, it))"),  # the grouper idiom
        ("join 'a' with 'a'", "os.path.join('a', 'a')"),  # the intent gives it twice
        ("run 'make all' in a shell", "os.system('make all')"),
        ("square root of the complex number `z`", "cmath.sqrt(z)"),
        ("create a virtual environment in directory 'env'", "venv.create('env')"),
        ("run the unit tests of module `m`", "unittest.main(m)"),
        ("take screenshot 'screen.png'", "os.system('screencapture screen.png')"),
        ("the md5 of file `s`", "hashlib.md5(open(s, 'rb').read()).hexdigest()"),
        ("read the file named by string `s`", "open(s).read()"),
        ("convert list `xs` to a set", "unique = set(xs)"),
        ("encode string `s` as base64", "base64.b64encode(s.encode())"),
        ("find the numbers in `s` with regex", "re.findall(r'\\d+', s)"),
        ("write dataframe `df` to csv 'a.csv'", "df.to_csv('a.csv')"),
        ("count the lines of csv file 'a.csv'", "sum(1 for _ in open('a.csv'))"),
        ("create directory 'build/tmp' with parents", "os.makedirs('build/tmp')"),
        ("create directory 'out' if it does not exist", "os.makedirs('out', exist_ok=True)"),
        ("remove folder 'tmp' and everything in it", "shutil.rmtree('tmp')"),
        ("remove empty folder 'tmp'", "os.rmdir('tmp')"),
        ("copy directory 'src' with its contents to 'bak'", "shutil.copytree('src', 'bak')"),
        ("copy file 'a.txt' to directory 'b'", "shutil.copy('a.txt', 'b')"),
        ("remove the last element of list `stack`", "stack.pop()"),
        ("remove the last element of list `stack`", "stack.pop(-1)"),
        ("pop the third item of list `xs`", "xs.pop(2)"),  # the third is at index 2
        ("split string `s` into two parts at the first space", "s.split(' ', 1)"),
        ("insert 7 at the start of list `xs`", "xs.insert(0, 7)"),
        ("convert float `f` to int", "int(f)"),
        ("convert string list `s` to float list", "[float(i) for i in s]"),
        ("parse string `s` to float or int", "int(s)"),
        ("append 3 to list `xs`", "xs + [3]"),
        ("append string `line` to file 'log.txt'", "open('log.txt', 'a').write(line)"),
        ("append string `line` to file 'log.txt'", "print(line, file=open('log.txt', 'a'))"),
        ("check if string `s` contains only digits", "s.isdigit()"),
        ("check if string `s` is a number", "s.isdigit()"),
        ("check if all characters of `s` are letters", "s.isalpha()"),
        ("does `s` have any upper case letters", "any(c.isupper() for c in s)"),
        ("check if `x` is a string", "isinstance(x, str)"),
        ("check the type of `v`", "isinstance(v, dict)"),
        ("get the maximum key in dict `d`", "max(d)"),
        ("make a deep copy of dict `config`", "import copy\nnew = copy.deepcopy(config)"),
        ("make a shallow copy of dict `config`", "config.copy()"),
        ("count 'ab' in string `s`", "s.count('ab')"),
        ("get key 'name' of dict `d` with default 'unknown'", "d.get('name', 'unknown')"),
        ("insert 'a' at position 2 in list `xs`", "xs.insert(2, 'a')"),
        ("split 'a,b' on commas", "'a,b'.split(',')"),
        ("read file 'a.txt' as a string", "open('a.txt').read()"),
        ("get the md5 of the contents of 'a.bin'", "hashlib.md5(open('a.bin', 'rb').read())"),
        ("check if string `s` ends with .py", "s.endswith('.py')"),
        ("remove the trailing newline from `line`", "line.rstrip('\\n')"),
        ("split `row` on ', '", "row.split(', ')"),
        ("find the longest word in `words`", "sorted(words, key=len)[-1]"),
        ("get the 3 most common words in counter `tally`", "tally.most_common(3)"),
        ("check if key `k` exists in dict `d`", "k in d"),
        ("get the key of the largest value in dict `d`", "max(d, key=d.get)"),
        ("get the keys of dict `d` whose values are over 3", "[k for k, v in d.items() if v > 3]"),
        ("sort the keys of dict `d` by value", "sorted(d.keys(), key=d.get)"),
        (
            "split `s` into chunks of at most 10 characters",
            "[s[i:i + 10] for i in range(0, len(s), 10)]",
        ),
    ],
)
def test_code_that_does_what_is_asked_passes(intent: str, code: str) -> None:
    result = CHECKER.check(code, intent=intent)
    assert result.ok, result.reason


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("generate a random uuid string", "str(uuid.uuid4())"),
        ("read yaml file 'c.yaml' into a dict", "yaml.safe_load(open('c.yaml'))"),
        ("the sha512 hex digest of bytes `b`", "hashlib.sha512(b).hexdigest()"),
        ("url-encode the string `q`", "urllib.parse.quote(q)"),
        ("create a zip archive 'out' of folder 'd'", "shutil.make_archive('out', 'zip', 'd')"),
        ("encode string `s` as base64", "codecs.encode(s.encode(), 'base64')"),
    ],
)
def test_code_using_the_module_the_intent_names_passes(intent: str, code: str) -> None:
    result = ApiChecker(None).check(code, intent=intent)
    assert result.ok, result.reason


def test_the_greatest_common_divisor_is_no_extreme() -> None:
    assert asked_extremes("get the greatest common divisor of `a` and `b`") == ()
    assert asked_extremes("the lowest common denominator of `a` and `b`") == ()
    assert asked_extremes("get the greatest number in `xs`") == ("max",)
