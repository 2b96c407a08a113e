import GXDomain

/// The provider's registered keys (its current key and the retired ones), asked of the hub once per run and
/// again when a delivery does not verify with what was known — the provider may have rotated meanwhile.
actor ProviderKeys {
    let client: AgentHubClient
    let provider: String
    private var known: Agency?

    init(client: AgentHubClient, provider: String) {
        self.client = client
        self.provider = provider
    }

    func agency(refreshed: Bool) async throws -> Agency {
        if !refreshed, let known { return known }
        let agency: Agency = try await client.get("/v1/agencies/\(client.escape(provider))")
        guard agency.code == provider else {
            throw AgentError.verification(what: "agency \(provider)", reason: "the hub answered with agency \(agency.code)")
        }
        known = agency
        return agency
    }
}
