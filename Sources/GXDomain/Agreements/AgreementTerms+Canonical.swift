import GXCrypto

extension AgreementTerms {
    /// RFC 8785 form of the terms: the exact bytes each party signs, identical on any machine.
    public var canonicalJSON: CanonicalJSON {
        var object: [String: CanonicalJSON] = [
            "id": .string(id),
            "provider": .string(provider),
            "consumer": .string(consumer),
            "resource": .string(resourceCode),
            "schema_version": .string(schemaVersion),
            "items": .array(items.map { .string($0) }),
            "purpose": .string(purpose),
            "frequency": .string(frequency.rawValue),
            "method": .string(method.rawValue),
            "valid_from": .string(validFrom.description),
            "valid_until": .string(validUntil.description),
            "duties": .object([
                "provision": .string(duties.provision),
                "use": .string(duties.use),
                "disposal": .string(duties.disposal),
                "security": .string(duties.security),
            ]),
        ]
        if let basis { object["basis"] = .string(basis) }
        if let supersedes { object["supersedes"] = .string(supersedes) }
        if let demand { object["demand"] = .string(demand) }
        if let amendment { object["amendment"] = .integer(Int64(amendment)) }
        if let masks = maskDeclarations { object["masks"] = .object(masks.mapValues { .string($0) }) }
        return .object(object)
    }

    public var canonicalBytes: [UInt8] { canonicalJSON.canonicalBytes }

    /// SM3 of the canonical bytes; signatures record it so a reader sees at once which content was signed.
    public var contentDigest: SM3Digest { SM3.digest(canonicalBytes) }
}
