"""Request and response schemas, one module per resource.

Each entity has a family: ``XCreate`` (what a caller sends to make one), ``XUpdate`` (every
field optional), ``XPublic`` (what is shown). A ``Public`` schema never holds a private value —
phone, ID number, a resident's address; the few schemas that do say so in their name
(``...Contact``) and are built only for those allowed to see them.
"""
