"""Text that people typed, made safe to put inside the HTML or Markdown of a pane.

Panel's HTML, Markdown, Alert and Str panes all end up as the `innerHTML` of an element, and
Markdown lets raw HTML through. A design name, a scope, an argument value, a folder or class
name read from disk, or an error message quoting one of them is shown to everyone who opens a
shared workspace: put in as it is, `<img src=x onerror=...>` would run in their browsers.
Every such text goes through one of these functions; the reader still sees it as typed
(`a_b & c` stays `a_b & c`).
"""

from __future__ import annotations

import html
import re

# Characters HTML would read as markup, written as entities (quotes are plain text here).
_HTML = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# Characters Markdown may read as markup (code, emphasis, links, tables, strikethrough, math,
# a heading at the start of a line), backslash-escaped: CommonMark takes `\` before any ASCII
# punctuation as that character. Others ('.', '/', quotes...) show as typed and stay as they
# are, so that a message holding no markup reads the same in the page's source and in tests.
_MARKDOWN = {c: "\\" + c for c in "\\`*_[]|~$#"}
_MARKDOWN_TEXT = str.maketrans({**_MARKDOWN, **_HTML})


def html_text(value: object) -> str:
    """`value` as HTML text: shown as typed, never read as a tag or attribute."""
    return html.escape(str(value))


def markdown_text(value: object) -> str:
    """`value` as Markdown text: shown as typed, never read as HTML or as Markdown syntax.

    >>> print(markdown_text("<b>a_b & *c*"))
    &lt;b&gt;a\\_b &amp; \\*c\\*
    """
    return str(value).translate(_MARKDOWN_TEXT)


def markdown_code(value: object) -> str:
    """`value` in Markdown as inline code, shown as typed whatever backticks it holds."""
    return f"<code>{markdown_text(value)}</code>"


def code_fence(code: str, language: str = "python") -> str:
    """`code` as a fenced Markdown block that no run of backticks inside it can close."""
    longest = max((len(run) for run in re.findall("`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code}\n{fence}"


def markdown_message(text: object) -> str:
    """A message for Markdown whose `backticked` parts show as code and the rest as plain
    text, all of it as typed: a name quoted in it is never read as HTML or Markdown.

    >>> print(markdown_message("Scope `a_b` of <i>"))
    Scope <code>a\\_b</code> of &lt;i&gt;
    """
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # A backtick left open: none of them marks code.
        return markdown_text(text)
    return "".join(markdown_code(p) if odd % 2 else markdown_text(p) for odd, p in enumerate(parts))
