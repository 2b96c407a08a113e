import Foundation

#if GX_FUZZ
/// libFuzzer's driver, run from our own entry point: SwiftPM links an executable's `main` to `gx_fuzz_main`,
/// so libFuzzer's `main` is never used.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("gx_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}

/// libFuzzer's entry point: it calls this with each input it makes. The target is chosen once, from
/// `GX_FUZZ_TARGET` (scripts/fuzz.sh sets it); an input a target rejects with a typed error is fine, a crash,
/// a trap, a leak or a broken round trip is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTarget.selected.run(bytes)
    return 0
}
#else
/// Built without `GX_FUZZ=1` (an ordinary `swift build`) the fuzzer has no engine: say how to run it.
@main
struct FuzzEntry {
    static func main() {
        FileHandle.standardError.write(Data("gx-fuzz is built for libFuzzer by scripts/fuzz.sh TARGET SECONDS (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))\n".utf8))
        exit(2)
    }
}
#endif
