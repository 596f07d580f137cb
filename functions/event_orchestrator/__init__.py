"""The event_orchestrator function."""
