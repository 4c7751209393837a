// swift-tools-version:6.0
import PackageDescription

/// Decoding, flow tracking and encoding are written to stay in bounds by construction (every read is checked
/// against the captured length), so release builds drop the runtime exclusivity checks that would otherwise cost
/// a few percent per packet. Debug builds and tests keep them.
let hotLoopSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Hydrant",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hydrant", targets: ["hydrant"]),
        .library(name: "HydrantRecords", targets: ["HydrantRecords"]),
        .library(name: "HydrantCapture", targets: ["HydrantCapture"]),
        .library(name: "HydrantArchive", targets: ["HydrantArchive"]),
        .library(name: "HydrantStream", targets: ["HydrantStream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            path: "Sources/CPcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .target(name: "CMappedFile", path: "Sources/CMappedFile"),
        .target(name: "HydrantRecords", swiftSettings: hotLoopSettings),
        .target(
            name: "HydrantCapture",
            dependencies: [
                "HydrantRecords",
                "CPcap",
                "CMappedFile",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hotLoopSettings
        ),
        .target(
            name: "HydrantArchive",
            dependencies: ["HydrantRecords", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "HydrantStream",
            dependencies: ["HydrantRecords", "HydrantArchive", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "hydrant",
            dependencies: [
                "HydrantRecords",
                "HydrantCapture",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "HydrantRecordsTests", dependencies: ["HydrantRecords"]),
        .testTarget(
            name: "HydrantCaptureTests",
            dependencies: ["HydrantCapture", "HydrantRecords", .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(name: "HydrantCLITests", dependencies: ["HydrantRecords"]),
        .testTarget(name: "HydrantArchiveTests", dependencies: ["HydrantArchive", "HydrantRecords"]),
        .testTarget(name: "HydrantStreamTests", dependencies: ["HydrantStream", "HydrantArchive"]),
    ],
    swiftLanguageModes: [.v6]
)
