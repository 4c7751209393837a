/// HydrantFlowLogs: AWS VPC Flow Logs and NetFlow v5/v9/IPFIX into `network.flow` records.
public enum FlowLogsModule {}
