"""ai-content: turns a topic or a pasted text into structured carousel content."""
