"""Plumbing shared by every app's REST API: authentication, permissions, errors, formats, paging, caching."""
