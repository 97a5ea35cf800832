"""The rendered book in a real browser (headless Chromium driven by Playwright).

The HTML in _build/html is served on 127.0.0.1; every page of the book is opened and
checked as a reader would see it: math typeset by the MathJax bundled in the build,
no math errors, every image loaded, navigation links that resolve, and no request to
any host but 127.0.0.1 (the book must work offline).

Without Chromium these tests are skipped with a message saying how to enable them,
except under CI (EMBOOK_REQUIRE_BROWSER=1, set by .ci/run), where a missing browser
is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))
from toc_chapters import toc_notebooks, toc_pages  # noqa: E402

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = os.environ.get("EMBOOK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = (
        "no Chromium found: the rendered-book tests need a browser. Install Debian's "
        "chromium (sudo apt-get install chromium) or point EMBOOK_CHROMIUM at a Chromium "
        "binary, then run `make browser`."
    )
    if os.environ.get("EMBOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (EMBOOK_REQUIRE_BROWSER=1: a missing browser is a failure)")
    pytest.skip(message)


def _pages() -> list[str]:
    """index.html (a redirect to the front page) and every page of the table of contents."""
    return ["index.html"] + TOC_PAGES


#: Every page of _toc.yml, the front page first (the chapters and the pages around them).
TOC_PAGES = [str(p.with_suffix(".html")) for p in toc_pages()]


CHAPTER_PAGES = [str(p.with_suffix(".html")) for p in toc_notebooks()]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML}/index.html is missing: build the book first (make strict-book)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def visit(browser, server):
    """Open a page; return (page, list of off-host requests, list of failed local requests)."""
    contexts = []

    def _visit(relative: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        context.set_default_timeout(60_000)  # a loaded CI machine renders slowly
        page = context.new_page()
        foreign: list[str] = []
        failed: list[str] = []

        def route(r):
            host = urlparse(r.request.url).hostname
            if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
                r.continue_()
            else:
                foreign.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("response", lambda resp: failed.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None)
        page.on("requestfailed", lambda req: None if req.url in foreign else failed.append(f"failed {req.url}"))
        # console errors and uncaught exceptions, read by test_page_logs_no_console_error
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
        page.book_errors = errors  # type: ignore[attr-defined]
        response = page.goto(urljoin(server, relative), wait_until="load")
        assert response is not None and response.ok, f"{relative}: HTTP {response and response.status}"
        return page, foreign, failed

    yield _visit
    for context in contexts:
        context.close()


def _wait_for_math(page) -> None:
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60_000)
    page.evaluate("() => MathJax.startup.promise")


@pytest.mark.parametrize("relative", _pages())
def test_page_is_offline_and_complete(visit, relative):
    page, foreign, failed = visit(relative)
    page.wait_for_load_state("networkidle")
    images = page.evaluate(
        "() => Array.from(document.images).map(i => [i.currentSrc || i.src, i.complete && i.naturalWidth > 0])"
    )
    broken = [src for src, ok in images if not ok]
    assert not broken, f"{relative}: images that did not load: {broken}"
    assert not foreign, f"{relative}: requests to hosts other than 127.0.0.1: {foreign}"
    assert not failed, f"{relative}: failed requests: {failed}"


@pytest.mark.parametrize("relative", _pages())
def test_page_logs_no_console_error(visit, relative):
    # a first visit (empty local storage), as a new reader's: no JavaScript error, no
    # theme warning, no script declared twice, no missing favicon
    page, _, _ = visit(relative)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert not page.book_errors, f"{relative}: {page.book_errors}"
    scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.src + ' ' + s.text.slice(0, 80))")
    assert not [s for s in scripts if "thebe" in s.lower()], f"{relative}: thebe scripts although thebe is off"
    icon = page.evaluate("() => (document.querySelector('link[rel~=icon]') || {}).href || ''")
    assert icon and urlparse(icon).hostname == "127.0.0.1", f"{relative}: no favicon in the build ({icon!r})"


@pytest.mark.parametrize("relative", CHAPTER_PAGES)
def test_chapter_math_is_typeset(visit, relative):
    page, foreign, _ = visit(relative)
    _wait_for_math(page)
    scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.src).filter(s => /mathjax/i.test(s))")
    assert scripts and all(urlparse(s).hostname == "127.0.0.1" for s in scripts), scripts
    n_math = page.locator("mjx-container").count()
    assert n_math > 10, f"{relative}: only {n_math} typeset formulas"
    assert page.locator("mjx-merror").count() == 0, f"{relative}: MathJax reported errors"
    leftover = page.evaluate(
        """() => Array.from(document.querySelectorAll('.math, span.math, div.math'))
                 .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"""
    )
    assert not leftover, f"{relative}: math left as raw TeX: {leftover}"
    prose = page.evaluate(
        """() => Array.from(document.querySelectorAll('article p, article li, article td'))
                 .filter(e => !e.closest('pre, code, .cell_output, .highlight'))
                 .map(e => e.innerText).join('\\n')"""
    )
    for marker in ("$$", "\\(", "\\frac", "\\theta"):
        assert marker not in prose, f"{relative}: raw TeX {marker!r} in the text"
    images = page.evaluate("() => Array.from(document.querySelectorAll('article img')).length")
    assert images >= 1, f"{relative}: a chapter without a single figure"
    assert not foreign, f"{relative}: requests to hosts other than 127.0.0.1: {foreign}"


def test_index_leads_to_the_front_page(visit):
    page, _, _ = visit("index.html")
    page.wait_for_url("**/intro.html", timeout=10_000)
    assert page.locator("h1").first.inner_text().startswith("The EM Book")


def test_navigation_reaches_every_chapter(visit):
    page, _, _ = visit("intro.html")
    hrefs = page.evaluate(
        "() => Array.from(document.querySelectorAll('nav.bd-docs-nav a.reference.internal')).map(a => a.href)"
    )
    paths = {urlparse(h).path.lstrip("/") for h in hrefs}
    for relative in TOC_PAGES[1:]:  # every page but the front page itself
        assert relative in paths, f"the sidebar does not link {relative}: {sorted(paths)}"
    # Next/previous links chain the chapters in order.
    for relative in CHAPTER_PAGES:
        page, _, _ = visit(relative)
        assert page.locator("a.right-next, a.left-prev").count() >= 1, f"{relative}: no prev/next links"


def test_citations_resolve_to_the_bibliography(visit):
    for relative in CHAPTER_PAGES:
        page, _, _ = visit(relative)
        links = page.evaluate(
            "() => Array.from(document.querySelectorAll('article a')).map(a => a.getAttribute('href') || '')"
        )
        assert any("bibliography.html#" in h for h in links), f"{relative}: no citation links to the bibliography"


def test_exercise_solutions_are_hidden(visit):
    for relative in CHAPTER_PAGES:
        page, _, _ = visit(relative)
        solutions = page.locator("details.solution, div.solution.dropdown, .solution.toggle, details.dropdown")
        n = solutions.count()
        assert n >= 1, f"{relative}: no collapsible solutions"
        hidden = page.evaluate(
            """() => Array.from(document.querySelectorAll('details.solution, details.dropdown'))
                      .every(d => !d.open)"""
        )
        assert hidden, f"{relative}: a solution is shown open"


@pytest.mark.parametrize("relative", CHAPTER_PAGES)
def test_every_figure_is_numbered_and_captioned(visit, relative):
    # every image of a chapter (a plot, a frame of an animation) sits in a numbered,
    # captioned figure, and the text refers to each figure by its number
    page, _, _ = visit(relative)
    found = page.evaluate(
        """() => Array.from(document.querySelectorAll('article img')).map(img => {
                 const fig = img.closest('figure');
                 const cap = fig && fig.querySelector('figcaption');
                 return [img.currentSrc || img.src, cap ? cap.innerText.trim() : '', fig ? fig.id : ''];
               })"""
    )
    assert found, f"{relative}: no figure"
    uncaptioned = [src.rsplit("/", 1)[-1][:40] for src, caption, _ in found if not caption.startswith("Fig. ")]
    assert not uncaptioned, f"{relative}: images without a numbered caption: {uncaptioned}"
    numbers = {caption.split()[1] for _, caption, _ in found}
    cited = page.evaluate(
        """() => Array.from(document.querySelectorAll('article a.reference.internal'))
                 .map(a => a.innerText.trim())"""
    )
    for number in numbers:
        assert any(number in c for c in cited), f"{relative}: the text never refers to Fig. {number}"


@pytest.mark.parametrize("relative", TOC_PAGES)
def test_nothing_is_wider_than_the_column(visit, relative):
    # at a 1280-px window: no display equation, code block, output, table or image
    # wider than the text column (none needs sideways scrolling)
    page, _, _ = visit(relative)
    if page.locator("mjx-container").count() or page.locator(".math").count():
        _wait_for_math(page)
    wide = page.evaluate(
        """() => {
             const article = document.querySelector('article.bd-article') || document.querySelector('main');
             const column = article.getBoundingClientRect();
             const out = [];
             const selectors = ['mjx-container[display="true"]', 'div.math', 'pre', 'table', 'img',
                                '.cell_output .output', 'dl', 'figure'];
             for (const e of article.querySelectorAll(selectors.join(','))) {
               const r = e.getBoundingClientRect();
               if (r.width === 0) continue;
               const overflow = e.scrollWidth - e.clientWidth;
               if (overflow > 1 || r.right > column.right + 1 || r.left < column.left - 1) {
                 out.push(`${e.tagName.toLowerCase()} ${Math.round(r.width)} px` +
                          ` (+${Math.max(overflow, Math.round(r.right - column.right))}):` +
                          ` ${(e.innerText || e.getAttribute('src') || '').slice(0, 50)}`);
               }
             }
             return out;
           }"""
    )
    assert not wide, f"{relative}: wider than the column at 1280 px: {wide}"


@pytest.mark.parametrize("relative", CHAPTER_PAGES)
def test_chapter_states_its_reading_and_running_time(visit, relative):
    page, _, _ = visit(relative)
    text = page.locator("article").first.inner_text()
    head = text[:1500]
    assert "Reading time: about" in head and "Running time: about" in head, (
        f"{relative}: no reading and running time under the title"
    )
