"""Where slide images live in the slides bucket: one prefix per request."""

SLIDES_PREFIX = "carousels"


def slide_key(request_id: str, index: int, extension: str) -> str:
    return f"{SLIDES_PREFIX}/{request_id}/slide-{index:02d}.{extension}"
