/// The shape of codes that become folder names on the hub — resource codes and agreement ids (batches are
/// kept under `<resource>/`, deliveries under `<resource>/deliveries/<agreement>/`) — and of the other
/// codes and names that appear in URLs and audit subjects.
///
/// 1 to 64 ASCII letters, digits, '-', '.' or '_', starting with a letter or digit: never `.` or `..`, never
/// a hidden file, never a slash. Resource codes may not be `incoming` either, the hub's upload folder.
public enum PathSafeCode {
    public static let rule = "use 1 to 64 letters, digits, '-', '.' or '_', starting with a letter or digit"

    /// Folder names the hub uses itself beside the resources' folders (compared ignoring case, for
    /// case-insensitive file systems).
    public static let reservedResourceCodes: Set<String> = ["incoming"]

    public static func isValid(_ code: String) -> Bool {
        guard let first = code.utf8.first, isLetterOrDigit(first), code.utf8.count <= 64 else { return false }
        return code.utf8.allSatisfy { isLetterOrDigit($0) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }
    }

    /// Why `code` cannot be a resource code, or nil when it can.
    public static func resourceCodeViolation(_ code: String) -> String? {
        guard isValid(code) else { return rule }
        if reservedResourceCodes.contains(code.lowercased()) { return "'\(code)' is reserved for the hub's own folder" }
        return nil
    }

    static func isLetterOrDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
