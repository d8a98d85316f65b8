"""Reading rendered pages in tests: the text of elements picked by class or tag."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Collector(HTMLParser):
    def __init__(self, tag: str | None, css_class: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.tag, self.css_class = tag, css_class
        self.open: list[tuple[str, list[str] | None]] = []
        self.found: list[list[str]] = []

    def _matches(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        classes = (dict(attrs).get("class") or "").split()
        return (self.tag is None or tag == self.tag) and (self.css_class is None or self.css_class in classes)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        parts: list[str] | None = None
        if self._matches(tag, attrs):
            parts = []
            self.found.append(parts)
        self.open.append((tag, parts))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            open_tag, _ = self.open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, parts in self.open:
            if parts is not None:
                parts.append(data)


def texts(html: str, *, css_class: str | None = None, tag: str | None = None) -> list[str]:
    """The whitespace-collapsed text of each element with the class and/or tag, in page order."""
    collector = _Collector(tag, css_class)
    collector.feed(html)
    return [" ".join("".join(parts).split()) for parts in collector.found]
