"""QR codes for ward posters, drawn by segno (pure Python, no imaging library needed)."""

from __future__ import annotations

import io

import segno

# Medium error correction survives a poster that is creased or partly covered by a pin.
ERROR_LEVEL = "m"
# Pixels per module: a 10 px module prints at about 2.5 mm on A4 at 100 dpi, readable from
# a hospital bed's distance.
SCALE = 10
# Quiet zone in modules; the standard asks for 4, a poster on a busy noticeboard gets more.
BORDER = 6


def qr_code(text: str) -> segno.QRCode:
    """The QR code (never a Micro QR, which phones do not read) for a text."""
    return segno.make(text, error=ERROR_LEVEL, micro=False)


def qr_png(text: str) -> bytes:
    """A black-on-white PNG of the QR code for a text."""
    buffer = io.BytesIO()
    qr_code(text).save(buffer, kind="png", scale=SCALE, border=BORDER, dark="black", light="white")
    return buffer.getvalue()
