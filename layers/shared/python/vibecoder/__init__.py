"""Shared code of the Bible VibeCoder functions (deployed as the shared Lambda layer)."""
