"""What a leader sees in the browser: the Voila dashboards and the server that serves them.

Modules, in flow order:

- :mod:`.html`: the HTML snippets (escaped text, bidi-isolated names, cards, tables, the banner,
  the freshness line, the chart container);
- :mod:`.board`: the :class:`~kejifu.web.board.Board` controller every dashboard notebook shows,
  and :class:`~kejifu.web.board.BoardWorkspace`, what it reads from a workspace;
- :mod:`.boards`: one module per dashboard (``overview``, ``detail``, ``towns``, ``hightech``,
  ``deputies``), each rendering its sections;
- :mod:`.channels`: what may pass between a browser and a dashboard kernel (widgets' messages
  in, no code; no error details out);
- :mod:`.kernels`: the kernel limits (a cap sized to memory, kernels of closed pages and of
  plain GETs given back within seconds, the busy page);
- :mod:`.front`: the front page at ``/`` (plan, data month, one card per dashboard with its key
  count) and the navigation bar every dashboard carries;
- :mod:`.patches`: the server process's patches of Voila, jupyter_server and tornado (culler grace,
  404 for bad template paths, compression but for the streamed pages);
- :mod:`.serve`: ``kejifu serve`` — Voila with preheated kernels, these limits and local files;
- ``static/``: the vendored plotly.js bundle and the ``kejifu`` Voila template.
"""
