"""Sphinx extension of The EM Book: author-year labels in the bibliography.

The chapters cite author-year (``{cite:t}`` gives "Do and Batzoglou [2008]"), so the
list at the end is labelled the same way: "Do and Batzoglou, 2008", "Ceppellini et
al., 1955", with a, b, ... after the year when two works share a label. The entries
keep pybtex's ``plain`` formatting and its author-year-title sort. The style is
registered as the pybtex formatting style ``authoryear`` (the plugin mechanism that
sphinxcontrib-bibtex documents for custom styles) and chosen with
``bibtex_default_style: authoryear``.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _surnames(entry: Any) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    # The rich names decode LaTeX ("Capp{\\'e}" is "Cappé") and drop the braces.
    last = [
        Text(" ").join([*person.rich_prelast_names, *person.rich_last_names]).render_as("text") for person in persons
    ]
    if not last:
        return entry.fields.get("key", entry.key)
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Surname, year", "A and B, year", "A et al., year"; a/b/... on ties."""

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterator[str]:
        entries = list(sorted_entries)
        labels = [f"{_surnames(entry)}, {entry.fields.get('year', 'n.d.')}" for entry in entries]
        counts = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if counts[label] > 1:
                yield label + string.ascii_lowercase[seen[label]]
                seen[label] += 1
            else:
                yield label


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` entries, sorted by author, year, title, with author-year labels."""

    default_label_style = AuthorYearLabelStyle


register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)


def setup(app: Any) -> dict:
    return {"parallel_read_safe": True, "parallel_write_safe": True}
