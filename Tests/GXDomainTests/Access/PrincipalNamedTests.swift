import GXDomain
import Testing

@Suite("Principals read from the name the hub writes")
struct PrincipalNamedTests {
    @Test("kind and name are read back from a principal's description", arguments: [
        Principal.agency(code: "11110000000021012L"), .admin(name: "authority"), .auditor(name: "11110000000021012L"),
    ])
    func roundTrip(_ principal: Principal) {
        #expect(Principal(named: principal.description) == principal)
    }

    @Test("a bare name, an unknown kind or an empty name names no principal", arguments: [
        "11110000000021012L", "authority", "root:authority", "agency:", ":authority", "Agency:11110000000021012L",
    ])
    func refused(_ text: String) {
        #expect(Principal(named: text) == nil)
    }
}
