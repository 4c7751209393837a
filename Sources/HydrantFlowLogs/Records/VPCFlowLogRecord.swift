import HydrantRecords

/// One AWS VPC Flow Logs line that describes traffic (`flowlog.vpc`): one direction of a flow on one interface
/// during one aggregation interval.
public struct VPCFlowLogRecord: FlowLogRecord, Hashable {
    /// The dataset of VPC Flow Logs records.
    public static let dataset = Dataset.flowlogVPC
    /// What one record stands for.
    public static let summary = "One AWS VPC Flow Logs line: one direction of traffic on one interface in one interval."

    /// `start` of the line (whole seconds).
    public var start: Timestamp
    /// `end` of the line (whole seconds).
    public var end: Timestamp
    /// When the delivery stream accepted it.
    public var ingested: Timestamp?
    /// The collector that parsed it.
    public var observerName: String?
    /// `srcaddr`.
    public var sourceIP: IPAddress
    /// `srcport`.
    public var sourcePort: UInt16?
    /// `dstaddr`.
    public var destinationIP: IPAddress
    /// `dstport`.
    public var destinationPort: UInt16?
    /// `protocol`.
    public var ianaNumber: UInt8
    /// VPC Flow Logs carry no VLAN.
    public var vlanID: UInt16? { nil }
    /// VPC Flow Logs carry no VLAN.
    public var innerVLANID: UInt16? { nil }
    /// Not computed for flow logs.
    public var communityID: String?
    /// Always unidirectional.
    public var kind: FlowLogKind { .unidirectional }
    /// `bytes`.
    public var sourceBytes: Int64?
    /// `packets`.
    public var sourcePackets: Int64?
    /// Unknown: the reverse direction is its own line.
    public var destinationBytes: Int64? { nil }
    /// Unknown: the reverse direction is its own line.
    public var destinationPackets: Int64? { nil }
    /// `flow-direction` (`ingress` / `egress`).
    public var direction: String?
    /// `action`, lower case.
    public var outcome: String?
    /// `version`.
    public var version: Int64?
    /// `account-id`.
    public var accountID: String?
    /// `region`.
    public var region: String?
    /// `az-id`.
    public var availabilityZoneID: String?
    /// `interface-id`.
    public var interfaceID: String?
    /// `vpc-id`.
    public var vpcID: String?
    /// `subnet-id`.
    public var subnetID: String?
    /// `instance-id`.
    public var instanceID: String?
    /// `type` (`IPv4`, `IPv6`, `EFA`).
    public var trafficType: String?
    /// `pkt-srcaddr`.
    public var packetSourceIP: IPAddress?
    /// `pkt-dstaddr`.
    public var packetDestinationIP: IPAddress?
    /// `pkt-src-aws-service`.
    public var packetSourceService: String?
    /// `pkt-dst-aws-service`.
    public var packetDestinationService: String?
    /// `traffic-path` (1–8).
    public var trafficPath: Int64?
    /// `tcp-flags` (bitwise OR over the interval).
    public var tcpFlags: Int64?
    /// `log-status` (`OK` for traffic lines).
    public var logStatus: String?
    /// `sublocation-type`.
    public var sublocationType: String?
    /// `sublocation-id`.
    public var sublocationID: String?
    /// `resource-type` (transit gateway logs).
    public var resourceType: String?
    /// `tgw-id`.
    public var transitGatewayID: String?
    /// `tgw-attachment-id`.
    public var transitGatewayAttachmentID: String?
    /// `ecs-cluster-name`.
    public var ecsClusterName: String?
    /// `ecs-task-id`.
    public var ecsTaskID: String?
    /// `ecs-service-name`.
    public var ecsServiceName: String?

    /// Event time: the start of the interval.
    public var timestamp: Timestamp { start }

    /// A record for one traffic line; everything else unknown.
    public init(start: Timestamp, end: Timestamp, sourceIP: IPAddress, destinationIP: IPAddress, ianaNumber: UInt8) {
        self.start = start
        self.end = end
        self.sourceIP = sourceIP
        self.destinationIP = destinationIP
        self.ianaNumber = ianaNumber
    }

    /// The field table of `flowlog.vpc`.
    public static let fields: [FieldDescriptor<VPCFlowLogRecord>] = commonFields + flowLogFields + [
        .string("cloud.provider", "`aws`.") { _ in "aws" },
        .string("cloud.account.id", "`account-id`: the AWS account of the interface.") { $0.accountID },
        .string("cloud.region", "`region`.") { $0.region },
        .string("cloud.availability_zone", "`az-id`.") { $0.availabilityZoneID },
        .int("aws.vpcflow.version", "`version` of the log format (2–7).") { $0.version },
        .string("aws.vpcflow.interface_id", "`interface-id` (`eni-…`).") { $0.interfaceID },
        .string("aws.vpcflow.vpc_id", "`vpc-id`.") { $0.vpcID },
        .string("aws.vpcflow.subnet_id", "`subnet-id`.") { $0.subnetID },
        .string("aws.vpcflow.instance_id", "`instance-id`.") { $0.instanceID },
        .string("aws.vpcflow.type", "`type`: `IPv4`, `IPv6` or `EFA`.") { $0.trafficType },
        .ip("aws.vpcflow.pkt_srcaddr", "`pkt-srcaddr`: the packet's original source (differs behind NAT).") { $0.packetSourceIP },
        .ip("aws.vpcflow.pkt_dstaddr", "`pkt-dstaddr`: the packet's original destination.") { $0.packetDestinationIP },
        .string("aws.vpcflow.pkt_src_aws_service", "`pkt-src-aws-service`.") { $0.packetSourceService },
        .string("aws.vpcflow.pkt_dst_aws_service", "`pkt-dst-aws-service`.") { $0.packetDestinationService },
        .string("aws.vpcflow.flow_direction", "`flow-direction` as logged (`ingress` / `egress`).") { $0.direction },
        .int("aws.vpcflow.traffic_path", "`traffic-path` (1–8: the path egress traffic takes).") { $0.trafficPath },
        .int("aws.vpcflow.tcp_flags", "`tcp-flags`: OR of the TCP flags seen in the interval (SYN 2, FIN 1, RST 4, SYN-ACK 18).") {
            $0.tcpFlags
        },
        .string("aws.vpcflow.log_status", "`log-status`: `OK` for traffic lines.") { $0.logStatus },
        .string("aws.vpcflow.sublocation_type", "`sublocation-type`.") { $0.sublocationType },
        .string("aws.vpcflow.sublocation_id", "`sublocation-id`.") { $0.sublocationID },
        .string("aws.vpcflow.resource_type", "`resource-type` (transit gateway logs).") { $0.resourceType },
        .string("aws.vpcflow.tgw_id", "`tgw-id`.") { $0.transitGatewayID },
        .string("aws.vpcflow.tgw_attachment_id", "`tgw-attachment-id`.") { $0.transitGatewayAttachmentID },
        .string("aws.vpcflow.ecs.cluster_name", "`ecs-cluster-name`.") { $0.ecsClusterName },
        .string("aws.vpcflow.ecs.task_id", "`ecs-task-id`.") { $0.ecsTaskID },
        .string("aws.vpcflow.ecs.service_name", "`ecs-service-name`.") { $0.ecsServiceName },
    ]
}
