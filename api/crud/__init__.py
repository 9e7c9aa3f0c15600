"""Service functions behind the routes: keyword-only arguments, one line of docstring each.

They take a session and plain values, never a request, and flush but never commit: the
request's session commits once at the end (``api.deps.get_session``).
"""
