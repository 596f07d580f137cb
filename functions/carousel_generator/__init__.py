"""The carousel_generator function."""
