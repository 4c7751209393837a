/// HydrantEnrich: GeoIP/ASN, asset inventory, home networks and direction, threat-intelligence indicators.
public enum EnrichModule {}
