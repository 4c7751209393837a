/// ECS `network.direction` from which side of the home networks each endpoint is on.
public enum NetworkDirection: String, Sendable, CaseIterable {
    /// From outside the home networks to inside.
    case inbound
    /// From inside the home networks to outside.
    case outbound
    /// Both endpoints inside.
    case `internal`
    /// Both endpoints outside.
    case external

    /// The direction of traffic from an initiator to a responder, given whether each is in a home network.
    public init(sourceIsHome: Bool, destinationIsHome: Bool) {
        switch (sourceIsHome, destinationIsHome) {
        case (true, true): self = .internal
        case (true, false): self = .outbound
        case (false, true): self = .inbound
        case (false, false): self = .external
        }
    }
}
