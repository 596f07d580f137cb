"""The analytics function."""
