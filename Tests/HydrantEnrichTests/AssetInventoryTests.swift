import Foundation
import HydrantEnrich
import HydrantRecords
import Testing

@Suite struct AssetInventoryTests {
    @Test func csvLongestPrefixAndMappedAddresses() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try EnrichTestSupport.write("""
            # site inventory
            cidr,name,zone,owner,criticality
            10.0.0.0/8,corp,internal,it,low
            10.20.0.0/16,payroll,datacenter,finance,high
            10.20.5.7,"payroll-db-1, primary",datacenter,finance,critical
            2001:db8:a0a::/64,clients-v6,office,it,
            """, to: "assets.csv", in: directory)
        let inventory = try AssetInventory(contentsOf: path)
        #expect(inventory.count == 4)
        #expect(inventory.lookup(IPAddress("10.20.5.7")!)?.name == "payroll-db-1, primary")
        #expect(inventory.lookup(IPAddress("::ffff:10.20.5.7")!)?.criticality == "critical")
        #expect(inventory.lookup(IPAddress("10.20.5.8")!) == Asset(name: "payroll", zone: "datacenter", owner: "finance",
                                                                      criticality: "high"))
        #expect(inventory.lookup(IPAddress("10.99.0.1")!)?.name == "corp")
        #expect(inventory.lookup(IPAddress("2001:db8:a0a::9")!) == Asset(name: "clients-v6", zone: "office", owner: "it"))
        #expect(inventory.lookup(IPAddress("8.8.8.8")!) == nil)
    }

    @Test func yamlList() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try EnrichTestSupport.write("""
            assets:
              - cidr: 10.20.0.0/16   # payroll
                name: payroll
                criticality: high
              - address: "10.20.5.7"
                name: 'db ''one'''
                owner: "fin\\"ance"
            """, to: "assets.yaml", in: directory)
        let inventory = try AssetInventory(contentsOf: path)
        #expect(inventory.count == 2)
        #expect(inventory.lookup(IPAddress("10.20.5.7")!) == Asset(name: "db 'one'", owner: "fin\"ance"))
        #expect(inventory.lookup(IPAddress("10.20.9.9")!) == Asset(name: "payroll", criticality: "high"))
    }

    @Test func errorsNameFileAndLine() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, String, Int?, String)] = [
            ("a.csv", "cidr,name\n10.0.0.0/8,x\n10.0.0.0/33,y\n", 3, "10.0.0.0/33"),
            ("b.csv", "cidr,name\n10.0.0.0/8,x,extra\n", 2, "expected 2 fields"),
            ("c.csv", "name,zone\nx,y\n", 1, "cidr"),
            ("d.csv", "cidr,name,colour\n", 1, "colour"),
            ("e.csv", "cidr,name\n10.0.0.0/8,\"open\n", 2, "quoted"),
            ("f.yaml", "- cidr: 10.0.0.0/8\n  name: x\n  color: red\n", 3, "color"),
            ("g.yaml", "- cidr: 10.0.0.0/8\n  name: [a, b]\n", 2, "scalar"),
            ("h.yaml", "- name: x\n", 1, "missing cidr"),
            ("i.yaml", "cidr: 10.0.0.0/8\n", 1, "list item"),
            ("j.txt", "cidr,name\n", nil, ".csv"),
        ]
        for (name, text, line, fragment) in cases {
            let path = try EnrichTestSupport.write(text, to: name, in: directory)
            do {
                _ = try AssetInventory(contentsOf: path)
                Issue.record("\(name) loaded")
            } catch {
                #expect(error.path == path, "\(name)")
                #expect(error.line == line, "\(name): \(error)")
                #expect(error.description.contains(fragment), "\(name): \(error)")
            }
        }
        #expect(throws: EnrichError.self) { try AssetInventory(contentsOf: directory.appendingPathComponent("none.csv").path) }
    }

    @Test func reloadsWhenTheFileChanges() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try EnrichTestSupport.write("cidr,name\n10.0.0.0/8,old\n", to: "assets.csv", in: directory)
        let resource = try EnrichmentResources.assetInventory(path: path)
        #expect(resource.current.lookup(IPAddress("10.1.1.1")!)?.name == "old")
        #expect(try resource.reloadIfChanged() == false)
        try EnrichTestSupport.write("cidr,name\n10.0.0.0/8,new\n10.1.0.0/16,newer\n", to: "assets.csv", in: directory)
        #expect(try resource.reloadIfChanged() == true)
        #expect(resource.current.lookup(IPAddress("10.1.1.1")!)?.name == "newer")
        #expect(resource.generation == 1)
        // A broken update keeps the previous inventory.
        try EnrichTestSupport.write("cidr,name\nnot-an-address,x\n", to: "assets.csv", in: directory)
        #expect(throws: EnrichError.self) { try resource.reloadIfChanged() }
        #expect(resource.current.lookup(IPAddress("10.1.1.1")!)?.name == "newer")
    }
}
