import GXDomain

/// An objection as the hub lists it (`GET /v1/objections`): the objection and whether its answer is overdue.
struct ListedObjection: Decodable, Sendable {
    var objection: Objection
    var overdue: Bool
}
