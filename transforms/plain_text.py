"""Answer Markdown as plain text, for word counts and search.

markdown-it-py (the CommonMark parser the points split uses) gives the reference text: the
text and code of every inline token, and the content of code blocks, with whitespace runs
as one space. Parsing every answer with it costs more than the rest of a file's parse, so
this is done with regular expressions instead, and tests compare the two on every real
answer: they differ only on constructs CommonMark resolves by context (an asterisk that
is not emphasis, a list marker inside an indented block).
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n(.*?)(?:^[ ]{0,3}\1[ \t]*$|\Z)", re.M | re.S)
_HEADING = re.compile(r"^[ ]{0,3}#{1,6}(?:[ \t]+(.*?))??(?:[ \t]+#+)?[ \t]*$", re.M)
_LINE_MARK = re.compile(r"^(?:[ ]{0,3}>[ ]?|[ \t]*(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)", re.M)
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*\)")
_CODE = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_EMPHASIS_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_STRONG_UNDERSCORE = re.compile(r"(?<![\w_])__(?=\S)([^\n]+?)(?<=\S)__(?![\w_])")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ESCAPED = 0xE000
"""Escaped punctuation is kept out of the way of the other rules as a private-use
character (U+E000 plus its code), and put back last."""
_UNESCAPE = {_ESCAPED + code: chr(code) for code in range(0x21, 0x7F)}


def plain_text(markdown: str) -> str:
    """The words a reader sees: no heading, quote or list marks, link text without its
    target, no emphasis or code marks, escapes resolved; fenced code kept as written."""
    if "```" not in markdown and "~~~" not in markdown:
        return " ".join(_inline_text(markdown).split())
    parts, end = [], 0
    for fence in _FENCE.finditer(markdown):
        parts += [_inline_text(markdown[end : fence.start()]), fence.group(2)]
        end = fence.end()
    parts.append(_inline_text(markdown[end:]))
    return " ".join(" ".join(parts).split())


def _inline_text(markdown: str) -> str:
    text = markdown
    if "\\" in text:
        text = _ESCAPE.sub(lambda match: chr(_ESCAPED + ord(match.group(1))), text)
    text = _LINE_MARK.sub("", text)
    if "#" in text:
        text = _HEADING.sub(lambda match: match.group(1) or "", text)
    if "`" in text:
        text = _CODE.sub(r"\2", text)
    if "[" in text:
        text = _LINK.sub(r"\1", text)
    text = text.replace("**", "")
    if "*" in text:
        text = _EMPHASIS_STAR.sub(r"\1", text)
    if "_" in text:
        text = _EMPHASIS_UNDERSCORE.sub(r"\1", _STRONG_UNDERSCORE.sub(r"\1", text))
    return text.translate(_UNESCAPE)


def plain_text_commonmark(markdown: str) -> str:
    """The plain text as markdown-it-py's CommonMark parser sees it, an image as its alt
    text: the reference."""
    words: list[str] = []
    for token in _commonmark().parse(markdown):
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline", "image"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            words.append(" ")
        elif token.type in ("code_block", "fence"):
            words.append(token.content + " ")
    return " ".join("".join(words).split())


@lru_cache(maxsize=1)
def _commonmark() -> MarkdownIt:
    return MarkdownIt("commonmark")
