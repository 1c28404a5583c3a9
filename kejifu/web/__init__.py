"""What a leader sees in the browser: the Voila dashboards and the server that serves them.

Modules, in flow order:

- :mod:`.board`: the :class:`~kejifu.web.board.Board` controller every dashboard notebook calls,
  its renderers and HTML snippets;
- :mod:`.serve`: ``kejifu serve`` — Voila with preheated, culled kernels and local static files;
- ``static/``: the vendored plotly.js bundle and the ``kejifu`` Voila template.
"""
