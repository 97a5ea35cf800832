"""Sphinx extension of The EM Book: pages that load no unused or off-host script.

* Interactive cells (thebe) are off in this book, yet sphinx-thebe adds its
  configuration script (which names a bundle on unpkg.com) to every page, twice
  when Sphinx reads the sources in more than one pass; the second copy redeclares a
  ``const`` and raises a JavaScript error. Both scripts and the stylesheet are
  dropped from every page.
* The theme's default colour mode is set ("auto": follow the reader's system), so
  that a first visit does not log an invalid empty mode.
"""

from __future__ import annotations

from typing import Any

_THEBE_FILES = ("sphinx-thebe.js", "sphinx-thebe.css")


def _is_thebe(asset: Any) -> bool:
    filename = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return filename.endswith(_THEBE_FILES) or "THEBE_JS_URL" in body or "thebe" in filename.rsplit("/", 1)[-1]


def _page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]
    if not context.get("default_mode"):  # the theme reads it from the page context
        context["default_mode"] = "auto"


def setup(app: Any) -> dict:
    app.connect("html-page-context", _page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
