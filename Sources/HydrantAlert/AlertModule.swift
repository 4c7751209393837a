/// HydrantAlert: delivery of alerts to webhooks with signatures, a durable outbox, retries and dead letters.
public enum AlertModule {}
