"""Farming a long recording over a Dask cluster (``nebula farm``; the ``farm`` extra).

plan: the chunks of a RecordJob and the folder they render into; manifest: what is done and
verified there, and which recording it is; worker: one chunk on a worker process, over the GL
context it keeps for its life; farm: the client that submits, retries, follows and joins.
"""
