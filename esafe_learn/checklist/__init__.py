"""The e-safeguarding checklist, fed with evidence from the platform (issue 8)."""
