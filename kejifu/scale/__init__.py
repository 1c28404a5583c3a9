"""Scale: synthetic county, city and province data, the plain reference engine the fast one
must equal, and ``kejifu bench``.

Modules, in flow order:

- :mod:`.synth`: synthetic plans and reports of a given size (reproducible from a seed);
- :mod:`.reference`: the naive loop over orgs and targets that :func:`kejifu.status.status` must equal;
- :mod:`.bench_store`: the store and workspace measurements (writes, opening, CLI status, refresh);
- :mod:`.bench`: the measurements ``kejifu bench`` prints, each with its goal.
"""
