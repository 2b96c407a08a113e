/// A pass's sorted runs read as one sequence in key order: a binary min-heap of the runs on their current
/// keys. Equal keys from different runs come out next to each other, which is how a duplicate is found.
final class SnapshotRunMerger {
    private let runs: [SnapshotFileReader]
    /// Indices into `runs` that still have an entry, ordered as a min-heap by current key.
    private var heap: [Int]

    init(runs: [SnapshotFileReader]) {
        self.runs = runs
        heap = runs.indices.filter { runs[$0].hasEntry }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    /// The run whose current entry comes next, or nil when every run is exhausted. Read its entry, then
    /// call `advance()`.
    var current: SnapshotFileReader? {
        heap.first.map { runs[$0] }
    }

    func advance() throws(LocalDataError) {
        guard let top = heap.first else { return }
        try runs[top].advance()
        if !runs[top].hasEntry {
            heap[0] = heap[heap.count - 1]
            heap.removeLast()
        }
        if !heap.isEmpty { siftDown(0) }
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        SnapshotKeyOrder.compare(runs[heap[a]].key, runs[heap[b]].key) < 0
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, precedes(left + 1, left) { smallest = left + 1 }
            guard precedes(smallest, parent) else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
