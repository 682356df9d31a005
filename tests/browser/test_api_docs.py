"""The API's docs work with no internet (issue 24): Swagger UI and ReDoc from the app's own files, an Authorize button."""

from __future__ import annotations

from tests.browser.conftest import screenshot


def test_the_docs_render_with_every_outside_address_refused(live, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside: list[str] = []

    def only_the_app(route) -> None:  # no CDN, no font service: what an offline deployment sees
        if route.request.url.startswith(live.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_app)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live.url}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "reassess" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.get_by_role("button", name="Authorize").count() == 1
    assert page.locator(".opblock-tag").count() >= 5  # the operations, by tag
    screenshot(page, "api-docs", "01-swagger-offline")
    page.goto(f"{live.url}/redoc")
    page.wait_for_selector("h1")
    assert "reassess" in page.locator("h1").first.inner_text()
    screenshot(page, "api-docs", "02-redoc-offline")
    assert not outside, outside
    # ReDoc's "API docs by Redocly" badge points at a logo on its CDN: the CSP blocks it before any request, and the page
    # works without it. Anything else the policy blocked would be a part of the docs missing.
    assert not [e for e in errors if "Content Security Policy" in e and "cdn.redoc.ly/redoc/logo-mini.svg" not in e], errors
    context.close()
