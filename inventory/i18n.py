"""Languages of the web pages: Chinese (zh_CN) first, English on request.

Source strings are Chinese; ``inventory/translations/en/LC_MESSAGES/messages.po`` holds the
English. The set-up scripts compile the catalogues (``pybabel compile``). A user switches
language with the link in the page header, remembered in a cookie.
"""

from babel import Locale
from flask import Blueprint, redirect, request
from flask_babel import Babel, get_locale, refresh

from inventory.base import ROOT

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT = "zh_CN"
COOKIE = "lang"

bp = Blueprint("i18n", __name__)
babel = Babel()


def current_language() -> str:
    """Name the pages' current language by its key in ``LANGUAGES``."""
    locale = get_locale()  # Babel spells zh_CN as zh_Hans_CN, so compare parsed locales
    return next((code for code in LANGUAGES if Locale.parse(code) == locale), DEFAULT)


def message_of(error) -> str:
    """Return a domain error's message in the page's language."""
    return error.message("en" if current_language() == "en" else "zh")


def html_lang() -> str:
    """Name the pages' current language as ``<html lang>`` wants it: ``zh-CN`` or ``en``."""
    return current_language().replace("_", "-")


#: punctuation that joins data on a page, by language: Chinese uses full-width forms
PUNCTUATION = {
    "zh_CN": {"open": "（", "close": "）", "list": "、", "clause": "；", "colon": "："},
    "en": {"open": " (", "close": ")", "list": ", ", "clause": "; ", "colon": ": "},
}


def punctuation(name: str) -> str:
    """Return a joining mark in the page's language: ``open``, ``close``, ``list``, ``clause``,
    ``colon``."""
    return PUNCTUATION[current_language()][name]


def select_locale() -> str:
    """Return the page language: the ``lang`` argument, else the cookie, else Chinese."""
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT


@bp.get("/lang/<code>")
def switch(code):
    """Switch the pages' language and go back where the user was."""
    target = request.referrer or "/"
    if not target.startswith(request.host_url):
        target = "/"
    response = redirect(target)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=5 * 365 * 86400, samesite="Lax")
    return response


def init_app(app) -> None:
    """Set up Flask-Babel with the translations and the language choice."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          str(ROOT / "inventory" / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel caches the locale on g, and a request inside an app context pushed earlier
    # (as in the tests) shares that g: choose the language afresh for every request.
    app.before_request(refresh)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale,
                                 current_language=current_language, html_lang=html_lang,
                                 punctuation=punctuation)
