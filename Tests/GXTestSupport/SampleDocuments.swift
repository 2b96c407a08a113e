import Foundation
import GXCrypto
import GXDomain

/// The catalogue entries, agencies and agreements shipped in the repository, as the tests' fixtures.
public enum SampleDocuments {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    public static func files(in directory: String, prefix: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(directory).path)
            .filter { $0.hasSuffix(".toml") && $0.hasPrefix(prefix) }.sorted().map { "\(directory)/\($0)" }
    }

    public static func catalogue() throws -> [String: CatalogueEntry] {
        var entries: [String: CatalogueEntry] = [:]
        for file in try files(in: "Catalogue") {
            let entry = try TOMLDocument.decode(CatalogueEntry.self, from: try text(file), source: file)
            entries[entry.resourceCode] = entry
        }
        return entries
    }

    public static func agreementTerms() throws -> [AgreementTerms] {
        try files(in: "Agreements", prefix: "BJ-").map { try TOMLDocument.decode(AgreementTerms.self, from: try text($0), source: $0) }
    }

    /// The data levels above 一般 that filing `terms` must acknowledge, as `gx agreement file --acknowledge-levels` takes them.
    public static func levelsToAcknowledge(_ terms: AgreementTerms) throws -> [String] {
        guard let entry = try catalogue()[terms.resourceCode] else { return [] }
        return terms.levelsToAcknowledge(in: entry)
    }

    public static func agencyList() throws -> AgencyListDocument {
        try TOMLDocument.decode(AgencyListDocument.self, from: try text("Agreements/agencies.toml"), source: "agencies.toml")
    }
}

/// Two parties with fresh keys and a valid draft between them, for agreement tests.
public struct AgreementParties {
    public let entry: CatalogueEntry
    public let provider: Agency
    public let consumer: Agency
    public let providerKey: SM2PrivateKey
    public let consumerKey: SM2PrivateKey
    public let terms: AgreementTerms

    public static func housing() throws -> AgreementParties {
        let entry = try SampleDocuments.catalogue()["FC-001"]!
        let terms = try SampleDocuments.agreementTerms().first { $0.resourceCode == "FC-001" }!
        let providerKey = try SM2PrivateKey.generate()
        let consumerKey = try SM2PrivateKey.generate()
        return AgreementParties(
            entry: entry,
            provider: Agency(code: terms.provider, name: "市建委", publicKeyPEM: providerKey.publicKey.pem, roles: [.provider]),
            consumer: Agency(code: terms.consumer, name: "市地税局", publicKeyPEM: consumerKey.publicKey.pem, roles: [.consumer]),
            providerKey: providerKey, consumerKey: consumerKey, terms: terms)
    }

    public func signedByBoth() throws -> SharingAgreement {
        let draft = SharingAgreement(terms: terms)
        let bytes = terms.canonicalBytes
        let once = try draft.signed(by: consumer.code, signature: try consumerKey.signature(for: bytes), key: consumerKey.publicKey, at: Date())
        return try once.signed(by: provider.code, signature: try providerKey.signature(for: bytes), key: providerKey.publicKey, at: Date())
    }
}
