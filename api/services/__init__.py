"""The domain operations every process shares: the web app, the worker and the command line.

Service functions take keyword-only arguments, starting with ``session``, and plain values or
the schemas of ``api.schemas``; never a request. They flush but never commit: the caller's
session commits once at the end (a request in ``api.web.deps.get_session``, a job in its own
transaction). Refusals are ``api.services.errors``; who may reach which object is
``api.services.scope``. Nothing here imports fastapi or starlette.
"""
