#!/usr/bin/env python3
"""Keeps the repository self-contained for a reader who has only a clone.

Fails (exit 1, one line per finding: file:line: problem) if a tracked text file
- cites the design by an outside document instead of docs/design.md,
- names a tracker number ("issue" followed by a number),
- names a machine path outside the repository (home or root folders, the
  development machine's work folder; in markdown also the temp folder),
or if a relative link in a markdown file points at a file, folder or heading
anchor that does not exist.

Usage: check_docs.py REPO_ROOT
"""
import os
import re
import subprocess
import sys

# Written so that this file does not match itself.
OUTSIDE_DESIGN = re.compile(r"\bDESIGN(?:\.md\b|\s*\u00a7)")
TRACKER = re.compile(r"\bissues?\s+#?\d", re.IGNORECASE)
# An absolute path starts a word: "${dir}/home/x" or "a/root/b" is relative.
MACHINE_PATH = re.compile(r"(?:^|[\s\"'`(=<\[])/(?:work|home|root)/")
TEMP_PATH = re.compile(r"(?:^|[\s\"'`(=<\[])/tmp/")

FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def tracked_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                             capture_output=True).stdout
        return [f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (an exported tree): every file but build output.
        files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if not x.startswith(("build", ".git")) and x != "data"]
            files += [os.path.relpath(os.path.join(d, n), root) for n in names]
        return files


def read_text(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None  # tracked but deleted in the working tree
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")


def slug(heading):
    """GitHub's anchor for a heading text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links keep their text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors_of(text):
    seen = {}
    out = set()
    in_fence = False
    for line in text.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        m = None if in_fence else HEADING.match(line)
        if not m:
            continue
        s = slug(m.group(2))
        n = seen.get(s, 0)
        seen[s] = n + 1
        out.add(s if n == 0 else f"{s}-{n}")
    return out


def markdown_links(text):
    """(line number, target) of every link outside code."""
    in_fence = False
    for i, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        bare = INLINE_CODE.sub("", line)
        for m in LINK.finditer(bare):
            yield i, m.group(1)
        m = REF_DEF.match(bare)
        if m:
            yield i, m.group(1)


def check_links(root, rel, text, anchor_cache, problems):
    here = os.path.dirname(rel)
    for line, target in markdown_links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # http:, https:, mailto:
        path, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(here, path)) if path else rel
        if dest.startswith(".."):
            problems.append(f"{rel}:{line}: link {target} leaves the repository")
            continue
        full = os.path.join(root, dest)
        if not os.path.exists(full):
            problems.append(f"{rel}:{line}: link {target}: {dest} does not exist")
            continue
        if anchor and dest.endswith(".md"):
            if dest not in anchor_cache:
                anchor_cache[dest] = anchors_of(read_text(full) or "")
            if anchor not in anchor_cache[dest]:
                problems.append(f"{rel}:{line}: link {target}: no heading #{anchor} in {dest}")


def main():
    if len(sys.argv) != 2:
        print("usage: check_docs.py REPO_ROOT", file=sys.stderr)
        return 2
    root = sys.argv[1]
    problems = []
    anchor_cache = {}
    for rel in sorted(tracked_files(root)):
        text = read_text(os.path.join(root, rel))
        if text is None:
            continue
        markdown = rel.endswith(".md")
        for i, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_DESIGN.search(line):
                problems.append(f"{rel}:{i}: cites an outside design document; point at docs/design.md")
            if TRACKER.search(line):
                problems.append(f"{rel}:{i}: tracker number; say what it means for the product")
            if MACHINE_PATH.search(line) or (markdown and TEMP_PATH.search(line)):
                problems.append(f"{rel}:{i}: machine path outside the repository")
        if markdown:
            check_links(root, rel, text, anchor_cache, problems)
    for p in problems:
        print(p)
    print(f"check_docs: {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
