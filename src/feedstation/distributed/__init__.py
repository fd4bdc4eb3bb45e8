"""Distributed fetch (`fetch.executor: celery`): due feeds go, a batch per host, to `feedstation worker` processes.

`coordinator.py` (the run: enqueue, wait for completions, record what only the whole round can decide),
`tasks.py` (the worker side of one batch), `app.py` (the Celery app: Redis broker, late acks, visibility
timeout), `batches.py` (grouping by host, the JSON messages), `ledger.py` (a round's completions and the
host leases in Redis), `registry.py` (worker heartbeats), `status.py` (what `feedstation status` shows),
`worker.py` (starting a worker). Feed bodies never travel through the broker: only feed ids and sources.
"""
