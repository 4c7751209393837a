/// A field VPC Flow Logs can carry (versions 2 to 7), named as in a format string or header line.
public enum VPCFlowLogField: String, CaseIterable, Sendable {
    case version, accountID = "account-id", interfaceID = "interface-id", srcaddr, dstaddr, srcport, dstport
    case `protocol`, packets, bytes, start, end, action, logStatus = "log-status"
    case vpcID = "vpc-id", subnetID = "subnet-id", instanceID = "instance-id", tcpFlags = "tcp-flags", type
    case pktSrcaddr = "pkt-srcaddr", pktDstaddr = "pkt-dstaddr"
    case region, azID = "az-id", sublocationType = "sublocation-type", sublocationID = "sublocation-id"
    case pktSrcAWSService = "pkt-src-aws-service", pktDstAWSService = "pkt-dst-aws-service"
    case flowDirection = "flow-direction", trafficPath = "traffic-path"
    case ecsClusterARN = "ecs-cluster-arn", ecsClusterName = "ecs-cluster-name"
    case ecsContainerInstanceARN = "ecs-container-instance-arn", ecsContainerInstanceID = "ecs-container-instance-id"
    case ecsContainerID = "ecs-container-id", ecsSecondContainerID = "ecs-second-container-id"
    case ecsServiceName = "ecs-service-name", ecsTaskDefinitionARN = "ecs-task-definition-arn"
    case ecsTaskARN = "ecs-task-arn", ecsTaskID = "ecs-task-id"
    case rejectReason = "reject-reason"
    case resourceType = "resource-type", tgwID = "tgw-id", tgwAttachmentID = "tgw-attachment-id"
    case tgwSrcVPCAccountID = "tgw-src-vpc-account-id", tgwDstVPCAccountID = "tgw-dst-vpc-account-id"
    case tgwSrcVPCID = "tgw-src-vpc-id", tgwDstVPCID = "tgw-dst-vpc-id"
    case tgwSrcSubnetID = "tgw-src-subnet-id", tgwDstSubnetID = "tgw-dst-subnet-id"
    case tgwSrcENI = "tgw-src-eni", tgwDstENI = "tgw-dst-eni", tgwSrcAZID = "tgw-src-az-id", tgwDstAZID = "tgw-dst-az-id"
    case tgwPairAttachmentID = "tgw-pair-attachment-id"
    case packetsLostNoRoute = "packets-lost-no-route", packetsLostBlackhole = "packets-lost-blackhole"
    case packetsLostMTUExceeded = "packets-lost-mtu-exceeded", packetsLostTTLExpired = "packets-lost-ttl-expired"

    /// How a field's text is read.
    public enum ValueKind: Sendable {
        /// A decimal integer.
        case integer(max: Int64)
        /// An IPv4 or IPv6 address.
        case address
        /// One of a closed set of words.
        case word([String])
        /// Free text (identifiers, ARNs, names).
        case text
    }

    /// How this field's text is read; `-` is null for every kind.
    public var kind: ValueKind {
        switch self {
        case .version: return .integer(max: 255)
        case .srcport, .dstport: return .integer(max: 65535)
        case .protocol: return .integer(max: 255)
        case .packets, .bytes, .start, .end, .packetsLostNoRoute, .packetsLostBlackhole, .packetsLostMTUExceeded,
             .packetsLostTTLExpired:
            return .integer(max: Int64.max)
        case .tcpFlags: return .integer(max: 65535)
        case .trafficPath: return .integer(max: 255)
        case .srcaddr, .dstaddr, .pktSrcaddr, .pktDstaddr: return .address
        case .action: return .word(["ACCEPT", "REJECT"])
        case .logStatus: return .word(["OK", "NODATA", "SKIPDATA"])
        case .flowDirection: return .word(["ingress", "egress"])
        default: return .text
        }
    }
}

/// One column of a VPC Flow Logs format: a known field, or a name this version does not know (kept as text).
public enum VPCFlowLogColumn: Hashable, Sendable {
    /// A field from the AWS documentation.
    case known(VPCFlowLogField)
    /// Another name, read as text.
    case other(String)

    /// The name as written in the format.
    public var name: String {
        switch self {
        case .known(let field): return field.rawValue
        case .other(let name): return name
        }
    }
}

/// One field's value in a parsed line.
public enum VPCFlowLogValue: Hashable, Sendable {
    /// `-`: no value.
    case null
    /// A number.
    case integer(Int64)
    /// Text, an address as written, or one of a field's words.
    case text(String)
}
