"""Bodies render as Markdown, and nothing in them can run in a reader's browser."""

import pytest

from virtualtrip.publishing.markdown import escape_markdown, render_markdown


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("[click](javascript:alert(1))", "<p>[click](javascript:alert(1))</p>\n"),
        ("[click](JaVaScRiPt:alert(1))", "<p>[click](JaVaScRiPt:alert(1))</p>\n"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"),
        ('<a href="#" onclick="steal()">x</a>', '<p>&lt;a href="#" onclick="steal()"&gt;x&lt;/a&gt;</p>\n'),
        ("![x](data:text/html;base64,PHNjcmlwdD4=)", "<p>![x](data:text/html;base64,PHNjcmlwdD4=)</p>\n"),
        (
            "<iframe src=https://evil.example></iframe>",
            "<p>&lt;iframe src=https://evil.example&gt;&lt;/iframe&gt;</p>\n",
        ),
    ],
)
def test_raw_html_scripts_and_dangerous_links_render_inert(markdown: str, html: str) -> None:
    assert render_markdown(markdown) == html


def test_markdown_renders_with_safe_links_and_the_title_kept_as_the_only_h1() -> None:
    html = render_markdown(
        "# Heading\n\n**Bold** and a [link](https://example.org).\n\n| a | b |\n|---|--:|\n| 1 | 2 |"
    )
    assert html.startswith("<h2>Heading</h2>\n<p><strong>Bold</strong> and a ")
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html
    assert '<td style="text-align:right">2</td>' in html


def test_a_table_cell_keeps_only_its_alignment() -> None:
    assert "position" not in render_markdown("| a |\n|:-:|\n| 1 |").replace("text-align", "")


def test_escaped_text_shows_exactly_as_written() -> None:
    name = "# *Ana* [Minister] <b>"
    assert render_markdown(escape_markdown(name)) == "<p># *Ana* [Minister] &lt;b&gt;</p>\n"
