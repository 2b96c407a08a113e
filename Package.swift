// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// `GX_FUZZ=1` (set by scripts/fuzz.sh, in its own build folder) instruments our modules that read outside
/// bytes for libFuzzer and AddressSanitizer; an ordinary build is untouched.
let fuzzing = Context.environment["GX_FUZZ"] == "1"
let fuzzed: [SwiftSetting] = swiftSettings + (fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"]), .define("GX_FUZZ")] : [])

let package = Package(
    name: "Gongxiang",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gx", targets: ["gx"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // System libraries: the machine's OpenSSL 3 (SM2/SM3/SM4) and zlib (deflate).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // Intel ISA-L's igzip: the payloads' zlib-format deflate and inflate, several times zlib's speed.
        .systemLibrary(
            name: "CIsal",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // The C compiler's prefetch hint and glibc's malloc arenas, which Swift lacks (a header only).
        .systemLibrary(name: "CMemory"),
        // SQLite's process-wide settings, made before the first connection (sqlite3_config is variadic).
        .systemLibrary(name: "CSQLiteSettings", providers: [.apt(["libsqlite3-dev"])]),
        // 国密 primitives and compression over the system libraries.
        .target(
            name: "GXCrypto",
            dependencies: ["COpenSSL", "CIsal"],
            swiftSettings: fuzzed
        ),
        // The exchange's vocabulary: identifiers, catalogue, agreements, audit entries. No I/O.
        .target(
            name: "GXDomain",
            dependencies: [
                "GXCrypto",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: fuzzed
        ),
        // Sample registers for the quickstart, the benchmarks and the tests (`gx sample`): realistic 法人, 人口 and
        // 房产 rows with planted flaws. Not the exchange's vocabulary, so kept out of GXDomain.
        .target(
            name: "GXSamples",
            dependencies: ["GXDomain"],
            swiftSettings: swiftSettings
        ),
        // Connecting to PostgreSQL: settings from a URL or libpq's environment, TLS, error wording.
        .target(
            name: "GXPostgres",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The hub's state behind one interface; SQLite is the embedded default, PostgreSQL for production.
        .target(
            name: "GXStorage",
            dependencies: [
                "GXCrypto", "GXDomain", "GXPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The hub: HTTP API, authorization, workflows.
        .target(
            name: "GXHub",
            dependencies: [
                "GXDomain", "GXStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("API/openapi.yaml")],
            swiftSettings: fuzzed
        ),
        // The console: the hub's web pages for the authority, the agencies and the auditors. Templates and the
        // stylesheet are compiled into the binary (government networks are offline; gx ships alone).
        .target(
            name: "GXConsole",
            dependencies: [
                "GXDomain", "GXStorage", "GXHub", "GXCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Templates")],
            swiftSettings: swiftSettings
        ),
        // The agency's side: local sources and sinks, change detection, the nightly push and pull.
        .target(
            name: "GXAgent",
            dependencies: [
                "CMemory", "GXCrypto", "GXDomain", "GXPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: fuzzed
        ),
        // The `gx` commands: operator tools, admin and audit clients, hub serving.
        .target(
            name: "GXCLI",
            dependencies: [
                "GXCrypto", "GXDomain", "GXSamples", "GXStorage", "GXPostgres", "GXHub", "GXConsole", "GXAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "gx",
            dependencies: ["GXCLI", "CMemory", "CSQLiteSettings"],
            swiftSettings: swiftSettings
        ),
        // libFuzzer targets for every reader of outside bytes (scripts/fuzz.sh TARGET SECONDS).
        .executableTarget(
            name: "gx-fuzz",
            dependencies: ["GXDomain", "GXCrypto", "GXAgent", "GXHub"],
            path: "Sources/GXFuzz",
            swiftSettings: fuzzed + (fuzzing ? [.unsafeFlags(["-parse-as-library"])] : []),
            linkerSettings: fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []
        ),
        // Fixtures shared by the test targets: the shipped documents, parties with fresh keys, processes.
        .target(
            name: "GXTestSupport",
            dependencies: [
                "GXDomain", "GXCrypto", "GXPostgres", "GXStorage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/GXTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GXCryptoTests",
            dependencies: ["GXCrypto"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GXPostgresTests",
            dependencies: ["GXPostgres", "GXTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GXDomainTests",
            dependencies: ["GXDomain", "GXCrypto", "GXTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GXSamplesTests",
            dependencies: ["GXSamples", "GXDomain", "GXTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GXAgentTests",
            dependencies: [
                "GXAgent", "GXDomain", "GXCrypto", "GXPostgres", "GXTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GXHubTests",
            dependencies: [
                "GXHub", "GXStorage", "GXDomain", "GXCrypto", "GXPostgres", "GXTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GXConsoleTests",
            dependencies: [
                "GXConsole", "GXHub", "GXStorage", "GXDomain", "GXCrypto", "GXPostgres", "GXTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GXEndToEndTests",
            dependencies: [
                "GXAgent", "GXCLI", "GXCrypto", "GXDomain", "GXPostgres", "GXTestSupport", "gx",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
