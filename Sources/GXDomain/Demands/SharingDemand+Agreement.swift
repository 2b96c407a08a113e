extension SharingDemand {
    /// The terms of the draft agreement a granted demand becomes: what was asked for, less what the provider
    /// refused. Duties take defaults from the demand's purpose; both parties read them before signing.
    public func draftTerms(id agreementID: String, entry: CatalogueEntry, providerName: String, consumerName: String) -> AgreementTerms {
        let frequency = request.frequency ?? entry.updateCycle
        var purpose = Substring(request.purpose)
        while let last = purpose.last, "。.；;，, ".contains(last) { purpose = purpose.dropLast() }
        let duties = AgreementDuties(
            provision: "\(providerName)按\(frequency.rawValue)更新频率提供\(entry.name)（\(entry.resourceCode)）中约定的信息项，保证数据准确、完整、及时。",
            use: "\(consumerName)仅用于\(purpose)，不得用于其他目的，不得向第三方提供。",
            disposal: "用途完成、协议终止或期满后，\(consumerName)删除所获数据并告知\(providerName)。",
            security: "按数据分级分类要求管理，最小授权，访问全程留痕，发生安全事件及时报告。")
        var terms = AgreementTerms(id: agreementID, provider: provider, consumer: consumer, resourceCode: entry.resourceCode,
                                   schemaVersion: schemaVersion, items: grantedItems, purpose: request.purpose,
                                   basis: request.basis ?? (sharingType == .conditional ? entry.sharingBasis : nil),
                                   frequency: frequency, method: request.method ?? .pull,
                                   validFrom: request.validFrom, validUntil: request.validUntil, duties: duties)
        terms.demand = id
        return terms
    }
}
