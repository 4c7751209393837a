/// The field mappings Hydrant ships, in pySigma's processing-pipeline YAML (the subset `FieldMappingPipeline`
/// reads). Embedded as text so that the module needs no bundle resources; `docs/rules.md` explains each choice.
///
/// `set_state` with key `hydrant_datasets` picks the datasets a rule runs on (the last matching item wins);
/// `field_name_mapping` maps rule fields to SCHEMA.md fields (a list is an OR over the targets);
/// `rule_failure` rejects rules; `drop_detection_item` removes items that always hold on Hydrant's records.
public enum BuiltinMappings {
    /// The pipelines, in priority order.
    public static let all: [(name: String, yaml: String)] = [
        ("network", network), ("zeek", zeek), ("firewall", firewall), ("dns", dns), ("dns_query", dnsQuery),
        ("proxy", proxy), ("webserver", webserver), ("network_connection", networkConnection),
    ]

    /// `category: network` (Sigma v2.1's ECS names): identity, dataset by service.
    public static let network = """
    name: hydrant-network
    priority: 10
    transformations:
      - id: network_any
        type: set_state
        key: hydrant_datasets
        val: [network.flow, network.dns, network.http, network.tls, flowlog.vpc, flowlog.netflow]
        rule_conditions: [{type: logsource, category: network}]
      - id: network_connection_service
        type: set_state
        key: hydrant_datasets
        val: [network.flow, flowlog.vpc, flowlog.netflow]
        rule_conditions: [{type: logsource, category: network, service: connection}]
      - id: network_dns_service
        type: set_state
        key: hydrant_datasets
        val: [network.dns]
        rule_conditions: [{type: logsource, category: network, service: dns}]
      - id: network_http_service
        type: set_state
        key: hydrant_datasets
        val: [network.http]
        rule_conditions: [{type: logsource, category: network, service: http}]
      - id: network_tls_service
        type: set_state
        key: hydrant_datasets
        val: [network.tls]
        rule_conditions: [{type: logsource, category: network, service: tls}]
    """

    /// `product: zeek`: conn, dns, http and ssl logs onto flow, DNS, HTTP and TLS records.
    public static let zeek = """
    name: hydrant-zeek
    priority: 20
    transformations:
      - id: zeek_conn_ids
        type: field_name_mapping
        mapping:
          id.orig_h: source.ip
          id.orig_p: source.port
          id.resp_h: destination.ip
          id.resp_p: destination.port
          proto: network.transport
          community_id: network.community_id
        rule_conditions: [{type: logsource, product: zeek}]
      - id: zeek_conn_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.flow, flowlog.vpc, flowlog.netflow]
        rule_conditions: [{type: logsource, product: zeek, service: conn}]
      - id: zeek_conn
        type: field_name_mapping
        mapping:
          service: network.protocol
          conn_state: network.state
          history: network.history
          orig_pkts: source.packets
          resp_pkts: destination.packets
          orig_ip_bytes: source.bytes
          resp_ip_bytes: destination.bytes
        rule_conditions: [{type: logsource, product: zeek, service: conn}]
      - id: zeek_dns_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.dns]
        rule_conditions: [{type: logsource, product: zeek, service: dns}]
      - id: zeek_dns
        type: field_name_mapping
        mapping:
          query: dns.question.name
          qtype_name: dns.question.type
          qclass_name: dns.question.class
          rcode_name: dns.response_code
          answers: dns.answers.data
          TTLs: dns.answers.ttl
          trans_id: dns.id
        rule_conditions: [{type: logsource, product: zeek, service: dns}]
      - id: zeek_http_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.http]
        rule_conditions: [{type: logsource, product: zeek, service: http}]
      - id: zeek_http
        type: field_name_mapping
        mapping:
          method: http.request.method
          host: url.domain
          uri: url.original
          c-uri: url.original
          user_agent: user_agent.original
          c-useragent: user_agent.original
          referrer: http.request.referrer
          version: http.version
          status_code: http.response.status_code
          request_body_len: http.request.body.bytes
          response_body_len: http.response.body.bytes
          resp_mime_types: http.response.mime_type
        rule_conditions: [{type: logsource, product: zeek, service: http}]
      - id: zeek_ssl_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.tls]
        rule_conditions: [{type: logsource, product: zeek, service: ssl}]
      - id: zeek_ssl
        type: field_name_mapping
        mapping:
          server_name: tls.client.server_name
          next_protocol: tls.next_protocol
          ja3: tls.client.ja3
          ja3s: tls.server.ja3s
          ja4: tls.client.ja4
        rule_conditions: [{type: logsource, product: zeek, service: ssl}]
      - id: zeek_x509_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.tls]
        rule_conditions: [{type: logsource, product: zeek, service: x509}]
    """

