"""The telegram_gateway function."""
