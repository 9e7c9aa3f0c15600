"""One module per resource; each module's ``router`` is mounted by ``api.web.app.create_app``."""
