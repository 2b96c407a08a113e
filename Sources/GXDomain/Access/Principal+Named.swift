extension Principal {
    /// Reads a principal as the hub writes it everywhere (`agency:<code>`, `admin:<name>`, `auditor:<name>`,
    /// its `description`): the form a mutual-TLS client certificate's CN takes, so that a certificate names
    /// the principal's kind as well as its name. Nil for any other text.
    public init?(named text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = PrincipalKind(rawValue: String(text[..<colon])) else { return nil }
        let id = String(text[text.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        switch kind {
        case .admin: self = .admin(name: id)
        case .agency: self = .agency(code: id)
        case .auditor: self = .auditor(name: id)
        }
    }
}
