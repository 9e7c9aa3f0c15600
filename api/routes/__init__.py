"""One module per resource; each module's ``router`` is mounted by ``api.main.create_app``."""
