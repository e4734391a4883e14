"""Sections that separate benchmark commands own inside docs/benchmarks.md:
cdc (bench/cdc.sh), presence (bench/presence.sh), authorization
(bench/authorization.sh) and cluster (bench/cluster.sh).

Each lies between "<!-- NAME:begin ... -->" and "<!-- NAME:end -->". A command
replaces its own section (or appends it at the end of the page); bench/report.py,
which rewrites the page, keeps every section it finds.
"""
import os
import re

SECTION_RE = re.compile(r"<!-- (\w+):begin[^>]*-->.*?<!-- \1:end -->", re.S)


def begin_marker(name, command):
    return f"<!-- {name}:begin ({command} writes this section; bench/report.py keeps it) -->"


def end_marker(name):
    return f"<!-- {name}:end -->"


def kept_sections(md_path):
    """Every owned section of the page, in page order, as text blocks."""
    if not os.path.exists(md_path):
        return []
    return [m.group(0) for m in SECTION_RE.finditer(open(md_path).read())]


def replace_section(md_path, name, command, body_lines):
    """Writes section `name` (body_lines between its markers) into the page,
    in place of its earlier text, or at the end."""
    if not md_path or not os.path.exists(md_path):
        return
    text = open(md_path).read()
    block = "\n".join([begin_marker(name, command), "", *body_lines, "", end_marker(name)])
    pattern = re.compile(rf"<!-- {name}:begin[^>]*-->.*?<!-- {name}:end -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    with open(md_path, "w") as f:
        f.write(text)
