/// The terms written as the TOML files admins keep in `Agreements/`, in the same order, so an agreement the
/// hub drew up from a demand is reviewed exactly as an imported one. `TOMLDocument` reads it back unchanged.
extension AgreementTerms {
    public var tomlText: String {
        var lines: [String] = []
        func put(_ key: String, _ value: String) { lines.append("\(key) = \(Self.tomlString(value))") }
        if let demand { lines.append("# Drawn up by the hub from demand \(demand).") }
        put("id", id)
        put("provider", provider)
        put("consumer", consumer)
        put("resource", resourceCode)
        put("schema_version", schemaVersion)
        lines.append("items = [" + items.map(Self.tomlString).joined(separator: ", ") + "]")
        put("purpose", purpose)
        if let basis { put("basis", basis) }
        put("frequency", frequency.rawValue)
        put("method", method.rawValue)
        put("valid_from", validFrom.description)
        put("valid_until", validUntil.description)
        if let supersedes { put("supersedes", supersedes) }
        if let demand { put("demand", demand) }
        if let amendment { lines.append("amendment = \(amendment)") }
        lines.append("")
        lines.append("[duties]")
        put("provision", duties.provision)
        put("use", duties.use)
        put("disposal", duties.disposal)
        put("security", duties.security)
        if let masks = maskDeclarations {
            lines.append("")
            lines.append("[masks]")
            for item in items where masks[item] != nil { lines.append("\(Self.tomlString(item)) = \(Self.tomlString(masks[item]!))") }
            for (item, mask) in masks.sorted(by: { $0.key < $1.key }) where !items.contains(item) {
                lines.append("\(Self.tomlString(item)) = \(Self.tomlString(mask))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A TOML basic string: quotes, backslashes and control characters escaped.
    static func tomlString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
