import GXDomain

extension StoreError {
    /// One name names one principal: an auditor may not take an agency's code or the admin's name, nor an agency
    /// an auditor's, so that no audit actor or client certificate leaves in doubt who acted.
    static func nameTaken(_ id: String, by kind: String) -> StoreError {
        .duplicate(what: "a principal named '\(id)' (\(kind):\(id))")
    }
}
