"""Where images live in the slides bucket: one prefix per request, one per user's brand."""

SLIDES_PREFIX = "carousels"
BRAND_PREFIX = "brands"  # the users' avatars and logos: no lifecycle expiry (they are the user's, not a carousel's)


def slide_key(request_id: str, index: int, extension: str, revision: int = 0) -> str:
    """An image's key; an edit's images get their revision, so Undo finds the previous ones still there."""
    suffix = f"-r{revision}" if revision else ""
    return f"{SLIDES_PREFIX}/{request_id}/slide-{index:02d}{suffix}.{extension}"


def brand_key(user_id: str, kind: str) -> str:
    """A user's avatar or logo (``kind``): one object each, replaced by a new one."""
    return f"{BRAND_PREFIX}/{user_id}/{kind}"
