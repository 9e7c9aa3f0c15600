"""Helpers the tests share: object factories, database rows and worlds, the live server.

Imported as ``tests.support.<module>`` (pytest puts the repository root on ``sys.path``).
Fixtures stay in the ``conftest.py`` files; what is here is plain functions, classes and data.
"""
