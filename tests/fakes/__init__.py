"""Faithful fakes of external services, run as real servers on 127.0.0.1 by the tests."""
