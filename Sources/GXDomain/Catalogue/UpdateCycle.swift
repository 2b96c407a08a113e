/// How often a resource is refreshed (更新周期), written as the catalogue standard writes it.
public enum UpdateCycle: String, Codable, Sendable, CaseIterable {
    case realTime = "实时"
    case daily = "每日"
    case weekly = "每周"
    case monthly = "每月"
    case quarterly = "每季度"
    case yearly = "每年"
}
