"""The editors' page in a real browser: Debian's chromium, headless, driven by Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_serve import start_server, stop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags chromium keeps trying to reach Google's hosts.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def screenshot(page, folder: Path, name: str) -> Path:
    """Into the test's folder; also into $RETOLD_SCREENSHOTS when set (docs/ keeps one for readers)."""
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("RETOLD_SCREENSHOTS"):
        shutil.copy(path, Path(os.environ["RETOLD_SCREENSHOTS"]) / name)
    return path


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    url, process = start_server(tmp_path_factory.mktemp("page") / "jobs.sqlite3")
    yield url
    stop(process)


@pytest.fixture
def page(page_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(page_url)
        yield page
        browser.close()
        assert not errors


def test_check_marks_the_moved_disarmament_pledge_contradicted(page, source_text, rewrite_text, tmp_path):
    page.get_by_role("tab", name="Check").click()
    page.fill("#ck-source", source_text)
    page.fill("#ck-rewrite", rewrite_text)
    page.get_by_role("button", name="Check", exact=True).click()
    contradicted = page.locator(".sentence.contradicted", has_text="disarm")
    contradicted.first.wait_for(timeout=120_000)
    contradicted.first.click()
    assert page.locator("#detail").inner_text().lower().count("date") >= 1
    evidence = page.locator("#source li.evidence")
    assert evidence.count() >= 1 and "March 2023" in evidence.first.inner_text()
    assert "ensuring regional security" in page.locator("#findings").inner_text()
    assert screenshot(page, tmp_path, "check-page.png").stat().st_size > 10_000


def test_rewrite_with_the_keyboard(page, source_text, tmp_path):
    page.fill("#rw-source", source_text)
    page.select_option("#rw-engine", "rules")
    page.fill("#rw-words", "150")
    page.locator("#rw-keyword").focus()
    page.keyboard.press("Enter")  # submits the form
    page.locator("#rewrite .sentence").first.wait_for(timeout=120_000)
    assert page.locator("#headline").inner_text()
    assert page.locator("#rewrite .sentence.unsupported, #rewrite .sentence.contradicted").count() == 0
    page.locator("#rewrite .sentence").first.focus()
    page.keyboard.press("Enter")
    assert "supported" in page.locator("#detail").inner_text().lower()
    with page.expect_download() as download:
        page.get_by_role("button", name="Markdown").click()
    assert download.value.suggested_filename == "retold-rewrite.md"
    screenshot(page, tmp_path, "rewrite-page.png")


def test_pasted_markup_is_shown_never_run(page):
    hostile = ('<script>window.__ran = 1</script><img src=x onerror="window.__ran = 2"> '
               "The council approved the new budget of 12 million dollars on Monday after a long debate.")
    page.get_by_role("tab", name="Check").click()
    page.fill("#ck-source", hostile)
    page.fill("#ck-rewrite", '<img src=x onerror="window.__ran = 3">The council approved the budget on Monday.')
    page.get_by_role("button", name="Check", exact=True).click()
    page.locator("#rewrite .sentence").first.wait_for(timeout=60_000)
    assert page.evaluate("window.__ran") is None
    assert page.locator("#rewrite img, #source img, #rewrite script, #source script").count() == 0


def test_api_docs_work_offline_behind_the_token(tmp_path):
    """Swagger UI and ReDoc from the package, in a browser that can reach nothing but the server."""
    from playwright.sync_api import sync_playwright

    url, process = start_server(tmp_path / "jobs.sqlite3", RETOLD_API_TOKEN="docs-token")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            context = browser.new_context(http_credentials={"username": "retold", "password": "docs-token"})
            elsewhere, violations = [], []
            context.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(url)
                                                 else (elsewhere.append(route.request.url), route.abort())))
            page = context.new_page()
            # ReDoc's footer logo points at its CDN: the policy blocks that image, and nothing else may be blocked.
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text
                    and not m.text.startswith("Loading the image") else None)
            page.on("pageerror", lambda exc: violations.append(str(exc)))
            assert page.goto(f"{url}/docs").status == 200
            page.locator(".opblock-summary-path", has_text="/v1/check").first.wait_for(timeout=60_000)
            assert page.locator(".opblock-delete").count() >= 1  # DELETE /v1/jobs/{job_id}
            assert page.goto(f"{url}/redoc").status == 200
            page.get_by_text("/v1/rewrite").first.wait_for(state="attached", timeout=60_000)
            browser.close()
        assert not elsewhere and not violations, (elsewhere, violations)
    finally:
        stop(process)
