"""Reading a rendered page as a person sees it: visible text, image sources, raw-XML checks."""

import re
from html.parser import HTMLParser

# Elements whose content a person never sees as text.
INVISIBLE = {"script", "style", "template", "noscript", "head", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

# What raw WeChat XML looks like once it has leaked into the page.
XML_IN_HTML = ("&lt;msg", "&lt;appmsg", "&lt;sysmsg", "&lt;?xml", "<?xml", "&lt;revokemsg", "&lt;voicemsg")
XML_IN_TEXT = (
    "<msg",
    "<appmsg",
    "<sysmsg",
    "<![CDATA[",
    "<voicemsg",
    "<videomsg",
    "<emoji",
    "<img ",
    "<refermsg",
    "<revokemsg",
    "<?xml",
    "<title>",
    "<a href",
)


class _Reader(HTMLParser):
    def __init__(self, root_id=None):
        super().__init__(convert_charrefs=True)
        self.root_id = root_id
        self.stack = []  # (tag, visible, inside_root)
        self.text = []
        self.images = []
        self.title = []
        self._in_title = False

    def _state(self):
        return self.stack[-1][1:] if self.stack else (True, self.root_id is None)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        visible, inside = self._state()
        inside = inside or (self.root_id is not None and attrs.get("id") == self.root_id)
        visible = visible and tag not in INVISIBLE and "hidden" not in attrs
        if tag == "title":
            self._in_title = True
        if tag == "img" and visible and inside:
            self.images.append(attrs.get("src") or "")
        if tag in ("br", "p", "div", "li", "article", "section", "header", "footer") and inside:
            self.text.append(" ")
        if tag not in VOID:
            self.stack.append((tag, visible, inside))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break
        if tag in ("p", "div", "li", "article", "section"):
            self.text.append(" ")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        visible, inside = self._state()
        if visible and inside:
            self.text.append(data)


def read(page_html, root_id=None):
    """(visible text with whitespace collapsed, image srcs, document title) of the page or of one element."""
    reader = _Reader(root_id)
    reader.feed(page_html)
    reader.close()
    text = re.sub(r"\s+", " ", "".join(reader.text)).strip()
    return text, reader.images, re.sub(r"\s+", " ", "".join(reader.title)).strip()


def raw_xml_leaks(page_html):
    """Every sign of raw WeChat XML in the HTML or in the text a person sees (empty when clean)."""
    found = [marker for marker in XML_IN_HTML if marker in page_html]
    text, _images, title = read(page_html)
    found += [f"text:{marker}" for marker in XML_IN_TEXT if marker in text]
    found += [f"title:{marker}" for marker in XML_IN_TEXT if marker in title]
    return found


def text_of(page_html, root_id):
    return read(page_html, root_id)[0]
