import GXDomain
import Hummingbird

/// Per-request state: who is calling, once the credential has been checked.
public struct HubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// API bodies are small JSON documents; anything larger is refused before it is read.
    public var maxUploadSize: Int { 1 << 20 }
}
