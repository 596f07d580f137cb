"""The data_persistence function."""
