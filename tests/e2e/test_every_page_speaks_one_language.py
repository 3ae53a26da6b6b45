"""Every page in English has no Chinese outside the data, and every page in Chinese no English
sentence outside the data. Data are the strings the database holds (names, reasons, codes)."""

import json
import re
from html.parser import HTMLParser

import pytest
from crawl import DEMO_USERS, crawl, logged_in
from sqlalchemy import String, Text, select

from inventory.db import db

# Each test reaches every page of the demo county, as the crawl of test_every_page does.
pytestmark = pytest.mark.slow

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
#: three or more English words in a row
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}")
#: pages of other projects' text (the API reference is Swagger UI's)
FOREIGN_PAGES = ("/api/v1/docs",)
#: attributes whose text a user reads
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "value")


class _Text(HTMLParser):
    """The text a user reads on a page: text nodes and readable attributes, not scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._other_language: list[str] = []  # open tags marked with another language

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if attributes.get("lang") and tag != "html":  # the language switch names itself
            self._other_language.append(tag)
            self._skip += 1
        for name in READ_ATTRIBUTES:
            if attributes.get(name) and not (name == "value" and attributes.get("type")
                                              in ("hidden", None)):
                self.parts.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if self._other_language and self._other_language[-1] == tag:
            self._other_language.pop()
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _readable(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def _json_strings(text) -> list[str]:
    """The strings inside a JSON object or list held as text; none for other text."""
    if not text or text[:1] not in "{[":
        return []
    try:
        found, stack = [], [json.loads(text)]
    except ValueError:
        return []
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            found.append(value)
    return found


@pytest.fixture(scope="module")
def data_values(demo_app) -> re.Pattern:
    """Every string the demo database holds, longest first, as one pattern."""
    values: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                for value in db.session.scalars(select(column).distinct()):
                    # JSON text (the audit trail's values before and after) holds data too.
                    values.update(leaf for leaf in _json_strings(value) if len(leaf) > 1)
                values.update(value for value in db.session.scalars(select(column).distinct())
                              if value and (len(value) > 1 or HAN.match(value)))
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("|".join(re.escape(value) for value in ordered))


def _pages(app, role: str, language: str):
    client = logged_in(app, *DEMO_USERS[role])
    client.get(f"/lang/{language}")
    return [visit for visit in crawl(app, client).pages()
            if not visit.path.startswith(FOREIGN_PAGES)]


@pytest.mark.parametrize("role", ["admin", "keeper"])
def test_english_pages_have_no_chinese_outside_the_data(demo_app, data_values, role):
    found = set()
    for visit in _pages(demo_app, role, "en"):
        for part in _readable(visit.body.decode()):
            left = data_values.sub(" ", part)
            if HAN.search(left):
                found.add((visit.path.split("?")[0], part[:80]))
    assert sorted(found) == []


@pytest.mark.parametrize("role", ["admin", "keeper"])
def test_chinese_pages_have_no_english_sentence_outside_the_data(demo_app, data_values, role):
    found = set()
    for visit in _pages(demo_app, role, "zh_CN"):
        for part in _readable(visit.body.decode()):
            left = data_values.sub(" ", part)
            if ENGLISH_SENTENCE.search(left):
                found.add((visit.path.split("?")[0], part[:80]))
    assert sorted(found) == []
