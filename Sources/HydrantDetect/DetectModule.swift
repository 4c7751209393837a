/// HydrantDetect: Sigma rules (loading, field mapping, compilation, matching, correlations) and alerts.
public enum DetectModule {}
