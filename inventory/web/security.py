"""What every response tells the browser to refuse: scripts and styles from elsewhere or
inline, being framed, guessing content types, leaking addresses in the Referer; and the page a
form whose CSRF token failed gets."""

from flask import render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

#: Every page's script and style is a file under /static or /vendor (no inline <script>,
#: style="" or on…= attributes in the templates). Swagger UI and the scan screen's camera
#: draw icons from data: URLs; the scan screen's service worker is ours.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Older browsers that know no frame-ancestors.
    "X-Frame-Options": "DENY",
    # QR label addresses carry their signature: no other site learns them from a Referer.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    # The scan screen needs the camera; nothing needs the rest.
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}


def add_security_headers(response):
    """Add the security headers, leaving any a view set itself."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def csrf_failed(error: CSRFError):
    """A form whose CSRF token is missing or stale (a page left open across a restart of the
    session): answer with a page that says so, never JSON, since a person sent a form."""
    message = gettext("表单已过期或缺少安全令牌，请返回刷新页面后重新提交。")
    return render_template("error.html", status=400, message=message), 400


def init_app(app) -> None:
    """Add the security headers to every answer and answer CSRF failures with a page."""
    app.after_request(add_security_headers)
    app.register_error_handler(CSRFError, csrf_failed)
