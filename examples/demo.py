"""codeqa-lsp demo file: plain-English `# intent:` comments and the code they govern.

Open it in an editor with codeqa-lsp attached, or run `./dev demo` (which runs
`codeqa-lsp check` and `codeqa-lsp suggest` on it). Intents and snippets are CoNaLa training
pairs (Yin et al., MSR 2018; Stack Overflow content, CC BY-SA 4.0) — see ATTRIBUTION.md.
"""

import os


def tidy(a, l, unsorted_list, df, path):
    # intent: prepend string 'hello' to all items in list 'a'
    greeted = ["hello{0}".format(i) for i in a]

    # intent: convert list `l` to dictionary having each two adjacent elements as key/value pair
    pairs = dict(zip(l[::2], l[1::2]))

    # intent: Sort lists in the list `unsorted_list` by the element at index 3 of each list
    unsorted_list.sort(key=lambda x: x[3])

    # intent: replace white spaces in dataframe `df` with '_'
    size = os.path.getsize(path)

    # intent: get modification time of file `path`

    return greeted, pairs, size


# ruff: noqa  # CoNaLa snippets are kept as written (only quotes normalised)
