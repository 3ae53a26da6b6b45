"""The scan screen, its web app manifest and its service worker (so it opens without signal)."""

import json

from flask import Blueprint, Response, render_template, url_for
from flask_login import current_user, login_required

from inventory.base import ROOT
from inventory.db import db
from inventory.geo import queries as geo
from inventory.scan import queries
from inventory.stock.models import LOT_SOURCES

bp = Blueprint("scan", __name__, url_prefix="/scan")

#: roles that may receive, transfer in and count stock (keepers at their own depots)
MOVERS = {"keeper", "admin"}

#: bump when the cached shell changes, so phones drop the old copy
SHELL_VERSION = "5"


@bp.get("/")
@login_required
def screen():
    """The keeper's one screen: scan, see, act; queue actions while offline."""
    return render_template("scan/scan.html", depots=queries.depots_for(db.session, current_user),
                           all_depots=geo.depots(db.session),
                           sources=LOT_SOURCES, moves_stock=current_user.role in MOVERS)


@bp.get("/manifest.webmanifest")
def manifest():
    body = {
        "name": "应急物资扫码",
        "short_name": "扫码",
        "lang": "zh-CN",
        "start_url": url_for("scan.screen"),
        "scope": url_for("scan.screen"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b22222",
        "icons": [{"src": url_for("static", filename="icon.svg"), "sizes": "any",
                   "type": "image/svg+xml", "purpose": "any"}],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    """Served from /scan/ so that its scope covers the scan screen."""
    source = (ROOT / "inventory" / "static" / "sw.js").read_text(encoding="utf-8")
    shell = [url_for("scan.screen"), url_for("static", filename="app.css"),
             url_for("static", filename="scan.js"),
             url_for("static", filename="scan-rotation.js"),
             url_for("static", filename="scan-waybill.js"),
             url_for("static", filename="icon.svg"),
             "/vendor/html5-qrcode/html5-qrcode.min.js"]
    source = source.replace("__SHELL__", json.dumps(shell)).replace("__VERSION__", SHELL_VERSION)
    return Response(source, mimetype="text/javascript",
                    headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/scan/"})
