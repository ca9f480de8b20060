"""The built book: a strict build with no warning, then every page in headless Chromium.

Needs Debian's chromium (/usr/bin/chromium), the playwright Python package (never its own browser
download) and a local MathJax (``npm install --prefix tests/browser``); `.ci/run` installs all three.
The published book loads MathJax from its CDN; here that address is answered from the local copy,
and every other request leaving 127.0.0.1 is refused, so a page that needs the network fails.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import sync_playwright

from .question_bank import load_bank, page_and_anchor, problems
from .site import ROOT, build_book, serve, toc_files

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"  # on PATH
MATHJAX = ROOT / "tests" / "browser" / "node_modules" / "mathjax" / "es5"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/"
SCREENSHOTS = ROOT / "_build" / "screenshots"
# Console messages of the stock theme (pydata-sphinx-theme / sphinx-thebe), not of the book.
ALLOWED_CONSOLE = {
    "Got invalid theme mode: . Resetting to auto.",
    "Identifier 'THEBE_JS_URL' has already been declared",
}
PAGES = toc_files()
NOTEBOOK_PAGES = [page for page in PAGES if (ROOT / f"{page}.ipynb").exists()]


@pytest.fixture(scope="module")
def built_book(tmp_path_factory):
    """``jupyter-book build . -W -n --keep-going``, once for this module, and its wall time."""
    start = time.perf_counter()
    result, html = build_book(tmp_path_factory.mktemp("book"))
    return result, html, time.perf_counter() - start


def test_book_builds_with_no_warning_and_runs_no_notebook(built_book):
    # The build renders the stored outputs: it starts no kernel (which is why it takes seconds,
    # not minutes; a bound on its wall time failed on a loaded machine, so the cause is checked).
    result, html, _ = built_book
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "execution_mode='off'" in result.stdout
    assert not re.search(r"Executing notebook|Starting kernel", result.stdout + result.stderr)
    for entry in PAGES:
        assert (html / f"{entry}.html").exists(), entry
    page = (html / "book" / "01_neurons_and_notation.html").read_text()
    assert 'alt="The running example drawn as circles and lines' in page


@pytest.fixture(scope="module")
def site(built_book):
    assert shutil.which(CHROMIUM), "install Debian's chromium: bash tools/install_test_browser.sh"
    assert (MATHJAX / "tex-mml-chtml.js").exists(), "install MathJax: bash tools/install_test_browser.sh"
    result, html, _ = built_book
    assert result.returncode == 0, "the book did not build (see test_book_builds_with_no_warning)"
    with serve(html) as base_url:
        yield base_url, html


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield chromium
        chromium.close()


def open_page(browser, base_url: str, path: str, width: int = 1280, height: int = 900):
    """Open a page with the network closed except 127.0.0.1 and the local MathJax."""
    context = browser.new_context(viewport={"width": width, "height": height})
    problems: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(CDN):
            request_route.fulfill(path=str(MATHJAX / url[len(CDN):].split("?")[0]))
        elif url.startswith(base_url):
            request_route.continue_()
        else:
            problems.append(f"request to {url}")
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and message.text not in ALLOWED_CONSOLE
            and problems.append(f"console error: {message.text}"))
    page.on("pageerror", lambda error: str(error.message) not in ALLOWED_CONSOLE
            and problems.append(f"page error: {error.message}"))
    page.on("response", lambda response: response.status >= 400
            and problems.append(f"HTTP {response.status} for {response.url}"))
    page.goto(f"{base_url}/{path}", wait_until="networkidle")
    return context, page, problems


def typeset(page) -> None:
    """Wait until MathJax has typeset the page (if it loads MathJax at all)."""
    if page.locator("script[src*='mathjax']").count() == 0:
        return
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")


# What the reader reads: the page's text without code, outputs, typeset math and API signatures
# (those may show a dollar or a backslash on purpose).
READER_TEXT = """() => {
    const body = document.body.cloneNode(true);
    body.querySelectorAll('pre, code, mjx-container, .cell_output, dt.sig, .sig, script, style')
        .forEach(element => element.remove());
    document.documentElement.appendChild(body);  // innerText needs the clone laid out
    body.style.position = 'absolute';
    const text = body.innerText;
    body.remove();
    return text;
}"""
RAW_TEX = re.compile(r"\$|\\\(|\\\[|\\[A-Za-z]+|[_^]\{")  # ... or a TeX sub/superscript brace
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async tags => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations.map(v => v.id + ' (' + v.nodes.length + '): '
        + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


@dataclass
class RenderedPage:
    """What one load of a page in Chromium showed, for the tests of that page."""

    images: list[tuple[str, str]]  # (source, alt text) of each image in the main content
    typeset_formulas: int
    math_errors: int
    reader_text: str
    violations: list[str]  # axe-core's WCAG 2.1 A/AA violations
    problems: list[str]  # console errors, failed requests, requests leaving the machine


@pytest.fixture(scope="module")
def rendered(site, browser):
    """Each page loaded once (typeset, read, audited), the first time a test asks for it: one load
    instead of one for each of the three tests of a page."""
    assert AXE.exists(), "install axe-core: npm install --prefix tests/browser"
    base_url, _ = site
    pages: dict[str, RenderedPage] = {}

    def render(page_path: str) -> RenderedPage:
        if page_path not in pages:
            context, page, problems = open_page(browser, base_url, f"{page_path}.html")
            try:
                typeset(page)
                images = page.eval_on_selector_all("main img", "els => els.map(e => [e.src, e.alt])")
                reader_text = page.evaluate(READER_TEXT)
                formulas, errors = page.locator("mjx-container").count(), page.locator("mjx-merror").count()
                page.add_script_tag(content=AXE.read_text())
                violations = page.evaluate(AXE_RUN, WCAG_21_AA)
                pages[page_path] = RenderedPage([tuple(image) for image in images], formulas, errors,
                                                reader_text, violations, list(problems))
            finally:
                context.close()
        return pages[page_path]

    return render


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_cleanly_with_alt_text_and_typeset_math(rendered, page_path):
    shown = rendered(page_path)
    for source, alt in shown.images:
        assert alt and alt.strip(), f"image without alt text: {source}"
    source_text = (ROOT / f"{page_path}.md").read_text() if (ROOT / f"{page_path}.md").exists() \
        else (ROOT / f"{page_path}.ipynb").read_text()
    if "$" in source_text:
        assert shown.typeset_formulas > 0, "math was not typeset"
    assert shown.math_errors == 0, "MathJax reported an error"
    assert shown.problems == []


def raw_tex(text: str) -> list[str]:
    """Each place in ``text`` where TeX was left untypeset, with a little context."""
    return [text[max(0, m.start() - 40):m.end() + 40].replace("\n", " ")
            for m in RAW_TEX.finditer(text)]


def test_raw_tex_finder():
    assert raw_tex("the cost $C_0$ here") and raw_tex("The output error: \\delta^{[L]}")
    assert raw_tex("see \\(a\\)") and raw_tex("\\[x\\]")
    assert raw_tex("weight (array_like, shape (n_l, n_{l-1}))")  # appendix E's parameter types
    assert raw_tex("costs 5 dollars, a/b and a - y (Q9)") == []


@pytest.mark.parametrize("page_path", PAGES)
def test_no_raw_tex_in_the_rendered_text(rendered, page_path):
    """After MathJax, no `$`, `\\(`, `\\[` or `\\command` is left in the text a reader sees.

    Counting typeset formulas is not enough: a formula broken by its surroundings (display math
    inside a list item, a section title with math used as a link text) shows as raw TeX on a page
    that also has typeset math.
    """
    left = raw_tex(rendered(page_path).reader_text)
    assert left == [], f"raw TeX in {page_path}: " + " | ".join(left)


@pytest.mark.parametrize("page_path", PAGES + ["search"])
def test_page_passes_an_automated_wcag_21_aa_audit(rendered, page_path):
    """axe-core, with the WCAG 2.1 level A and AA rules, finds no violation on the page."""
    shown = rendered(page_path)
    assert shown.violations == [], f"{page_path}: " + "; ".join(shown.violations)
    assert shown.problems == []


def internal_targets(html_dir: Path):
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for anchor in soup.select("main a[href], nav a[href]"):
            href = anchor["href"]
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            yield page, href


def test_every_internal_link_and_anchor_resolves(site):
    _, html = site
    ids_cache: dict[Path, set[str]] = {}
    checked = 0
    for page, href in internal_targets(html):
        path_part, _, fragment = href.partition("#")
        target = (page.parent / path_part).resolve() if path_part else page
        if target.is_dir():
            target = target / "index.html"
        assert target.exists(), f"{page.relative_to(html)}: broken link {href}"
        if fragment and target.suffix == ".html":
            if target not in ids_cache:
                soup = BeautifulSoup(target.read_text(), "html.parser")
                ids_cache[target] = {element["id"] for element in soup.select("[id]")}
            assert fragment in ids_cache[target], f"{page.relative_to(html)}: missing anchor {href}"
        checked += 1
    assert checked > 20


def test_every_question_of_the_bank_links_to_an_anchor_of_the_built_book(built_book):
    result, html, _ = built_book
    assert result.returncode == 0, "the book did not build (see test_book_builds_with_no_warning)"
    bank = load_bank()
    assert len(bank) >= 60
    ids: dict[Path, set[str]] = {}
    for entry in bank:
        assert problems(entry) == [], entry  # among them: an entry without a link fails here
        page, anchor = page_and_anchor(entry)
        target = html / f"{page}.html"
        assert target.exists(), f"{entry['question']!r} links to {page}.html, which the build lacks"
        if target not in ids:
            soup = BeautifulSoup(target.read_text(), "html.parser")
            ids[target] = {element["id"] for element in soup.select("[id]")}
        assert anchor in ids[target], f"{entry['question']!r}: {entry['answer']} has no such anchor"


@pytest.mark.parametrize("page_path", NOTEBOOK_PAGES)
def test_launch_buttons_point_at_this_notebook(site, page_path):
    _, html = site
    soup = BeautifulSoup((html / f"{page_path}.html").read_text(), "html.parser")
    links = [a["href"] for a in soup.select("a[href]")]
    binder = [link for link in links if "mybinder.org/v2/gh/" in link]
    colab = [link for link in links if "colab.research.google.com/github/" in link]
    assert len(binder) == 1 and len(colab) == 1
    repository = re.search(r"url:\s*https://github.com/(\S+)", (ROOT / "_config.yml").read_text()).group(1)
    assert urlparse(binder[0]).path == f"/v2/gh/{repository}/main"
    assert parse_qs(urlparse(binder[0]).query)["urlpath"] == [f"lab/tree/{page_path}.ipynb"]
    assert colab[0].endswith(f"/github/{repository}/blob/main/{page_path}.ipynb")
    assert not soup.select(".btn-download-source-button"), "a download button would leak solutions"


def test_search_finds_a_chapter_by_a_word_in_it(site, browser):
    base_url, _ = site
    context, page, problems = open_page(browser, base_url, "search.html?q=activation")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=20_000)
        page.wait_for_function("() => !document.querySelector('#search-results .search-summary')"
                               " || document.querySelector('#search-results .search-summary')"
                               ".textContent.length > 0")
        results = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.href)")
        assert any("01_neurons_and_notation.html" in href for href in results), results
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("width, height, name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_screenshots_of_home_and_a_chapter(site, browser, width, height, name):
    base_url, _ = site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, path in [("home", "index.html"), ("chapter", "book/01_neurons_and_notation.html")]:
        context, page, problems = open_page(browser, base_url, path, width, height)
        try:
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("() => MathJax.startup.promise")
            target = SCREENSHOTS / f"{label}-{name}.png"
            page.screenshot(path=str(target), full_page=False)
            assert target.stat().st_size > 10_000
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1, (
                f"{path} scrolls sideways at {width}px")
            assert problems == []
        finally:
            context.close()
    shutil.copy(SCREENSHOTS / f"chapter-{name}.png", SCREENSHOTS / f"latest-{name}.png")
