#!/usr/bin/env python3
"""headers.py: no header declares a function defined in a file of another
name.  A reader who finds a declaration in x.h opens x.c for its body;
this lists, for each header in the source folders, the functions it
declares that a .c of another name defines.  Prints TAP; exits 1 when
any is found.

Usage: tests/lint/headers.py [SOURCE_ROOT] [--allow HEADER]...
(a header given with --allow is listed as a skip, not a failure)."""
import os
import re
import sys

FOLDERS = ("libengine", "storage", "netns", "common", "cmd")


def strip(text):
    """TEXT without comments, string and character literals, or
    preprocessor lines (their contents are not declarations)."""
    # One pass, so that "/*" in a string or a quote in a comment is
    # read as what it is in.
    token = re.compile(r"""/\*.*?\*/|//[^\n]*|"(\\.|[^"\\\n])*"|'(\\.|[^'\\\n])*'""", re.S)
    text = token.sub(lambda m: " " if m.group(0)[0] == "/" else '""', text)
    return re.sub(r"^[ \t]*#([^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)


def top_level(text):
    """The statements at brace depth 0, each with the character that ends
    it: ';' for a declaration, '{' for a body (whose contents are
    skipped)."""
    depth, start = 0, 0
    for i, c in enumerate(text):
        if c == "{":
            if depth == 0:
                yield text[start:i], "{"
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                start = i + 1
        elif c == ";" and depth == 0:
            yield text[start:i], ";"
            start = i + 1


NAME = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
SKIP = re.compile(r"^\s*(typedef|static)\b")


def function_name(statement):
    """The function STATEMENT declares or defines, or None (a variable,
    a type, a function pointer)."""
    s = re.sub(r"__attribute__\s*\(\((.*?)\)\)", " ", statement, flags=re.S).strip()
    if not s or SKIP.match(s) or "=" in s.split("(")[0]:
        return None
    m = NAME.search(s)
    if m is None or m.group(1) in ("sizeof", "_Static_assert", "static_assert"):
        return None
    # "int (*fn)(void)" declares a pointer, not a function.
    if re.search(r"\(\s*\*", s[: m.end()]):
        return None
    return m.group(1)


def main(argv):
    root, allowed = ".", set()
    args = iter(argv)
    for a in args:
        if a == "--allow":
            allowed.add(next(args))
        else:
            root = a
    defined = {}  # name -> [folder/file.c]
    declared = []  # (folder/file.h, name)
    for folder in FOLDERS:
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for f in sorted(files):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                if not f.endswith((".c", ".h")):
                    continue
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = strip(fh.read())
                for statement, end in top_level(text):
                    name = function_name(statement)
                    if name is None:
                        continue
                    if f.endswith(".c") and end == "{" and statement.rstrip().endswith(")"):
                        defined.setdefault(name, []).append(rel)
                    elif f.endswith(".h") and end == ";":
                        declared.append((rel, name))
    stray = {}
    for header, name in declared:
        files = defined.get(name, [])
        stem = header[:-2]
        if files and not any(f[:-2] == stem for f in files):
            stray.setdefault(header, []).append((name, files[0]))
    headers = sorted({h for h, _ in declared})
    print(f"1..{len(headers)}")
    failed = 0
    for i, header in enumerate(headers, 1):
        wrong = stray.get(header, [])
        if not wrong:
            print(f"ok {i} - {header}")
            continue
        for name, where in wrong:
            print(f"# {header}: {name} is defined in {where}")
        if header in allowed:
            print(f"ok {i} - {header} # SKIP allowed for now")
        else:
            print(f"not ok {i} - {header}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
