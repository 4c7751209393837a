// swift-tools-version:6.0
import PackageDescription

/// Decoding, flow tracking, enrichment, record conversion and encoding are written to stay in bounds by construction
/// (every read is checked against the captured length), so release builds drop the runtime exclusivity checks that
/// would otherwise cost a few percent per packet (a fifth of the JSON-to-Parquet conversion's time). Debug builds and
/// tests keep them.
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
        .library(name: "HydrantServer", targets: ["HydrantServer"]),
        .library(name: "HydrantParquet", targets: ["HydrantParquet"]),
        .library(name: "HydrantFlowLogs", targets: ["HydrantFlowLogs"]),
        .library(name: "HydrantDetect", targets: ["HydrantDetect"]),
        .library(name: "HydrantAlert", targets: ["HydrantAlert"]),
        .library(name: "HydrantEnrich", targets: ["HydrantEnrich"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            path: "Sources/CPcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            path: "Sources/CZstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPcre2", path: "Sources/CPcre2", providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CMaxMindDB", path: "Sources/CMaxMindDB", providers: [.apt(["libmaxminddb-dev"])]),
        .target(name: "CMappedFile", path: "Sources/CMappedFile"),
        .target(name: "CChecksum", path: "Sources/CChecksum"),
        .target(name: "CByteSearch", path: "Sources/CByteSearch"),
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
        .target(name: "HydrantParquet", dependencies: ["CZstd", "CSnappy", "CZlib"], swiftSettings: hotLoopSettings),
        .target(name: "HydrantFlowLogs", dependencies: ["HydrantRecords", "CZlib"], swiftSettings: hotLoopSettings),
        .target(
            name: "HydrantDetect",
            dependencies: ["HydrantRecords", "CPcre2", "CByteSearch", .product(name: "Yams", package: "Yams"),
                           .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: hotLoopSettings
        ),
        .target(name: "HydrantEnrich", dependencies: ["HydrantRecords", "CMaxMindDB"], swiftSettings: hotLoopSettings),
        .target(
            name: "HydrantAlert",
            dependencies: [
                "HydrantRecords",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "HydrantArchive",
            dependencies: [
                "HydrantRecords",
                "HydrantParquet",
                "CZstd",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotLoopSettings
        ),
        .target(
            name: "HydrantStream",
            dependencies: [
                "HydrantRecords",
                "HydrantArchive",
                "HydrantEnrich",
                "HydrantDetect",
                "HydrantAlert",
                "HydrantFlowLogs",
                "CChecksum",
                "CZstd",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: hotLoopSettings
        ),
        .target(
            name: "HydrantServer",
            dependencies: [
                "HydrantRecords",
                "HydrantArchive",
                "HydrantStream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hotLoopSettings
        ),
        .executableTarget(
            name: "hydrant",
            dependencies: [
                "HydrantRecords",
                "HydrantCapture",
                "HydrantArchive",
                "HydrantStream",
                "HydrantServer",
                "HydrantFlowLogs",
                "HydrantDetect",
                "HydrantAlert",
                "HydrantEnrich",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        /// Launchers for the real services integration tests start (SeaweedFS, `hydrant serve`) and free ports.
        .target(name: "HydrantTestSupport", path: "Tests/HydrantTestSupport"),
        .testTarget(name: "HydrantRecordsTests", dependencies: ["HydrantRecords", "HydrantTestSupport"]),
        .testTarget(
            name: "HydrantCaptureTests",
            dependencies: ["HydrantCapture", "HydrantRecords", "HydrantTestSupport", .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(name: "HydrantCLITests", dependencies: ["HydrantRecords", "HydrantTestSupport"], exclude: ["Scripts"]),
        .testTarget(
            name: "HydrantArchiveTests",
            dependencies: ["HydrantArchive", "HydrantRecords", "HydrantTestSupport"]
        ),
        .testTarget(
            name: "HydrantStreamTests",
            dependencies: [
                "HydrantStream", "HydrantArchive", "HydrantRecords", "HydrantTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(name: "HydrantParquetTests", dependencies: ["HydrantParquet", "HydrantTestSupport"], exclude: ["Scripts"]),
        .testTarget(name: "HydrantFlowLogsTests", dependencies: ["HydrantFlowLogs", "HydrantRecords", "HydrantTestSupport"]),
        .testTarget(name: "HydrantDetectTests", dependencies: ["HydrantDetect", "HydrantRecords", "HydrantTestSupport"]),
        .testTarget(name: "HydrantAlertTests", dependencies: ["HydrantAlert", "HydrantRecords", "HydrantTestSupport"], exclude: ["Scripts"]),
        .testTarget(name: "HydrantEnrichTests", dependencies: ["HydrantEnrich", "HydrantRecords", "HydrantTestSupport"]),
        .testTarget(
            name: "HydrantServerTests",
            dependencies: ["HydrantServer", "HydrantStream", "HydrantArchive", "HydrantRecords", "HydrantTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
