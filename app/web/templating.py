"""The Jinja2 environment: gettext for the request's language, Babel formatting, shared globals."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import i18n
from app.organizations.labels import sector_label, size_label
from app.web.csrf import csrf_field_value
from app.web.presenters import change_mark, level_badge, target_value

WEB_DIR = Path(__file__).resolve().parent
TEMPLATE_DIRS = [WEB_DIR / "templates", *sorted(p / "templates" for p in WEB_DIR.parent.glob("*/") if (p / "templates").is_dir() and p != WEB_DIR)]

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader([str(d) for d in TEMPLATE_DIRS]),
    autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
    extensions=["jinja2.ext.i18n"],
    auto_reload=False,  # templates change with a release, not while serving: no file checks on every page
)
templates = Jinja2Templates(env=env)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
env.globals.update(
    format_number=i18n.format_number,
    format_percent=i18n.format_percent,
    format_signed=i18n.format_signed,
    format_date=i18n.format_date,
    format_datetime=i18n.format_datetime,
    language_name=i18n.language_name,
    text_direction=i18n.text_direction,
    get_locale=i18n.get_locale,
)
env.policies["ext.i18n.trimmed"] = True


def compile_all() -> int:
    """Compile every template now, as `reassess serve` does at start (about 0.7 s for 70 templates), so that the first
    page or report after a start does not wait for it: a partner report's three templates took about 0.1 s to compile.
    Returns how many there are. The environment keeps them all (its cache holds 400)."""
    names = env.list_templates()
    for name in names:
        env.get_template(name)
    return len(names)


def t(text: Any) -> str:
    """An instrument Text in the current language."""
    if text is None:
        return ""
    lang = i18n.get_locale()
    if lang not in text.root:  # a version without the language: its source text, counted as a fallback
        shown = text.get(lang)
        i18n.count_fallback(lang, shown)
        return shown
    return text.get(lang)


env.filters["t"] = t


def lang_url(request: Request, code: str) -> str:
    """The current page in another language (?lang= replaced, every other parameter kept)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "flash")]
    return str(request.url.path) + "?" + urlencode([*params, ("lang", code)])


env.globals["lang_url"] = lang_url

env.globals.update(level_badge_html=level_badge, change_html=change_mark, sector_label=sector_label, size_label=size_label,
                   target_value=target_value)
# The domain's helpers that templates call (cycle_state, is_backbone_admin) are added by app.main.create_app: this shared
# base imports no service and no permission code.


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    ctx: dict[str, Any] = {
        "request": request,
        "lang": i18n.get_locale(),
        "principal": getattr(request.state, "principal", None),
        "csrf_token": csrf_field_value(request),
        "languages": request.app.state.settings.locales,
        "flash": request.query_params.get("flash"),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)


