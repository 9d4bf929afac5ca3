"""The QR code of an invitation link, drawn here as inline SVG: no image request, no
external service, nothing to load but the page itself."""

from __future__ import annotations

import segno
from markupsafe import Markup

# Medium error correction: still read from a phone held far from a projected screen.
ERROR = "m"


def svg(link: str, title: str) -> Markup:
    """Dark modules on a white ground (a dark theme must not invert what the camera
    reads); sized by the style sheet (no width or height of its own)."""
    code = segno.make(link, error=ERROR)
    drawing = code.svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, title=title, svgclass="qr"
    )
    # segno escapes the title and draws only paths: its output is safe markup.
    return Markup(drawing)  # noqa: S704
