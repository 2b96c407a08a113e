/// The sharing class of a resource (共享类型). Conditional and not-shared resources must state their basis.
public enum SharingType: String, Codable, Sendable, CaseIterable {
    case unconditional = "无条件共享"
    case conditional = "有条件共享"
    case notShared = "不予共享"
}
