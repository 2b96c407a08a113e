import GXDomain

/// A table of values with weights, so samples follow real proportions (most people are 汉族, most
/// legal entities are enterprises, 朝阳 and 海淀 hold more residents than 延庆).
struct SampleChoice<Element: Sendable>: Sendable {
    let elements: [Element]
    private let cumulative: [Int]

    init(_ weighted: [(Element, Int)]) {
        precondition(!weighted.isEmpty && weighted.allSatisfy { $0.1 > 0 })
        elements = weighted.map(\.0)
        var total = 0
        cumulative = weighted.map { total += $0.1; return total }
    }

    func pick(_ random: inout SampleRandom) -> Element {
        let target = random.below(cumulative[cumulative.count - 1])
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return elements[low]
    }
}
