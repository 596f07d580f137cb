"""The telegram_sender function."""
