"""The image_renderer function."""
