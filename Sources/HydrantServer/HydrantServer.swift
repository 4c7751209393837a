/// The Firehose-compatible HTTP API, SigV4 verification of ingest requests, `/metrics` and `/health`.
public enum HydrantServerModule {}
