"""Opening exported pages in a real browser (headless Chromium through Playwright), offline.

Each page is loaded from disk with networking off and every non-``file:`` request blocked and
recorded. A page passes when it logs no console error, every image loaded and is not blank, it
has tables and each fits the 1280 px viewport, and it asked the network for nothing (all
assets inline). A full-page screenshot is
written next to it (``session_investigation.html`` → ``session_investigation.png``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError

CHROMIUM = Path(os.environ.get("ANALYSIS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

# For each <img>: loaded (decoded, with a size) and blank (every sampled pixel the same colour).
IMAGES_JS = """
async () => {
  const out = [];
  for (const img of Array.from(document.images)) {
    try { await img.decode(); } catch (e) {}
    const loaded = img.complete && img.naturalWidth > 0 && img.naturalHeight > 0;
    let blank = null;
    if (loaded) {
      const canvas = document.createElement("canvas");
      canvas.width = Math.min(img.naturalWidth, 600);
      canvas.height = Math.min(img.naturalHeight, 600);
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      blank = true;
      for (let i = 4; i < data.length; i += 4) {
        if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) {
          blank = false;
          break;
        }
      }
    }
    out.push({alt: img.alt || "", src: img.src.slice(0, 40), loaded: loaded, blank: blank});
  }
  return out;
}
"""


# For each <table>: its width as laid out (scrollWidth, px), its right edge on the page, how
# many rows it has, and whether a box around it had to clip or scroll it (``clipped``: a table
# wider than the column it is in, though inside the viewport; recorded, not a problem).
TABLES_JS = """
() => Array.from(document.querySelectorAll("table")).map((t) => {
  let clipped = false;
  for (let box = t.parentElement; box && box !== document.body; box = box.parentElement) {
    if (box.scrollWidth > box.clientWidth + 1) { clipped = true; break; }
  }
  return {
    width: t.scrollWidth,
    right: Math.round(t.getBoundingClientRect().right + window.scrollX),
    rows: t.rows.length,
    clipped: clipped,
  };
})
"""


@dataclass
class PageCheck:
    """What the browser saw on one page."""

    path: Path
    console_errors: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    tables: int = 0
    table_sizes: list[dict[str, Any]] = field(default_factory=list)  # width, right, rows, clipped
    requests: list[str] = field(default_factory=list)  # non-local URLs asked for (blocked)
    screenshot: Path | None = None

    @property
    def problems(self) -> list[str]:
        found = [f"console error: {e}" for e in self.console_errors]
        found += [
            f"image {i + 1} ({img['alt'] or img['src']}) "
            + ("did not load" if not img["loaded"] else "is blank")
            for i, img in enumerate(self.images)
            if not img["loaded"] or img["blank"]
        ]
        if not self.tables:
            found.append("no table on the page")
        found += [
            f"table {i + 1} is {t['width']} px wide, past the {VIEWPORT['width']} px viewport"
            for i, t in enumerate(self.table_sizes)
            if t["width"] > VIEWPORT["width"] or t["right"] > VIEWPORT["width"]
        ]

        found += [f"asked the network for {url}" for url in self.requests]
        return found


def _playwright() -> Any:
    if not CHROMIUM.is_file():
        raise AnalysisError(
            f"Chromium was not found at {CHROMIUM}: run `make browser` (apt-get install chromium),"
            " or set ANALYSIS_CHROMIUM to a Chromium executable"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise AnalysisError(
            "the playwright package is missing: run `make setup` (or pip install playwright)"
        ) from None
    return sync_playwright


def screenshot_path(page: Path) -> Path:
    return page.with_suffix(".png")


def check_pages(pages: Iterable[Path], screenshots: bool = True) -> list[PageCheck]:
    """Open each HTML file offline in headless Chromium and report what it saw."""
    sync_playwright = _playwright()
    checks: list[PageCheck] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for path in pages:
                checks.append(_check(browser, Path(path).resolve(), screenshots))
        finally:
            browser.close()
    return checks


def _check(browser: Any, path: Path, screenshot: bool) -> PageCheck:
    check = PageCheck(path)
    context = browser.new_context(offline=True, viewport=VIEWPORT, service_workers="block")

    def record(url: str) -> bool:
        """Note a non-local URL once; True when it is local (allowed)."""
        if url.startswith(LOCAL_SCHEMES):
            return True
        if url not in check.requests:
            check.requests.append(url)
        return False

    def route(request_route: Any) -> None:
        if record(request_route.request.url):
            request_route.continue_()
        else:
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda r: record(r.url))
    page.on("console", lambda m: check.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: check.console_errors.append(str(e)))
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")
        check.images = page.evaluate(IMAGES_JS)
        check.tables = page.locator("table").count()
        check.table_sizes = page.evaluate(TABLES_JS)
        if screenshot:
            check.screenshot = screenshot_path(path)
            page.screenshot(path=str(check.screenshot), full_page=True)
    finally:
        context.close()
    return check