    /// `category: firewall`: flow records (and flow logs, which carry the accept/reject verdict).
    public static let firewall = """
    name: hydrant-firewall
    priority: 20
    transformations:
      - id: firewall_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.flow, flowlog.vpc, flowlog.netflow]
        rule_conditions: [{type: logsource, category: firewall}]
      - id: firewall_fields
        type: field_name_mapping
        mapping:
          src_ip: source.ip
          src_port: source.port
          dst_ip: destination.ip
          dst_port: destination.port
          action: event.outcome
          protocol: network.transport
        rule_conditions: [{type: logsource, category: firewall}]
    """

    /// `category: dns`: DNS records.
    public static let dns = """
    name: hydrant-dns
    priority: 20
    transformations:
      - id: dns_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.dns]
        rule_conditions: [{type: logsource, category: dns}]
      - id: dns_fields
        type: field_name_mapping
        mapping:
          query: dns.question.name
          answer: dns.answers.data
          record_type: dns.question.type
          response_code: dns.response_code
          src_ip: source.ip
          src_port: source.port
          dst_ip: destination.ip
          dst_port: destination.port
        rule_conditions: [{type: logsource, category: dns}]
    """

    /// `category: dns_query` (Sysmon event 22): DNS records; process fields are refused.
    public static let dnsQuery = """
    name: hydrant-dns-query
    priority: 20
    transformations:
      - id: dns_query_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.dns]
        rule_conditions: [{type: logsource, category: dns_query}]
      - id: dns_query_fields
        type: field_name_mapping
        mapping:
          QueryName: dns.question.name
          QueryResults: dns.answers.data
          QueryStatus: dns.response_code
        rule_conditions: [{type: logsource, category: dns_query}]
    """

    /// `category: proxy` (W3C names): HTTP records.
    public static let proxy = """
    name: hydrant-proxy
    priority: 20
    transformations:
      - id: proxy_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.http]
        rule_conditions: [{type: logsource, category: proxy}]
      - id: proxy_fields
        type: field_name_mapping
        mapping:
          c-uri: url.original
          cs-uri: url.original
          c-uri-stem: url.path
          cs-uri-stem: url.path
          c-useragent: user_agent.original
          cs-host: url.domain
          r-dns: url.domain
          cs-method: http.request.method
          cs-referrer: http.request.referrer
          cs-version: http.version
          sc-status: http.response.status_code
          cs-bytes: http.request.body.bytes
          sc-bytes: http.response.body.bytes
          src_ip: source.ip
          dst_ip: destination.ip
          dst_port: destination.port
        rule_conditions: [{type: logsource, category: proxy}]
    """

    /// `category: webserver` (W3C server-side names): HTTP records.
    public static let webserver = """
    name: hydrant-webserver
    priority: 20
    transformations:
      - id: webserver_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.http]
        rule_conditions: [{type: logsource, category: webserver}]
      - id: webserver_fields
        type: field_name_mapping
        mapping:
          c-ip: source.ip
          s-ip: destination.ip
          s-port: destination.port
          cs-method: http.request.method
          cs-uri: url.original
          cs-uri-stem: url.path
          cs-user-agent: user_agent.original
          cs-referer: http.request.referrer
          cs-host: url.domain
          cs-version: http.version
          sc-status: http.response.status_code
          cs-bytes: http.request.body.bytes
          sc-bytes: http.response.body.bytes
        rule_conditions: [{type: logsource, category: webserver}]
    """

    /// `category: network_connection` (Sysmon event 3): the network fields only; process fields are refused.
    public static let networkConnection = """
    name: hydrant-network-connection
    priority: 20
    transformations:
      - id: network_connection_dataset
        type: set_state
        key: hydrant_datasets
        val: [network.flow, network.tls, network.http, flowlog.vpc, flowlog.netflow]
        rule_conditions: [{type: logsource, category: network_connection}]
      - id: network_connection_initiated
        type: drop_detection_item
        field_name_conditions: [{type: include_fields, fields: [Initiated]}]
        value: 'true'
        rule_conditions: [{type: logsource, category: network_connection}]
      - id: network_connection_fields
        type: field_name_mapping
        mapping:
          DestinationIp: destination.ip
          DestinationPort: destination.port
          DestinationHostname: [tls.client.server_name, url.domain]
          SourceIp: source.ip
          SourcePort: source.port
          Protocol: network.transport
        rule_conditions: [{type: logsource, category: network_connection}]
    """
}
