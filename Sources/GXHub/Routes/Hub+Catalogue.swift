import GXCrypto
import GXDomain
import GXStorage
import Hummingbird

extension Hub {
    func addCatalogueRoutes(to router: Router<HubRequestContext>) {
        router.on(.post, "/v1/catalogue", allow: [.admin]) { request, context, principal in
            let entry = try await request.decodeBody(CatalogueEntry.self, context: context).validated()
            guard let provider = try await store.agency(code: entry.provider), provider.roles.contains(.provider) else {
                throw InvalidInput(field: "provider", reason: "\(entry.provider) is not a registered provider", record: "catalogue entry \(entry.resourceCode)")
            }
            let previous = try await store.catalogueEntry(resourceCode: entry.resourceCode, schemaVersion: nil)
            if let previous, previous.provider != entry.provider {
                throw InvalidInput(field: "provider", reason: "\(entry.resourceCode) is provided by \(previous.provider)", record: "catalogue entry \(entry.resourceCode)")
            }
            try await store.commit([.publishCatalogueEntry(entry)],
                                   audit: [AuditDraft(actor: principal.description, action: previous == nil ? "catalogue.published" : "catalogue.changed",
                                                      subject: entry.resourceCode, agencies: [entry.provider],
                                                      details: ["schema_version": .string(entry.schemaVersion), "items": .integer(Int64(entry.items.count)),
                                                                "sharing_type": .string(entry.sharingType.rawValue)])],
                                   at: now())
            return try JSONResponse.make(entry, status: .created)
        }

        router.on(.get, "/v1/catalogue", allow: [.admin, .auditor, .agency]) { _, _, _ in
            try JSONResponse.make(try await store.catalogueEntries())
        }

        router.on(.get, "/v1/catalogue/:code", allow: [.admin, .auditor, .agency]) { request, context, _ in
            let parameters = QueryParameters(request, context)
            let code = try parameters.path("code")
            let version = try parameters.text("version")
            guard let entry = try await store.catalogueEntry(resourceCode: code, schemaVersion: version) else {
                // Say which is missing: the resource, or only the version asked for.
                if let version, try await store.catalogueEntry(resourceCode: code, schemaVersion: nil) != nil {
                    throw HubAPIError(.notFound, "catalogue entry \(code) has no schema version \(version)", field: "version")
                }
                throw StoreError.notFound(what: "catalogue entry \(code)")
            }
            return try JSONResponse.make(entry)
        }
    }
}
