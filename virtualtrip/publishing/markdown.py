"""Document bodies: Markdown in, HTML that cannot run anything out.

markdown-it with HTML turned off shows raw HTML as text and refuses `javascript:`-style links; nh3
(the ammonia sanitiser) then keeps only an allow-list of tags and attributes, so even a renderer bug
cannot let a script or an event handler through.
"""

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}


def render_markdown(text: str) -> str:
    """Safe HTML for a document body. A heading `#` becomes h2: the page's h1 is the title."""
    html = _renderer.render(text)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


_INLINE = set("\\`*_[]<>|")


def escape_markdown(text: str) -> str:
    """Text that Markdown shows exactly as written (names and titles put into generated documents)."""
    escaped = "".join("\\" + char if char in _INLINE else char for char in text)
    return "\\" + escaped if escaped[:1] in {"#", "-", "+", "="} else escaped
