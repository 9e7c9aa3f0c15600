"""Printable QR codes (SVG, ``segno``) of the app's own phone pages: a task's check-in, a
community's registration."""

from __future__ import annotations

import io

import segno
from fastapi import Request
from fastapi.responses import Response


def page_url(request: Request, path: str) -> str:
    """The full address of one of the app's pages, as a phone that scans the code opens it."""
    return str(request.base_url).rstrip("/") + path


def svg_response(url: str, title: str) -> Response:
    """``url`` as a QR code, an SVG to print (medium error correction survives a smudge)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=4, title=title)
    return Response(out.getvalue(), media_type="image/svg+xml")
