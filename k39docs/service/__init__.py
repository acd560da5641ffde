"""The HTTP service (``k39docs serve``): FastAPI routes over one warm ``Session``.

``settings`` reads the ``K39_*`` environment once; ``keys`` the operator's KEYS.yaml; ``intake``
turns a request's body into a dossier inside the job's own upload folder; ``jobs`` runs renders
one at a time, FIFO, on the session; ``callbacks`` tells an integrator's URL that a job ended;
``problems`` builds RFC 9457 problem details (and the command line's bad-input JSON); ``app``
holds the routes, built by ``create_app(settings, session)``. Importing this package imports no
FastAPI: the command line uses ``problems`` too.
"""
