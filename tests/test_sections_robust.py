"""Robustness: arbitrary text never raises and always gives valid, ordered spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import Document
from plugins.sections import SectionTagger
from plugins.sections.tagger import tag_text

ODD = [
    "",
    " ",
    "\n\n\n",
    " \t \n \f\n",
    "x",
    "One line without newline",
    "\x00\x01\x02 control \x07 chars\n\x1b[31mred\n",
    "标题\n\n这是一个段落。这是第二句话。\n\n第一节\n\n内容。\n",
    "عنوان\n\nهذه فقرة باللغة العربية.\n\nقسم\n\nنص.\n",
    "====\n----\n====\n",
    "```\nunclosed fence\n",
    "- \n* \n1. \n",
    "\f\f\f",
    "[Page 1]\n\fRFC 1  x  y\n",
    "a\rb\rc",
    "\u2028\u2029\x85 separators\n",
]


def _check(text: str) -> None:
    res = tag_text(text)
    prev = 0
    for b in res.blocks:
        assert 0 <= prev <= b.start < b.end <= len(text)
        assert not text[b.start].isspace() and not text[b.end - 1].isspace()
        prev = b.end
    doc = SectionTagger().process(Document(id="d", text=text))
    doc.check()


@pytest.mark.parametrize("text", ODD)
def test_odd_inputs(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aB1 .:-*#=|>\t\n\n\n\f\r()?{};•")) | st.characters(), max_size=400))
def test_random_text(text: str) -> None:
    _check(text)


def test_large_input_is_linear_enough() -> None:
    block = "Heading\n\nA paragraph of text that ends here.\n- item\n\n"
    res = tag_text(block * 5000)
    assert len(res.blocks) >= 10000
