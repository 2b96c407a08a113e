import Testing
@testable import GXAgent

@Suite("A payload's copy kept for its upload")
struct PayloadCopyTests {
    @Test("the copy holds every byte written while they fit its limit")
    func keepsWhatFits() {
        var copy = PayloadCopy(limit: 10)
        copy.append([1, 2, 3])
        copy.append([4, 5, 6, 7, 8, 9, 10])
        #expect(copy.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    }

    @Test("once the bytes outgrow the limit the copy is dropped for good, and the upload reads the file")
    func dropsWhatOutgrows() {
        var copy = PayloadCopy(limit: 10)
        copy.append([1, 2, 3, 4, 5, 6])
        copy.append([7, 8, 9, 10, 11])
        #expect(copy.bytes == nil)
        copy.append([12])
        #expect(copy.bytes == nil)
    }
}
